"""Product and producer pages: what buyers see, what links share, and who may see unpublished things."""
from __future__ import annotations

import html as html_lib
import json
import re
from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest

from marketplace.models import OrderLine, PartStatus, ProductStatus, Review, SellerOrder, SellerStatus
from marketplace.services import catalog
from tests import factories
from tests.conftest import login
from tests.test_catalog_listing import add_batik, count_queries

@pytest.fixture
def client(app):
    """An anonymous visitor reading English, so the assertions read the English msgids."""
    visitor = app.test_client()
    with visitor.session_transaction() as flask_session:
        flask_session["lang"] = "en"
    return visitor



@pytest.fixture
def bag(session):
    crafts = factories.make_category(session, name_id="Kerajinan", name_en="Crafts", slug="kerajinan")
    tangan = factories.make_tag(session, slug="buatan-tangan", name_id="Buatan tangan", name_en="Handmade")
    seller = factories.make_seller(session, shop_name="Anyaman Bu Sri", kecamatan_code="35.05.10",
                                   nib="1234567890123", halal="ID35110000123", whatsapp="+6281234567890")
    seller.story = "Kami ibu-ibu Kanigoro menganyam plastik bekas sejak 2019."
    cohort = factories.make_training(session, slug="kerajinan-daur-ulang", name_id="Kerajinan daur ulang",
                                     name_en="Crafts from recycled materials")
    factories.enrol(session, seller, cohort)
    product = factories.make_product(session, seller=seller, category=crafts, name="Tas Anyaman <Plastik>",
                                     price=75_000, stock=4, tags=[tangan])
    factories.add_product_image(session, product)
    factories.add_product_image(session, product, color=(10, 200, 10))
    return product


def json_ld(html: str) -> dict:
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    return json.loads(block)


def test_the_product_page_shows_everything_a_buyer_needs(client, bag):
    response = client.get(f"/produk/{bag.slug}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Tas Anyaman &lt;Plastik&gt;" in html
    assert "Rp 75.000" in html and "/ pcs" in html
    assert "4 pcs" in html  # stock
    assert "Handmade" in html  # the tag, in the reader's language
    assert "Anyaman Bu Sri" in html and "Kanigoro" in html and "menganyam plastik bekas" in html
    assert "Crafts from recycled materials" in html  # programme badge
    assert "NIB 1234567890123" in html and "ID35110000123" in html
    assert "P-IRT" not in html
    assert html.count("<figure>") == 2
    assert 'action="/pesanan/keranjang/tambah"' in html


def test_the_whatsapp_button_names_the_product_and_links_to_it(client, bag):
    html = client.get(f"/produk/{bag.slug}").get_data(as_text=True)
    link = html_lib.unescape(re.search(r'href="(https://wa\.me/[^"]+)"', html).group(1))
    parts = urlsplit(link)
    assert parts.path == "/6281234567890"
    message = parse_qs(parts.query)["text"][0]
    assert "Tas Anyaman <Plastik>" in message
    assert f"/produk/{bag.slug}" in message


def test_shared_links_get_a_preview_with_the_cover_photo(app, client, bag):
    html = client.get(f"/produk/{bag.slug}").get_data(as_text=True)
    site = app.config["SITE_URL"]
    og_image = re.search(r'<meta property="og:image" content="([^"]+)"', html).group(1)
    assert og_image.startswith(site + "/media/") and og_image.endswith(".webp")
    assert f'<meta property="og:url" content="{site}/produk/{bag.slug}">' in html
    assert f'<link rel="canonical" href="{site}/produk/{bag.slug}">' in html
    assert 'name="twitter:card" content="summary_large_image"' in html
    assert "<title>Tas Anyaman &lt;Plastik&gt; · Anyaman Bu Sri" in html


def test_structured_data_describes_the_product_and_cannot_break_out_of_its_script(client, session, bag):
    bag.name = "Tas </script><script>alert(1)</script>"
    session.commit()
    html = client.get(f"/produk/{bag.slug}").get_data(as_text=True)
    assert "<script>alert(1)" not in html
    data = json_ld(html)
    assert data["@type"] == "Product"
    assert data["name"] == "Tas </script><script>alert(1)</script>"
    assert data["offers"]["price"] == 75_000 and data["offers"]["priceCurrency"] == "IDR"
    assert data["offers"]["availability"] == "https://schema.org/InStock"
    assert len(data["image"]) == 2


def test_reviews_show_with_their_average(client, session, bag):
    order = factories.place_order(session, [(bag, 1)], payment="transfer")
    line = session.query(OrderLine).filter_by(product_id=bag.id).one()
    session.query(SellerOrder).filter_by(order_id=order.id).one().status = PartStatus.COMPLETED
    session.add(Review(order_line_id=line.id, product_id=bag.id, author_name="Rina", rating=4, body="Kuat sekali"))
    session.commit()
    html = client.get(f"/produk/{bag.slug}").get_data(as_text=True)
    assert "Kuat sekali" in html and "Rina" in html
    assert json_ld(html)["aggregateRating"] == {"@type": "AggregateRating", "ratingValue": 4.0, "reviewCount": 1}


def test_the_product_page_reads_photos_in_their_order_and_tags_by_name(session, bag):
    first, second = sorted(bag.images, key=lambda link: link.position)
    first.position, second.position = 1, 0          # the producer made the second photo the cover
    bag.tags.append(factories.make_tag(session, slug="anyaman", name_id="Anyaman", name_en="Woven", commit=False))
    session.commit()

    product, reviews = catalog.product_page(session, bag.slug)

    assert [photo.key for photo in product.photos] == [second.image.key, first.image.key]
    assert product.cover == product.photos[0]
    assert (product.cover.widths, product.cover.height_for(320)) == ([320, 640], 240)
    assert [tag.slug for tag in product.tags] == ["anyaman", "buatan-tangan"]
    assert [tag.name("en") for tag in product.tags] == ["Woven", "Handmade"]
    assert (product.category.slug, product.category.name("id")) == ("kerajinan", "Kerajinan")
    assert (product.seller.id, product.seller.shop_name, product.seller.status) == (
        bag.seller.id, "Anyaman Bu Sri", SellerStatus.APPROVED)
    assert (product.price, product.stock, product.status) == (75_000, 4, ProductStatus.PUBLISHED)
    assert (reviews.count, reviews.average, reviews.reviews) == (0, None, [])


def test_the_product_page_reads_a_product_without_photos_tags_or_category(session):
    plain = factories.make_product(session, name="Beras Organik")
    product, _ = catalog.product_page(session, plain.slug)
    assert (product.photos, product.cover, product.tags, product.category) == ((), None, (), None)
    assert catalog.product_page(session, "tidak-ada") is None


def test_the_producer_box_names_each_training_once_first_completed_first(session, bag):
    seller = bag.seller
    farming = factories.make_training(session, cohort_name="Angkatan 2024", start=date(2024, 5, 1), end=date(2024, 5, 14))
    factories.enrol(session, seller, farming)
    crafts_again = factories.make_training(session, slug="kerajinan-daur-ulang", cohort_name="Angkatan 2025 II",
                                           start=date(2025, 8, 1), end=date(2025, 8, 14))
    factories.enrol(session, seller, crafts_again)

    box = catalog.producer_box(session, seller.id)

    assert catalog.distinct_names(box.training_types, "en") == ["Organic farming", "Crafts from recycled materials"]
    assert (box.shop_name, box.kecamatan_code, box.nib, box.halal, box.pirt) == (
        "Anyaman Bu Sri", "35.05.10", "1234567890123", "ID35110000123", None)
    assert box.photo is None
    seller.photo = bag.images[0].image
    session.commit()
    assert catalog.producer_box(session, seller.id).photo.key == bag.images[0].image.key
    assert catalog.producer_box(session, seller.id + 1000) is None


def test_related_products_come_from_the_same_category(client, session, bag):
    factories.make_product(session, category=bag.category, name="Dompet Anyaman")
    factories.make_product(session, name="Beras Organik")
    html = client.get(f"/produk/{bag.slug}").get_data(as_text=True)
    related = html.split("You may also like")[1] if "You may also like" in html else html.split("Anda mungkin")[1]
    assert "Dompet Anyaman" in related and "Beras Organik" not in related


def test_a_product_without_category_relates_to_its_producers_other_products(client, session, bag):
    loose = factories.make_product(session, seller=bag.seller, name="Gantungan Kunci")
    factories.make_product(session, seller=bag.seller, name="Dompet Kecil", stock=0)
    factories.make_product(session, name="Beras Organik")
    html = client.get(f"/produk/{loose.slug}").get_data(as_text=True)
    related = html.split('id="related-heading"')[1]
    assert "Tas Anyaman" in related
    assert "Gantungan Kunci" not in related and "Dompet Kecil" not in related and "Beras Organik" not in related


@pytest.mark.parametrize("change", ["draft", "archived", "suspended", "pending"])
def test_products_not_for_sale_are_not_found(client, session, bag, change):
    if change in ("draft", "archived"):
        bag.status = ProductStatus(change)
    else:
        bag.seller.status = SellerStatus(change)
    session.commit()
    response = client.get(f"/produk/{bag.slug}")
    assert response.status_code == 404
    assert "Tas Anyaman" not in response.get_data(as_text=True)


def test_producers_preview_their_own_drafts_but_not_others(app, session, bag):
    bag.status = ProductStatus.DRAFT
    session.commit()
    owner = app.test_client()
    login(owner, bag.seller.user)
    response = owner.get(f"/produk/{bag.slug}")
    assert response.status_code == 200
    assert 'content="noindex"' in response.get_data(as_text=True)

    stranger = app.test_client()
    login(stranger, factories.make_seller(session, shop_name="Toko Lain").user)
    assert stranger.get(f"/produk/{bag.slug}").status_code == 404


def test_an_unknown_product_is_not_found(client):
    assert client.get("/produk/tidak-ada").status_code == 404


def test_the_product_page_runs_a_fixed_number_of_queries(client, session, bag):
    add_batik(session, 2)
    factories.add_product_image(session, factories.make_product(session, category=bag.category, name="Tas kecil"))
    page = f"/produk/{bag.slug}"
    with count_queries() as few:
        assert client.get(page).status_code == 200
    for n in range(4):
        product = factories.make_product(session, category=bag.category, name=f"Tas {n}")
        factories.add_product_image(session, product)
        factories.add_product_image(session, bag)
    with count_queries() as many:
        assert client.get(page).status_code == 200
    # The product (photos and tags apart on SQLite), related cards, the producer box and its training.
    assert len(many) == len(few) <= (6 if session.get_bind().dialect.name == "postgresql" else 8), "\n".join(many)


def test_the_producer_page_runs_a_fixed_number_of_queries(client, session, bag):
    with count_queries() as few:
        assert client.get(f"/toko/{bag.seller.slug}").status_code == 200
    for n in range(6):
        factories.add_product_image(session, factories.make_product(session, seller=bag.seller, name=f"Tas {n}"))
    with count_queries() as many:
        assert client.get(f"/toko/{bag.seller.slug}").status_code == 200
    assert len(many) == len(few) <= 8, "\n".join(many)


def test_the_producer_page_tells_the_story_and_lists_products(app, client, session, bag):
    response = client.get(f"/toko/{bag.seller.slug}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<h1>Anyaman Bu Sri</h1>" in html
    assert "menganyam plastik bekas" in html and "Kanigoro" in html and "Kabupaten Blitar" in html
    assert "Crafts from recycled materials" in html
    assert "Tas Anyaman &lt;Plastik&gt;" in html
    assert "https://wa.me/6281234567890?text=" in html
    assert f'<link rel="canonical" href="{app.config["SITE_URL"]}/toko/{bag.seller.slug}">' in html


def test_a_producer_not_approved_is_not_found(client, session, bag):
    bag.seller.status = SellerStatus.SUSPENDED
    session.commit()
    assert client.get(f"/toko/{bag.seller.slug}").status_code == 404
    assert client.get("/toko/tidak-ada").status_code == 404


def test_the_producer_page_pages_through_products(app, client, session, bag):
    for n in range(3):
        factories.make_product(session, seller=bag.seller, name=f"Dompet {n}")
    app.config["PER_PAGE"] = 2
    try:
        assert client.get(f"/toko/{bag.seller.slug}?page=2").status_code == 200
        assert client.get(f"/toko/{bag.seller.slug}?page=99").status_code == 302
        assert client.get(f"/toko/{bag.seller.slug}?page=-1").status_code == 400
    finally:
        app.config["PER_PAGE"] = 24


def test_product_pages_speak_english_too(client, bag):
    with client.session_transaction() as flask_session:
        flask_session["lang"] = "en"
    html = client.get(f"/produk/{bag.slug}").get_data(as_text=True)
    assert "Chat on WhatsApp" in html and "Crafts from recycled materials" in html
