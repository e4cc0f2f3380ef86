"""The producer dashboard: status, reason and next steps, and what an approved shop needs doing."""
from __future__ import annotations


from marketplace.models import ProductStatus, SellerStatus, utcnow
from marketplace.services.onboarding import todo_counts
from tests import factories
from tests.conftest import login

DASHBOARD = "/penjual/"



def client_for(app, session, **seller_fields):
    """A client logged in as a producer (reading English) with the given profile fields."""
    user = factories.make_user(session, language="en")
    seller = factories.make_seller(session, user=user, **seller_fields)
    client = app.test_client()
    login(client, user)
    return client, seller


def page(client) -> str:
    response = client.get(DASHBOARD)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_visitors_are_sent_to_log_in(client):
    response = client.get(DASHBOARD)
    assert response.status_code == 302
    assert "/akun/masuk" in response.headers["Location"]


def test_users_without_a_shop_are_sent_to_register_one(buyer_client):
    response = buyer_client.get(DASHBOARD)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/penjual/daftar-toko")


def test_draft_shows_how_to_continue(app, session):
    client, seller = client_for(app, session, status=SellerStatus.DRAFT, kecamatan_code=None, whatsapp=None)
    seller.onboarding_step = "contact"
    session.commit()
    html = page(client)
    assert "Your registration is not finished" in html
    # The kecamatan is missing, so the producer continues there, not at the stored step.
    assert 'href="/penjual/daftar-toko/lokasi"' in html


def test_pending_shows_waiting_for_approval_and_what_happens_next(app, session):
    client, _seller = client_for(app, session, status=SellerStatus.PENDING)
    html = page(client)
    assert "Waiting for approval" in html
    assert "What happens next" in html
    assert "Add a product" not in html


def test_rejected_sees_the_reason_and_can_change_and_resubmit(app, session):
    client, _seller = client_for(app, session, status=SellerStatus.REJECTED,
                                 status_reason="Nomor WhatsApp tidak aktif.", data_consent_at=utcnow(),
                                 in_programme=False)
    html = page(client)
    assert "Nomor WhatsApp tidak aktif." in html
    assert 'href="/penjual/daftar-toko/periksa"' in html


def test_suspended_sees_the_reason_and_cannot_publish(app, session):
    client, _seller = client_for(app, session, status=SellerStatus.SUSPENDED,
                                 status_reason="Produk tidak sesuai foto.")
    html = page(client)
    assert "Shop suspended" in html
    assert "Produk tidak sesuai foto." in html
    assert "cannot publish" in html
    assert "Add a product" not in html


def test_reasons_are_escaped(app, session):
    client, _seller = client_for(app, session, status=SellerStatus.REJECTED, status_reason="<script>x</script>")
    html = page(client)
    assert "<script>x</script>" not in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html


def _stock_the_shop(session, seller):
    """One product of each kind the dashboard counts."""
    make = factories.make_product
    draft = make(session, seller=seller, name="Draf", status=ProductStatus.DRAFT, stock=5)
    empty = make(session, seller=seller, name="Habis", stock=0)
    low_a = make(session, seller=seller, name="Tinggal dua", stock=2)
    low_b = make(session, seller=seller, name="Tinggal tiga", stock=3)
    plenty = make(session, seller=seller, name="Banyak", stock=4)
    moderated = make(session, seller=seller, name="Diturunkan", status=ProductStatus.DRAFT, stock=9)
    moderated.moderation_note = "Foto tidak sesuai produk."
    archived = make(session, seller=seller, name="Lama", status=ProductStatus.ARCHIVED, stock=0)
    archived.moderation_note = "Lama"
    for product in (draft, empty, low_a, low_b, plenty):
        factories.add_product_image(session, product, commit=False)
    session.commit()


def test_todo_counts_cover_drafts_stock_photos_and_moderation(session, seller, other_seller):
    _stock_the_shop(session, seller)
    factories.make_product(session, seller=other_seller, stock=0, status=ProductStatus.DRAFT)
    counts = todo_counts(session, seller.id)
    assert counts.drafts == 2
    assert counts.out_of_stock == 1
    assert counts.low_stock == 2
    assert counts.without_photos == 1
    assert counts.unpublished_by_officer == 1
    assert counts.total == 6
    assert counts.anything


def test_todo_counts_of_a_tidy_shop_are_zero(session, seller):
    factories.add_product_image(session, factories.make_product(session, seller=seller, stock=10))
    counts = todo_counts(session, seller.id)
    assert not counts.anything
    assert counts.total == 1


def test_approved_dashboard_lists_what_needs_doing_with_links(app, session):
    client, seller = client_for(app, session)
    _stock_the_shop(session, seller)
    html = page(client)
    assert "What needs doing" in html
    assert "1</strong> product is out of stock" in html
    assert "2</strong> products are low on stock (3 or fewer left)" in html
    assert "2</strong> drafts are not published yet" in html
    assert "1</strong> product has no photo" in html
    assert "1</strong> product was unpublished by an officer" in html
    with app.test_request_context():
        from flask import url_for

        assert f'href="{url_for("sellers.product_new")}"' in html
        assert f'href="{url_for("sellers.products")}"' in html


def test_approved_dashboard_without_products_invites_the_first_one(seller_client, seller, session):
    seller.user.preferred_language = "en"
    session.commit()
    html = page(seller_client)
    assert "You have no products yet." in html
    assert "Add a product" in html


def test_orders_waiting_to_be_sent_are_counted_and_linked(app, session):
    client, seller = client_for(app, session)
    factories.set_delivery(session, seller)
    product = factories.make_product(session, seller=seller, stock=5)
    factories.place_order(session, [(product, 1)], payment="cash")
    page = client.get(DASHBOARD).get_data(as_text=True)
    assert "/pesanan/penjual" in page
    assert "order is waiting for you to pack and send" in page
