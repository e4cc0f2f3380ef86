"""Officers find products by name or shop and take down published ones with a reason the
producer reads (by e-mail, in their language, and on the product)."""
from __future__ import annotations

import pytest

from marketplace.models import AuditLog, Product, ProductStatus
from tests import factories
from tests.test_admin_approvals import indonesian_catalogue  # noqa: F401 (fixture)


@pytest.fixture(autouse=True)
def _english_pages(request, session):
    """Officers read these pages in English, so assertions use the English msgids whatever the catalogue says."""
    for name in ("officer", "admin_user"):
        if name in request.fixturenames:
            request.getfixturevalue(name).preferred_language = "en"
    session.commit()


def test_product_list_finds_products_by_name_or_shop(officer_client, session):
    batik = factories.make_seller(session, shop_name="Batik Bu Tini")
    farm = factories.make_seller(session, shop_name="Tani Organik Garum")
    factories.make_product(session, seller=batik, name="Kain Batik Tulis")
    factories.make_product(session, seller=farm, name="Beras Merah", status=ProductStatus.DRAFT)
    factories.make_product(session, seller=farm, name="Sayur Bayam")

    by_name = officer_client.get("/petugas/produk?q=batik").get_data(as_text=True)
    by_shop = officer_client.get("/petugas/produk?q=ORGANIK").get_data(as_text=True)
    drafts = officer_client.get("/petugas/produk?status=draft").get_data(as_text=True)

    assert "Kain Batik Tulis" in by_name and "Sayur Bayam" not in by_name
    assert "Beras Merah" in by_shop and "Sayur Bayam" in by_shop and "Kain Batik Tulis" not in by_shop
    assert "Beras Merah" in drafts and "Sayur Bayam" not in drafts


def test_search_text_is_taken_literally(officer_client, session, seller):
    factories.make_product(session, seller=seller, name="Keripik 100% singkong")
    factories.make_product(session, seller=seller, name="Keripik pisang")

    page = officer_client.get("/petugas/produk?q=100%25").get_data(as_text=True)
    wildcard = officer_client.get("/petugas/produk?q=%25").get_data(as_text=True)

    assert "Keripik 100% singkong" in page and "Keripik pisang" not in page
    assert "Keripik pisang" not in wildcard


def test_product_list_is_paginated_and_refuses_bad_filters(officer_client, session, seller):
    for n in range(25):
        factories.make_product(session, seller=seller, name=f"Produk nomor {n:02d}")

    first = officer_client.get("/petugas/produk").get_data(as_text=True)
    second = officer_client.get("/petugas/produk?page=2").get_data(as_text=True)

    assert first.count("Produk nomor") == 20 and second.count("Produk nomor") == 5
    assert officer_client.get("/petugas/produk?status=sold").status_code == 400
    assert officer_client.get("/petugas/produk?page=3").status_code == 404


def test_unpublishing_needs_a_reason(officer_client, session, seller, mail_outbox):
    product = factories.make_product(session, seller=seller)

    response = officer_client.post(f"/petugas/produk/{product.id}/turunkan", data={"reason": " "})

    assert response.status_code == 400
    assert "Write the reason: the producer will read it." in response.get_data(as_text=True)
    session.refresh(product)
    assert product.status == ProductStatus.PUBLISHED and product.moderation_note == ""
    assert mail_outbox == []


def test_unpublishing_hides_the_product_tells_the_producer_and_is_audited(
        officer_client, officer, session, client, mail_outbox, indonesian_catalogue):  # noqa: F811
    seller = factories.make_seller(session, shop_name="Anyaman Bu Sri",
                                   user=factories.make_user(session, language="id", commit=False))
    product = factories.make_product(session, seller=seller, name="Tas Anyaman Plastik")
    assert "Tas Anyaman Plastik" in client.get("/").get_data(as_text=True)

    response = officer_client.post(f"/petugas/produk/{product.id}/turunkan",
                                   data={"reason": "Foto produk milik toko lain."})

    assert response.status_code == 303
    session.refresh(product)
    assert product.status == ProductStatus.DRAFT
    assert product.moderation_note == "Foto produk milik toko lain."
    assert "Tas Anyaman Plastik" not in client.get("/").get_data(as_text=True)
    [mail] = mail_outbox
    assert mail.to == seller.user.email
    assert mail.subject == "Produk Tas Anyaman Plastik diturunkan"
    assert "Alasan: Foto produk milik toko lain." in mail.body
    [entry] = session.query(AuditLog).filter_by(action="product.unpublished").all()
    assert entry.actor_id == officer.id and entry.subject_id == product.id
    assert entry.reason == "Foto produk milik toko lain."


def test_the_unpublish_mail_is_in_english_for_english_speaking_producers(officer_client, session, mail_outbox,
                                                                         indonesian_catalogue):  # noqa: F811
    seller = factories.make_seller(session, user=factories.make_user(session, language="en", commit=False))
    product = factories.make_product(session, seller=seller, name="Batik Scarf")

    officer_client.post(f"/petugas/produk/{product.id}/turunkan", data={"reason": "Wrong category."})

    [mail] = mail_outbox
    assert mail.subject == "Your product Batik Scarf was taken down"
    assert "Reason: Wrong category." in mail.body


def test_the_producer_sees_the_reason_on_their_dashboard_count(officer_client, session, seller_client, seller):
    product = factories.make_product(session, seller=seller)
    officer_client.post(f"/petugas/produk/{product.id}/turunkan", data={"reason": "Harga tidak wajar."})

    session.refresh(product)
    assert product.moderation_note == "Harga tidak wajar."
    assert seller_client.get("/penjual/").status_code == 200


def test_a_product_that_is_not_published_cannot_be_taken_down(officer_client, session, seller, mail_outbox):
    draft = factories.make_product(session, seller=seller, status=ProductStatus.DRAFT)

    page = officer_client.get(f"/petugas/produk/{draft.id}").get_data(as_text=True)
    response = officer_client.post(f"/petugas/produk/{draft.id}/turunkan", data={"reason": "Apa saja"})

    assert f"/petugas/produk/{draft.id}/turunkan" not in page
    assert response.status_code == 409
    assert "This product is not published" in response.get_data(as_text=True)
    session.refresh(draft)
    assert draft.moderation_note == ""
    assert session.query(AuditLog).count() == 0
    assert mail_outbox == []


def test_unknown_products_are_not_found(officer_client):
    assert officer_client.get("/petugas/produk/99999").status_code == 404
    assert officer_client.post("/petugas/produk/99999/turunkan", data={"reason": "x"}).status_code == 404


def test_unpublishing_without_a_csrf_token_is_refused(officer_client, session, seller, csrf_enabled):
    product = factories.make_product(session, seller=seller)
    response = officer_client.post(f"/petugas/produk/{product.id}/turunkan", data={"reason": "Alasan"})
    assert response.status_code == 400
    assert session.get(Product, product.id).status == ProductStatus.PUBLISHED
