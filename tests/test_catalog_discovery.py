"""Home page, sitemap, robots.txt and the product feeds for other platforms."""
from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET

import pytest

from marketplace.models import ProductStatus, SellerStatus
from tests import factories
from tests.test_catalog_listing import count_queries

SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
G = "{http://base.google.com/ns/1.0}"

@pytest.fixture
def client(app):
    """An anonymous visitor reading English, so the assertions read the English msgids."""
    visitor = app.test_client()
    with visitor.session_transaction() as flask_session:
        flask_session["lang"] = "en"
    return visitor



@pytest.fixture
def catalogue(session):
    food = factories.make_category(session, name_id="Makanan", name_en="Food", slug="makanan")
    seller = factories.make_seller(session, shop_name="Tani Garum", kecamatan_code="35.05.11")
    seller.story = "Petani organik dari Garum."
    keripik = factories.make_product(session, seller=seller, category=food, name="Keripik & Pisang", price=12_000,
                                     stock=5, weight_grams=250)
    factories.add_product_image(session, keripik)
    factories.add_product_image(session, keripik, color=(1, 2, 3))
    habis = factories.make_product(session, seller=seller, name="Madu Habis", stock=0)
    factories.add_product_image(session, habis)
    factories.make_product(session, seller=seller, name="Tanpa Foto", stock=3)
    draft = factories.make_product(session, seller=seller, name="Draf", status=ProductStatus.DRAFT)
    factories.add_product_image(session, draft)
    hidden = factories.make_seller(session, shop_name="Toko Tertunda", status=SellerStatus.PENDING)
    factories.add_product_image(session, factories.make_product(session, seller=hidden, name="Tertunda"))
    return {"keripik": keripik, "seller": seller, "hidden": hidden}


def test_the_home_page_shows_products_categories_producers_and_the_programme(client, catalogue):
    response = client.get("/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Keripik &amp; Pisang" in html
    assert 'href="/kategori/makanan"' in html
    assert f'href="/toko/{catalogue["seller"].slug}"' in html and "Petani organik dari Garum." in html
    assert "Garum" in html
    assert "Toko Tertunda" not in html and "Tertunda" not in html
    assert 'id="programme"' in html
    assert 'action="/cari"' in html


def test_the_home_page_lists_popular_products_once_something_sold(client, session, catalogue):
    assert "popular-products" not in client.get("/").get_data(as_text=True)
    catalogue["keripik"].sold_count = 3
    session.commit()
    assert "popular-products" in client.get("/").get_data(as_text=True)


def test_the_home_page_runs_a_fixed_number_of_queries(client, session, catalogue):
    with count_queries() as few:
        client.get("/")
    for n in range(10):
        factories.add_product_image(session, factories.make_product(session, name=f"Produk {n}"))
    with count_queries() as many:
        client.get("/")
    assert len(many) == len(few) <= 8


def test_the_sitemap_lists_public_products_and_producers(app, client, catalogue):
    site = app.config["SITE_URL"]
    index = ET.fromstring(client.get("/sitemap.xml").data)
    parts = [loc.text for loc in index.findall("s:sitemap/s:loc", SITEMAP_NS)]
    assert parts == [f"{site}/sitemap-halaman.xml", f"{site}/sitemap-produk-1.xml"]

    pages = ET.fromstring(client.get("/sitemap-halaman.xml").data)
    locations = {loc.text for loc in pages.findall("s:url/s:loc", SITEMAP_NS)}
    assert f"{site}/toko/{catalogue['seller'].slug}" in locations
    assert f"{site}/toko/{catalogue['hidden'].slug}" not in locations
    assert f"{site}/kategori/makanan" in locations

    products = ET.fromstring(client.get("/sitemap-produk-1.xml").data)
    locations = {loc.text for loc in products.findall("s:url/s:loc", SITEMAP_NS)}
    assert f"{site}/produk/{catalogue['keripik'].slug}" in locations
    assert len(locations) == 3  # keripik, madu habis, tanpa foto; never drafts or pending shops


def test_sitemap_parts_past_the_end_are_not_found(client, catalogue):
    assert client.get("/sitemap-produk-2.xml").status_code == 404
    assert client.get("/sitemap-produk-0.xml").status_code == 404


def test_robots_txt_points_to_the_sitemap_and_keeps_private_areas_out(app, client):
    text = client.get("/robots.txt").get_data(as_text=True)
    assert f"Sitemap: {app.config['SITE_URL']}/sitemap.xml" in text
    assert "Disallow: /akun/" in text and "Disallow: /petugas/" in text


def test_the_google_merchant_feed_lists_public_in_stock_products_with_photos(app, client, catalogue):
    response = client.get("/feed/google-merchant.xml")
    assert response.status_code == 200
    root = ET.fromstring(response.data)
    assert root.tag == "rss" and root.get("version") == "2.0"
    items = root.findall("channel/item")
    assert len(items) == 1
    item = items[0]
    site = app.config["SITE_URL"]
    assert item.find(f"{G}id").text == str(catalogue["keripik"].id)
    assert item.find(f"{G}title").text == "Keripik & Pisang"
    assert item.find(f"{G}price").text == "12000 IDR"
    assert item.find(f"{G}availability").text == "in_stock"
    assert item.find(f"{G}link").text == f"{site}/produk/{catalogue['keripik'].slug}"
    assert item.find(f"{G}image_link").text.startswith(f"{site}/media/")
    assert len(item.findall(f"{G}additional_image_link")) == 1
    assert item.find(f"{G}brand").text == "Tani Garum"
    assert item.find(f"{G}shipping_weight").text == "250 g"


def test_the_feed_survives_characters_xml_forbids(client, session, catalogue):
    catalogue["keripik"].description = "Renyah\x0b dan \x01gurih <b>"
    session.commit()
    item = ET.fromstring(client.get("/feed/google-merchant.xml").data).find("channel/item")
    assert item.find(f"{G}description").text == "Renyah dan gurih <b>"


def test_the_csv_feed_is_for_officers_only(client, buyer_client, seller_client):
    assert client.get("/feed/produk.csv").status_code == 302  # to the login page
    assert buyer_client.get("/feed/produk.csv").status_code == 403
    assert seller_client.get("/feed/produk.csv").status_code == 403


def test_officers_download_the_bulk_upload_csv(app, officer_client, session, catalogue):
    catalogue["keripik"].name = "=HYPERLINK(\"http://jahat\")"
    session.commit()
    response = officer_client.get("/feed/produk.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert len(rows) == 1
    row = rows[0]
    assert row["Nama Produk"].startswith("'=")  # a formula would run in a spreadsheet
    assert row["Harga (Rp)"] == "12000" and row["Stok"] == "5" and row["Berat (gram)"] == "250"
    assert row["Kategori"] == "Makanan" and row["Kecamatan"] == "Garum"
    assert row["Foto Produk 1"].startswith(app.config["SITE_URL"] + "/media/")
    assert row["Foto Produk 2"].startswith(app.config["SITE_URL"] + "/media/")
    assert row["Foto Produk 3"] == ""
