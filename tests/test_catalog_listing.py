"""Listing pages: all products, categories and search results with filters, sorting and paging."""
from __future__ import annotations

import re
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from marketplace.extensions import db
from marketplace.models import Category, Product, ProductStatus, SellerStatus
from marketplace.services import catalog, search
from tests import factories

@pytest.fixture
def client(app):
    """An anonymous visitor reading English, so the assertions read the English msgids."""
    visitor = app.test_client()
    with visitor.session_transaction() as flask_session:
        flask_session["lang"] = "en"
    return visitor



@contextmanager
def count_queries():
    """Count the SQL statements the app sends while the block runs."""
    statements: list[str] = []

    def listener(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)


def names(response) -> list[str]:
    return re.findall(r'<span class="name">([^<]+)</span>', response.get_data(as_text=True))


@pytest.fixture
def shop(session):
    crafts = factories.make_category(session, name_id="Kerajinan", name_en="Crafts", slug="kerajinan")
    bags = factories.make_category(session, name_id="Tas", name_en="Bags", slug="tas", parent=crafts)
    food = factories.make_category(session, name_id="Makanan", name_en="Food", slug="makanan")
    organik = factories.make_tag(session, slug="organik", name_id="Organik", name_en="Organic")
    tangan = factories.make_tag(session, slug="buatan-tangan", name_id="Buatan tangan", name_en="Handmade")
    kanigoro = factories.make_seller(session, shop_name="Bu Sri", kecamatan_code="35.05.10")
    garum = factories.make_seller(session, shop_name="Pak Tani", kecamatan_code="35.05.11")
    factories.make_product(session, seller=kanigoro, category=bags, name="Tas Anyaman", price=75_000, tags=[tangan])
    factories.make_product(session, seller=kanigoro, category=crafts, name="Vas Bunga Daur Ulang", price=40_000,
                           stock=0, tags=[tangan])
    factories.make_product(session, seller=garum, category=food, name="Beras Organik", price=20_000,
                           tags=[organik])
    factories.make_product(session, seller=garum, category=food, name="Keripik Singkong", price=12_000,
                           tags=[organik, tangan])
    return {"crafts": crafts, "food": food, "garum": garum}


def test_all_products_lists_public_products_newest_first(client, session, shop):
    factories.make_product(session, name="Draf Rahasia", status=ProductStatus.DRAFT)
    factories.make_product(session, name="Toko Ditangguhkan",
                           seller=factories.make_seller(session, status=SellerStatus.SUSPENDED))
    response = client.get("/produk")
    assert response.status_code == 200
    assert names(response) == ["Keripik Singkong", "Beras Organik", "Vas Bunga Daur Ulang", "Tas Anyaman"]


def test_a_category_page_includes_its_subcategories(client, shop):
    response = client.get("/kategori/kerajinan")
    assert response.status_code == 200
    assert set(names(response)) == {"Tas Anyaman", "Vas Bunga Daur Ulang"}
    assert names(client.get("/kategori/tas")) == ["Tas Anyaman"]


def test_an_unknown_category_page_is_not_found(client, shop):
    assert client.get("/kategori/tidak-ada").status_code == 404


@pytest.mark.parametrize("query, expected", [
    ("category=makanan", {"Beras Organik", "Keripik Singkong"}),
    ("kecamatan=35.05.11", {"Beras Organik", "Keripik Singkong"}),
    ("tag=organik", {"Beras Organik", "Keripik Singkong"}),
    ("tag=organik&tag=buatan-tangan", {"Keripik Singkong"}),
    ("price_min=15.000&price_max=50000", {"Beras Organik", "Vas Bunga Daur Ulang"}),
    ("price_max=Rp+20.000", {"Beras Organik", "Keripik Singkong"}),
    ("in_stock=y&tag=buatan-tangan", {"Tas Anyaman", "Keripik Singkong"}),
    ("q=keripik&category=makanan&in_stock=y", {"Keripik Singkong"}),
    ("category=kerajinan&kecamatan=35.05.11", set()),
])
def test_filters_combine(client, shop, query, expected):
    response = client.get(f"/produk?{query}")
    assert response.status_code == 200
    assert set(names(response)) == expected


@pytest.mark.parametrize("sort, expected", [
    ("price_asc", ["Keripik Singkong", "Beras Organik", "Vas Bunga Daur Ulang", "Tas Anyaman"]),
    ("price_desc", ["Tas Anyaman", "Vas Bunga Daur Ulang", "Beras Organik", "Keripik Singkong"]),
    ("newest", ["Keripik Singkong", "Beras Organik", "Vas Bunga Daur Ulang", "Tas Anyaman"]),
])
def test_sorting(client, shop, sort, expected):
    assert names(client.get(f"/produk?sort={sort}")) == expected


def test_most_sold_sorts_by_the_sales_count(client, session, shop):
    beras = session.query(Product).filter_by(name="Beras Organik").one()
    beras.sold_count = 12
    session.commit()
    assert names(client.get("/produk?sort=popular"))[0] == "Beras Organik"


def test_search_results_are_ranked_by_relevance(client, shop):
    response = client.get("/cari?q=organik")
    assert response.status_code == 200
    assert names(response) == ["Beras Organik", "Keripik Singkong"]
    assert 'name="robots" content="noindex' in response.get_data(as_text=True)


def test_pagination_keeps_the_filters_in_the_links(app, client, session, shop):
    app.config["PER_PAGE"] = 1
    try:
        response = client.get("/produk?tag=buatan-tangan&sort=price_asc")
        html = response.get_data(as_text=True)
        assert names(response) == ["Keripik Singkong"]
        next_link = re.search(r'<a class="button" rel="next" href="([^"]+)"', html).group(1).replace("&amp;", "&")
        assert "tag=buatan-tangan" in next_link and "sort=price_asc" in next_link and "page=2" in next_link
        assert names(client.get(next_link)) == ["Vas Bunga Daur Ulang"]
    finally:
        app.config["PER_PAGE"] = 24


def test_a_page_past_the_end_sends_the_reader_to_the_last_page(app, client, shop):
    app.config["PER_PAGE"] = 3
    try:
        response = client.get("/produk?page=999999&sort=price_asc")
        assert response.status_code == 302
        assert "page=2" in response.headers["Location"] and "sort=price_asc" in response.headers["Location"]
    finally:
        app.config["PER_PAGE"] = 24


@pytest.mark.parametrize("query", ["page=-1", "page=abc", "page=0", "page=1.5"])
def test_a_malformed_page_number_shows_the_first_page_with_a_message(client, shop, query):
    response = client.get(f"/produk?{query}")
    assert response.status_code == 400
    assert len(names(response)) == 4
    assert "showing the first page" in response.get_data(as_text=True)


@pytest.mark.parametrize("query, message", [
    ("price_min=abc", "whole rupiah"),
    ("price_min=-5", "whole rupiah"),
    ("price_min=50000&price_max=10000", "must not be lower"),
    ("category=tidak-ada", "category does not exist"),
    ("kecamatan=99.99.99", "kecamatan from the list"),
    ("tag=palsu", "labels from the list"),
    ("sort=hacker", "sort order"),
    ("q=" + "x" * 2000, "at most 200 characters"),
])
def test_bad_filter_values_are_reported_and_ignored(client, shop, query, message):
    response = client.get(f"/produk?{query}")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html
    assert 'name="robots" content="noindex' in html


def test_bad_values_leave_the_good_filters_working(client, shop):
    response = client.get("/produk?price_min=abc&category=makanan")
    assert response.status_code == 400
    assert set(names(response)) == {"Beras Organik", "Keripik Singkong"}


@pytest.mark.parametrize("q", ['"', "tas*", "NEAR(tas anyaman)", "tas OR vas", "-tas", "' OR 1=1 --",
                               "🧺", "x" * 2000, "   "])
def test_hostile_searches_give_a_page_never_an_error(client, shop, q):
    response = client.get("/cari", query_string={"q": q})
    assert response.status_code in (200, 400)
    assert "<h1>" in response.get_data(as_text=True)


def test_an_empty_result_suggests_what_to_do(client, shop):
    response = client.get("/cari?q=zzzz&category=makanan")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert names(response) == []
    assert "No products match" in html
    assert "Remove the filters" in html
    assert 'href="/kategori/kerajinan"' in html


def test_an_empty_search_lists_everything(client, shop):
    response = client.get("/cari?q=")
    assert response.status_code == 200
    assert len(names(response)) == 4


def test_listings_are_in_indonesian_and_english(app, client, shop):
    indonesian = app.test_client()
    assert indonesian.get("/produk?category=makanan").status_code == 200
    with client.session_transaction() as flask_session:
        flask_session["lang"] = "en"
    html = client.get("/produk?category=makanan").get_data(as_text=True)
    assert "All products" in html and "Food" in html


def add_batik(session, count: int, prefix: str = "Batik Tulis") -> None:
    """`count` public batik products, each from its own producer, with a photo and a label."""
    category = session.query(Category).filter_by(slug="batik").one_or_none() or factories.make_category(
        session, name_id="Batik", name_en="Batik", slug="batik")
    tag = session.query(factories.Tag).filter_by(slug="daur-ulang").one_or_none() or factories.make_tag(
        session, slug="daur-ulang", name_id="Daur ulang", name_en="Recycled")
    for n in range(count):
        seller = factories.make_seller(session, shop_name=f"{prefix} {n}", commit=False)
        product = factories.make_product(session, seller=seller, category=category, name=f"{prefix} {n}",
                                         tags=[tag], commit=False)
        session.flush()
        factories.add_product_image(session, product, width=100, height=100, commit=False)
    session.commit()


@pytest.mark.parametrize("url", [
    "/produk", "/kategori/batik", "/cari?q=batik", "/produk?tag=daur-ulang&price_max=100000&in_stock=y&sort=popular",
    "/cari?q=batik&kecamatan=35.05.10&sort=price_desc",
])
def test_listing_pages_run_a_fixed_small_number_of_queries(client, session, url):
    add_batik(session, 3)
    with count_queries() as few:
        assert client.get(url).status_code == 200
    add_batik(session, 15, prefix="Batik Cap")
    with count_queries() as many:
        assert client.get(url).status_code == 200
    assert len(names(client.get(url))) == 18
    assert len(many) == len(few) <= 8


def test_a_search_with_many_matches_says_more_than_and_pages_only_the_best(client, session, shop, monkeypatch):
    monkeypatch.setattr(search, "RANKED_CANDIDATES", 2)
    add_batik(session, 3)
    response = client.get("/cari?q=batik")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "More than 2 products" in html and "3 products" not in html
    assert names(response) == ["Batik Tulis 2", "Batik Tulis 1"]
    assert 'rel="next"' not in html
    later = client.get("/cari?q=batik&page=2")
    assert later.status_code == 302 and later.headers["Location"] == "/cari?q=batik"


def test_a_listing_counts_up_to_its_cap_and_pages_only_that_far(app, client, shop, monkeypatch):
    monkeypatch.setattr(catalog, "COUNT_CAP", 3)
    app.config["PER_PAGE"] = 2
    try:
        first = client.get("/produk?sort=price_asc")
        html = first.get_data(as_text=True)
        # Four public products: the page says "more than 3" and offers two pages of the cheapest three.
        assert "More than 3 products" in html and "4 products" not in html
        assert names(first) == ["Keripik Singkong", "Beras Organik"]
        assert names(client.get("/produk?sort=price_asc&page=2")) == ["Vas Bunga Daur Ulang"]
        assert "page=2" in client.get("/produk?sort=price_asc&page=3").headers["Location"]
        exact = client.get("/kategori/kerajinan").get_data(as_text=True)
        assert "2 products" in exact and "More than" not in exact
    finally:
        app.config["PER_PAGE"] = 24


def test_a_search_within_the_limit_shows_the_exact_number(client, session, shop, monkeypatch):
    monkeypatch.setattr(search, "RANKED_CANDIDATES", 2)
    html = client.get("/cari?q=organik").get_data(as_text=True)
    assert "2 products" in html and "More than" not in html


def test_the_lower_bound_is_grouped_as_the_reader_reads_numbers(app, client, session, shop, monkeypatch):
    product = session.query(Product).filter_by(name="Beras Organik").one()
    monkeypatch.setattr(catalog, "list_products", lambda *args, **kwargs: catalog.Page(
        [product], 2000, 1, 24, searched=True, capped=True))
    assert "More than 2,000 products" in client.get("/cari?q=organik").get_data(as_text=True)
    indonesian = app.test_client()
    with indonesian.session_transaction() as flask_session:
        flask_session["lang"] = "id"
    # The msgid stands in until the Indonesian catalogue has it; the number is already "2.000".
    html = indonesian.get("/cari?q=organik").get_data(as_text=True)
    assert "2.000" in re.search(r'<p class="meta" role="status">([^<]+)</p>', html).group(1)
