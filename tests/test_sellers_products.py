"""The producer's products: list and filters, quick price/stock changes, create, edit,
duplicate, archive, and who may publish."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from marketplace.models import Product, ProductStatus, SellerStatus
from marketplace.services import catalog
from marketplace.services import products as product_service
from tests import factories
from tests.conftest import login

LIST = "/penjual/produk"
NEW = "/penjual/produk/baru"


def edit_url(product):
    return f"/penjual/produk/{product.id}/ubah"


def quick_url(product):
    return f"/penjual/produk/{product.id}/cepat"


def text(response) -> str:
    return response.get_data(as_text=True)


def fresh(session, product) -> Product:
    session.expire_all()
    return session.get(Product, product.id)


def product_form(**overrides) -> dict:
    data = {"name": "Keripik Tempe Pedas", "category_id": "", "description": "Renyah, 250 g.", "price": "15.000",
            "unit": "pack", "stock": "12", "weight_grams": "300", "status": "draft"}
    data.update(overrides)
    return data


def quick_form(product, *, price, stock, seen=None) -> dict:
    prefix = f"p{product.id}-"
    return {prefix + "price": price, prefix + "stock": stock,
            prefix + "stock_seen": str(product.stock if seen is None else seen)}


@pytest.fixture
def english_seller(session):
    """The seller, reading English (the msgids), so messages can be checked."""
    return factories.make_seller(session, shop_name="Anyaman Bu Sri", user=factories.make_user(session, language="en"))


@pytest.fixture
def en_client(app, english_seller):
    client = app.test_client()
    login(client, english_seller.user)
    return client


# ---- the list -------------------------------------------------------------------------------

def test_list_shows_own_products_with_status_stock_price_and_cover(seller_client, seller, other_seller, session):
    mine = factories.make_product(session, seller=seller, name="Tas Anyaman", price=75_000, stock=4)
    factories.add_product_image(session, mine)
    factories.make_product(session, seller=other_seller, name="Beras Organik Garum")

    page = text(seller_client.get(LIST))

    assert "Tas Anyaman" in page and "Rp 75.000" in page and 'value="4"' in page
    assert f'src="/media/{mine.cover.key[:2]}/{mine.cover.key}-320.webp"' in page
    assert "Beras Organik Garum" not in page


def test_list_filters_by_status_and_hides_archived_by_default(seller_client, seller, session):
    factories.make_product(session, seller=seller, name="Terbit", status=ProductStatus.PUBLISHED)
    factories.make_product(session, seller=seller, name="Konsep", status=ProductStatus.DRAFT)
    factories.make_product(session, seller=seller, name="Lama", status=ProductStatus.ARCHIVED)

    everything = text(seller_client.get(LIST))
    drafts = text(seller_client.get(LIST + "?status=draft"))
    archived = text(seller_client.get(LIST + "?status=archived"))

    assert "Terbit" in everything and "Konsep" in everything and "Lama" not in everything
    assert "Konsep" in drafts and "Terbit" not in drafts
    assert "Lama" in archived and "Konsep" not in archived


def test_unknown_status_filter_is_a_clear_400(en_client):
    response = en_client.get(LIST + "?status=deleted")
    assert response.status_code == 400
    assert "Unknown status filter" in text(response)


# ---- quick price and stock changes ----------------------------------------------------------

def test_quick_update_changes_price_and_stock_without_javascript(seller_client, seller, session):
    product = factories.make_product(session, seller=seller, price=10_000, stock=3)

    response = seller_client.post(quick_url(product), data=quick_form(product, price="Rp 12.500", stock="20"))

    assert response.status_code == 303 and response.headers["Location"].endswith(LIST)
    product = fresh(session, product)
    assert (product.price, product.stock) == (12_500, 20)


def test_quick_update_answers_json_to_the_script(en_client, english_seller, session):
    product = factories.make_product(session, seller=english_seller, price=10_000, stock=3)

    response = en_client.post(quick_url(product), data=quick_form(product, price="15000", stock="7"),
                              headers={"Accept": "application/json"})

    assert response.status_code == 200
    assert response.json["ok"] is True and response.json["stock"] == 7 and response.json["price"] == 15_000
    assert "Rp 15.000" in response.json["message"]


def test_quick_update_keeps_an_order_that_came_in_meanwhile(en_client, english_seller, session):
    product = factories.make_product(session, seller=english_seller, price=10_000, stock=5)
    seen = product.stock
    product.stock = 4  # a buyer took one after the list was shown
    session.commit()

    response = en_client.post(quick_url(product), data=quick_form(product, price="10000", stock="9", seen=seen),
                              headers={"Accept": "application/json"})

    assert response.status_code == 400
    assert "stock changed while you were editing" in response.json["errors"]["stock"][0]
    assert response.json["stock"] == 4
    assert fresh(session, product).stock == 4


def test_quick_update_of_price_only_leaves_stock_that_orders_changed(seller_client, seller, session):
    product = factories.make_product(session, seller=seller, price=10_000, stock=5)
    product.stock = 4
    session.commit()

    response = seller_client.post(quick_url(product), data=quick_form(product, price="11.000", stock="5", seen=5))

    assert response.status_code == 303
    product = fresh(session, product)
    assert (product.price, product.stock) == (11_000, 4)


@pytest.mark.parametrize("price, stock, message", [
    ("abc", "3", "Enter an amount in whole rupiah"),
    ("-5000", "3", "Enter an amount in whole rupiah"),
    ("99.999.999.999", "3", "That amount is too large"),
    ("0", "3", "at least Rp 1"),
    ("10000", "-1", "cannot be negative"),
    ("10000", "lima", "Enter a whole number"),
    ("10000", "99999999999", "too large"),
    ("", "3", "Enter the price"),
])
def test_quick_update_refuses_bad_numbers_and_changes_nothing(en_client, english_seller, session, price, stock,
                                                             message):
    product = factories.make_product(session, seller=english_seller, price=10_000, stock=3)

    response = en_client.post(quick_url(product), data=quick_form(product, price=price, stock=stock))

    assert response.status_code == 400
    assert message in text(response)
    product = fresh(session, product)
    assert (product.price, product.stock) == (10_000, 3)


# ---- create ---------------------------------------------------------------------------------

def test_create_product_with_every_field(seller_client, seller, session):
    category = factories.make_category(session, name_id="Makanan", name_en="Food")
    spicy = factories.make_tag(session, slug="pedas", name_id="Pedas", name_en="Spicy")
    factories.make_tag(session, slug="organik")

    response = seller_client.post(NEW, data=product_form(category_id=str(category.id), tags=[str(spicy.id)],
                                                         price="Rp 15.000", status="published"))

    assert response.status_code == 303
    product = session.scalars(select(Product).where(Product.seller_id == seller.id)).one()
    assert response.headers["Location"].endswith(f"/penjual/produk/{product.id}/foto")
    assert (product.name, product.price, product.unit, product.stock, product.weight_grams) == (
        "Keripik Tempe Pedas", 15_000, "pack", 12, 300)
    assert product.category_id == category.id and [t.slug for t in product.tags] == ["pedas"]
    assert product.description == "Renyah, 250 g."
    assert product.status == ProductStatus.PUBLISHED and product.published_at is not None
    assert product.slug == "keripik-tempe-pedas"


@pytest.mark.parametrize("typed, rupiah", [("15000", 15_000), ("15.000", 15_000), ("Rp 15.000", 15_000),
                                           ("Rp15.000,00", 15_000), ("1.250.000", 1_250_000)])
def test_prices_are_read_the_indonesian_way(seller_client, seller, session, typed, rupiah):
    assert seller_client.post(NEW, data=product_form(price=typed)).status_code == 303
    assert session.scalars(select(Product.price)).one() == rupiah


def test_drafts_are_private_and_published_products_public(seller_client, seller, session):
    seller_client.post(NEW, data=product_form(name="Draf Rahasia", status="draft"))
    seller_client.post(NEW, data=product_form(name="Sudah Terbit", status="published"))

    public = [p.name for p in session.scalars(catalog.public_products_query())]

    assert public == ["Sudah Terbit"]
    draft = session.scalars(select(Product).where(Product.name == "Draf Rahasia")).one()
    assert draft.published_at is None


def test_same_name_gets_a_unique_slug(seller_client, seller, other_seller, session):
    factories.make_product(session, seller=other_seller, name="Keripik")
    session.scalars(select(Product)).one().slug = "keripik"
    session.commit()

    seller_client.post(NEW, data=product_form(name="Keripik"))
    seller_client.post(NEW, data=product_form(name="Keripik"))

    slugs = sorted(session.scalars(select(Product.slug).where(Product.seller_id == seller.id)))
    assert slugs == ["keripik-2", "keripik-3"]


@pytest.mark.parametrize("overrides, message", [
    ({"name": ""}, "Enter the product"),
    ({"name": "x" * 141}, "at most 140 characters"),
    ({"price": "abc"}, "Enter an amount in whole rupiah"),
    ({"price": "-15.000"}, "Enter an amount in whole rupiah"),
    ({"price": "2000000000"}, "That amount is too large"),
    ({"stock": "-3"}, "cannot be negative"),
    ({"stock": "1e9"}, "Enter a whole number"),
    ({"weight_grams": "-1"}, "cannot be negative"),
    ({"weight_grams": "5000000"}, "too large"),
    ({"unit": "ton"}, "Choose a unit from the list"),
    ({"category_id": "999999"}, "Choose a category from the list"),
    ({"category_id": "makanan"}, "Choose a category from the list"),
    ({"tags": ["999999"]}, "One of the chosen labels does not exist"),
    ({"tags": ["; drop"]}, "One of the chosen labels does not exist"),
    ({"status": "archived"}, "Choose draft or published"),
])
def test_bad_input_is_refused_clearly_and_nothing_is_saved(en_client, session, overrides, message):
    response = en_client.post(NEW, data=product_form(**overrides))

    assert response.status_code == 400
    assert message in text(response)
    assert session.scalars(select(Product)).all() == []


# ---- edit -----------------------------------------------------------------------------------

def test_edit_form_shows_every_current_value(seller_client, seller, session):
    category = factories.make_category(session)
    tag = factories.make_tag(session)
    factories.make_tag(session, slug="daur-ulang", name_id="Daur ulang", name_en="Recycled")
    product = factories.make_product(session, seller=seller, category=category, tags=[tag], price=75_000, stock=6,
                                     unit="set", weight_grams=450, status=ProductStatus.DRAFT)

    page = text(seller_client.get(edit_url(product)))

    for expected in ('value="75.000"', 'value="6"', 'value="450"', '<option selected value="set">',
                     f'<option selected value="{category.id}">', f'value="{tag.id}" checked',
                     'value="draft" checked', 'name="stock_seen" type="hidden" value="6"'):
        assert expected in page, expected
    assert page.count(" checked") == 2  # one label, one status


def test_edit_changes_fields_and_keeps_the_slug(seller_client, seller, session):
    product = factories.make_product(session, seller=seller, name="Tas Lama", status=ProductStatus.DRAFT)
    slug = product.slug

    page = text(seller_client.get(edit_url(product)))
    response = seller_client.post(edit_url(product), data=product_form(name="Tas Baru", price="80.000", stock="10",
                                                                        stock_seen="10", status="published"))

    assert 'value="Tas Lama"' in page
    assert response.status_code == 303
    product = fresh(session, product)
    assert (product.name, product.price, product.slug, product.status) == ("Tas Baru", 80_000, slug,
                                                                           ProductStatus.PUBLISHED)


def test_published_at_is_set_once_on_first_publishing(seller_client, seller, session):
    product = factories.make_product(session, seller=seller, status=ProductStatus.DRAFT, stock=10)
    seller_client.post(edit_url(product), data=product_form(status="published", stock="10", stock_seen="10"))
    first = fresh(session, product).published_at

    seller_client.post(edit_url(product), data=product_form(status="draft", stock="10", stock_seen="10"))
    seller_client.post(edit_url(product), data=product_form(status="published", stock="10", stock_seen="10"))

    assert first is not None and fresh(session, product).published_at == first


def test_edit_does_not_undo_an_order_placed_while_the_form_was_open(en_client, english_seller, session):
    product = factories.make_product(session, seller=english_seller, stock=10)
    product.stock = 9  # sold one meanwhile
    session.commit()

    unchanged = en_client.post(edit_url(product), data=product_form(description="Baru", stock="10", stock_seen="10"))
    changed = en_client.post(edit_url(product), data=product_form(stock="20", stock_seen="10"))

    assert unchanged.status_code == 303
    assert changed.status_code == 400 and "stock changed while you were editing" in text(changed)
    product = fresh(session, product)
    assert product.stock == 9 and product.description == "Baru"


def test_publishing_clears_an_officers_note(seller_client, seller, session):
    product = factories.make_product(session, seller=seller, status=ProductStatus.DRAFT, stock=10)
    product.moderation_note = "Foto tidak sesuai"
    session.commit()

    assert "Foto tidak sesuai" in text(seller_client.get(edit_url(product)))
    seller_client.post(edit_url(product), data=product_form(status="published", stock="10", stock_seen="10"))

    assert fresh(session, product).moderation_note == ""


# ---- duplicate and archive -----------------------------------------------------------------

@pytest.mark.parametrize("with_photos, expected_photos", [("y", 2), (None, 0)])
def test_duplicate_makes_a_draft_copy_with_or_without_photos(seller_client, seller, session, with_photos,
                                                            expected_photos):
    tag = factories.make_tag(session)
    original = factories.make_product(session, seller=seller, name="Tas Anyaman", tags=[tag])
    factories.add_product_image(session, original)
    factories.add_product_image(session, original, color=(10, 200, 10))
    data = {"with_photos": with_photos} if with_photos else {}

    response = seller_client.post(f"/penjual/produk/{original.id}/salin", data=data)

    assert response.status_code == 303
    session.expire_all()
    copy = session.scalars(select(Product).where(Product.id != original.id)).one()
    assert response.headers["Location"].endswith(edit_url(copy))
    assert copy.name == "Tas Anyaman (salinan)" and copy.status == ProductStatus.DRAFT and copy.published_at is None
    assert copy.slug != original.slug and copy.price == original.price and copy.tags == [tag]
    assert len(copy.images) == expected_photos
    assert len(fresh(session, original).images) == 2


def test_duplicate_of_a_long_name_still_fits(seller_client, seller, session):
    original = factories.make_product(session, seller=seller, name="K" * 140)
    assert seller_client.post(f"/penjual/produk/{original.id}/salin").status_code == 303
    copy = session.scalars(select(Product).where(Product.id != original.id)).one()
    assert len(copy.name) == 140 and copy.name.endswith(" (salinan)")


def test_archive_and_unarchive(seller_client, seller, session):
    product = factories.make_product(session, seller=seller, status=ProductStatus.PUBLISHED)
    url = f"/penjual/produk/{product.id}/arsip"

    archived = seller_client.post(url, data={"action": "archive"})
    hidden = list(session.scalars(catalog.public_products_query()))
    back = seller_client.post(url, data={"action": "unarchive"})

    assert archived.status_code == 303 and hidden == []
    assert back.status_code == 303
    assert fresh(session, product).status == ProductStatus.DRAFT


def test_archive_refuses_unknown_actions_and_double_unarchive(seller_client, seller, session):
    product = factories.make_product(session, seller=seller, status=ProductStatus.PUBLISHED)
    url = f"/penjual/produk/{product.id}/arsip"

    assert seller_client.post(url, data={"action": "explode"}).status_code == 400
    assert seller_client.post(url, data={"action": "unarchive"}).status_code == 400
    assert fresh(session, product).status == ProductStatus.PUBLISHED


def test_archive_needs_a_csrf_token(seller_client, seller, session, csrf_enabled):
    product = factories.make_product(session, seller=seller)
    assert seller_client.post(f"/penjual/produk/{product.id}/arsip", data={"action": "archive"}).status_code == 400
    assert fresh(session, product).status == ProductStatus.PUBLISHED


# ---- who may use the workspace and publish ----------------------------------------------------

@pytest.mark.parametrize("status", [SellerStatus.DRAFT, SellerStatus.PENDING, SellerStatus.REJECTED,
                                    SellerStatus.SUSPENDED])
def test_producers_not_approved_cannot_use_the_workspace(app, session, status):
    profile = factories.make_seller(session, status=status)
    product = factories.make_product(session, seller=profile, status=ProductStatus.DRAFT)
    client = app.test_client()
    login(client, profile.user)

    for url in (LIST, NEW, edit_url(product), "/penjual/produk/impor", "/penjual/toko"):
        assert client.get(url).status_code == 403, url
    assert client.post(NEW, data=product_form(status="published")).status_code == 403
    assert client.post(edit_url(product), data=product_form(status="published")).status_code == 403
    assert fresh(session, product).status == ProductStatus.DRAFT


def test_buyers_get_403_and_visitors_are_sent_to_log_in(buyer_client, client):
    assert buyer_client.get(LIST).status_code == 403
    response = client.get(LIST)
    assert response.status_code == 302 and "/akun/" in response.headers["Location"]


def test_the_service_refuses_publishing_for_a_suspended_shop(session):
    profile = factories.make_seller(session, status=SellerStatus.SUSPENDED)
    data = product_service.ProductData(name="Tas", price=10_000, stock=1, status="published")

    with pytest.raises(product_service.ProductError) as refused:
        product_service.create_product(session, profile, data)

    assert refused.value.errors == {"status": "seller_not_approved"}
    session.rollback()
    assert session.scalars(select(Product)).all() == []


def test_editing_an_archived_product_keeps_it_archived_unless_the_status_changes(seller_client, seller, session):
    product = factories.make_product(session, seller=seller, status=ProductStatus.ARCHIVED, stock=2)

    page = text(seller_client.get(edit_url(product)))
    kept = seller_client.post(edit_url(product), data=product_form(status="archived", stock="2", stock_seen="2"))
    archived_after_edit = fresh(session, product).status
    seller_client.post(edit_url(product), data=product_form(status="draft", stock="2", stock_seen="2"))

    assert 'value="archived" checked' in page
    assert kept.status_code == 303 and archived_after_edit == ProductStatus.ARCHIVED
    assert fresh(session, product).status == ProductStatus.DRAFT


def test_the_list_forms_carry_working_csrf_tokens(seller_client, seller, session, csrf_enabled):
    import re

    product = factories.make_product(session, seller=seller, price=10_000, stock=3)
    page = text(seller_client.get(LIST))
    token = re.search(rf'name="p{product.id}-csrf_token" type="hidden" value="([^"]+)"', page).group(1)

    forged = seller_client.post(quick_url(product), data=quick_form(product, price="1", stock="0"))
    real = seller_client.post(quick_url(product), data={**quick_form(product, price="12.000", stock="4"),
                                                       f"p{product.id}-csrf_token": token})

    assert forged.status_code == 400 and real.status_code == 303
    product = fresh(session, product)
    assert (product.price, product.stock) == (12_000, 4)
