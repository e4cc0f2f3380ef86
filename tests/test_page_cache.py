"""The page cache for anonymous visitors: served without a query, never stale, never personal.

The suite runs with the cache off (PAGE_CACHE_SECONDS=0); the `page_cache` fixture turns it on
for one test with a fresh in-process store, and the Redis tests use database 15 of the Redis on
this machine (skipped when there is none).
"""
from __future__ import annotations

import re
import time
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import update

from marketplace import page_cache as page_cache_module
from marketplace.models import AuditLog, Base, Product, ProductStatus
from marketplace.page_cache import CATALOG_TABLES, HEADER, LocalStore, RedisStore, attach_store
from marketplace.database import tables_written
from marketplace.services import orders, stock
from tests import factories
from tests.conftest import TEST_REDIS_URL as REDIS_URL
from tests.conftest import login
from tests.test_catalog_listing import count_queries

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def page_cache(app):
    """The cache on, in a fresh store of this process, for one test."""
    before = app.extensions["page_cache"]
    store = LocalStore()
    attach_store(app, store)
    app.config["PAGE_CACHE_SECONDS"] = 60
    yield store
    app.config["PAGE_CACHE_SECONDS"] = 0
    attach_store(app, before)


@pytest.fixture
def bag(session):
    crafts = factories.make_category(session, name_id="Kerajinan", name_en="Crafts", slug="kerajinan")
    seller = factories.make_seller(session, shop_name="Anyaman Bu Sri")
    factories.set_delivery(session, seller)
    cohort = factories.make_training(session)
    factories.enrol(session, seller, cohort)
    tag = factories.make_tag(session)
    product = factories.make_product(session, seller=seller, category=crafts, name="Tas Anyaman", price=75_000,
                                     stock=4, tags=[tag])
    factories.add_product_image(session, product)
    return product


def visit(client, url: str):
    """GET `url`; (response, the SQL statements it ran)."""
    with count_queries() as statements:
        response = client.get(url)
    return response, statements


def without_tokens(html: str) -> str:
    return TOKEN.sub('name="csrf_token" value=""', html)


def test_a_second_anonymous_visit_is_served_without_a_query(app, page_cache, bag):
    first, first_queries = visit(app.test_client(), f"/produk/{bag.slug}")
    second, second_queries = visit(app.test_client(), f"/produk/{bag.slug}")

    assert (first.status_code, first.headers[HEADER]) == (200, "miss") and first_queries
    assert (second.status_code, second.headers[HEADER]) == (200, "hit") and second_queries == []
    assert without_tokens(second.get_data(as_text=True)) == without_tokens(first.get_data(as_text=True))
    assert second.headers["Content-Security-Policy"] == first.headers["Content-Security-Policy"]
    assert second.headers["X-Request-ID"] != first.headers["X-Request-ID"]


@pytest.mark.parametrize("url", ["/", "/produk", "/kategori/kerajinan?page=1", "/cari?q=anyaman",
                                 "/toko/{shop}", "/produk/{product}"])
def test_every_catalogue_page_is_kept(app, page_cache, bag, url):
    url = url.format(shop=bag.seller.slug, product=bag.slug)
    assert visit(app.test_client(), url)[0].headers[HEADER] == "miss"
    assert visit(app.test_client(), url)[0].headers[HEADER] == "hit"


def test_each_visitor_gets_a_token_of_their_own_that_works(app, page_cache, bag, csrf_enabled):
    app.test_client().get(f"/produk/{bag.slug}")
    visitor = app.test_client()

    page = visitor.get(f"/produk/{bag.slug}")
    token = TOKEN.search(page.get_data(as_text=True)).group(1)
    added = visitor.post("/pesanan/keranjang/tambah", data={"csrf_token": token, "product_id": bag.id,
                                                            "quantity": "1", "next": f"/produk/{bag.slug}"})

    assert page.headers[HEADER] == "hit"
    assert added.status_code in (302, 303)
    with visitor.session_transaction() as flask_session:
        assert flask_session["cart"] == {str(bag.id): {"q": 1, "p": 75_000}}


def test_a_price_change_by_the_producer_shows_at_once(app, page_cache, bag):
    seller_client = app.test_client()
    login(seller_client, bag.seller.user)
    app.test_client().get(f"/produk/{bag.slug}")

    seller_client.post(f"/penjual/produk/{bag.id}/cepat", data={
        f"p{bag.id}-price": "80000", f"p{bag.id}-stock": "4", f"p{bag.id}-stock_seen": "4"})
    page, queries = visit(app.test_client(), f"/produk/{bag.slug}")

    assert page.headers[HEADER] == "miss" and queries
    assert "Rp 80.000" in page.get_data(as_text=True)


def test_stock_taken_by_a_bulk_update_shows_at_once(app, page_cache, session, bag):
    app.test_client().get(f"/produk/{bag.slug}")
    assert 'max="4"' in visit(app.test_client(), f"/produk/{bag.slug}")[0].get_data(as_text=True)

    stock.reserve(session, bag.id, 3)
    session.commit()
    page = app.test_client().get(f"/produk/{bag.slug}")

    assert page.headers[HEADER] == "miss"
    assert 'max="1"' in page.get_data(as_text=True)


def test_an_order_refreshes_the_product_page_only_while_stock_is_left(app, page_cache, session, bag):
    listing_urls = ("/", "/produk", "/kategori/kerajinan", f"/toko/{bag.seller.slug}")
    for url in (*listing_urls, f"/produk/{bag.slug}"):
        app.test_client().get(url)

    factories.place_order(session, [(bag, 1)])

    page = app.test_client().get(f"/produk/{bag.slug}")
    assert page.headers[HEADER] == "miss" and 'max="3"' in page.get_data(as_text=True)
    for url in listing_urls:        # they show no stock level, only whether any is left
        assert visit(app.test_client(), url)[0].headers[HEADER] == "hit", url
        assert not visit(app.test_client(), url)[1], url


def test_the_last_unit_sold_or_given_back_refreshes_every_page_listing_the_product(app, page_cache, session, bag):
    app.test_client().get("/produk")

    order = factories.place_order(session, [(bag, 4)])
    listing = app.test_client().get("/produk")
    assert listing.headers[HEADER] == "miss" and "Stok habis" in listing.get_data(as_text=True)
    assert app.test_client().get("/produk").headers[HEADER] == "hit"

    orders.expire_orders(session, now=order.expires_at + timedelta(minutes=1))
    session.commit()

    listing = app.test_client().get("/produk")
    assert listing.headers[HEADER] == "miss" and "Stok habis" not in listing.get_data(as_text=True)


def test_stock_levels_are_recorded_apart_from_other_changes_to_products(session, bag):
    stock.reserve(session, bag.id, 1)
    assert tables_written(session) == {stock.STOCK_LEVELS}
    stock.release(session, bag.id, 1)
    assert tables_written(session) == {stock.STOCK_LEVELS}
    stock.reserve(session, bag.id, 4)
    assert tables_written(session) == {stock.STOCK_LEVELS, "products"}
    session.rollback()

    stock.release(session, bag.id, 2)       # from 4: no change of "any left"
    assert tables_written(session) == {stock.STOCK_LEVELS}
    session.execute(update(Product).where(Product.id == bag.id).values(stock=0))
    assert tables_written(session) == {stock.STOCK_LEVELS, "products"}
    session.rollback()


def test_a_rolled_back_change_or_other_tables_leave_the_pages_alone(app, page_cache, session, bag):
    version = page_cache.version()

    session.execute(update(Product).where(Product.id == bag.id).values(price=1))
    session.rollback()
    session.add(AuditLog(action="test.page_cache", subject_type="product", subject_id=bag.id))
    session.commit()

    assert page_cache.version() == version


def test_an_unpublished_product_disappears_at_once(app, page_cache, session, bag):
    app.test_client().get(f"/produk/{bag.slug}")
    bag.status = ProductStatus.ARCHIVED
    session.commit()

    assert app.test_client().get(f"/produk/{bag.slug}").status_code == 404


def test_personal_pages_are_never_kept_or_served(app, page_cache, session, bag, buyer):
    url = f"/produk/{bag.slug}"
    app.test_client().get(url)
    logged_in = app.test_client()
    login(logged_in, buyer)

    own, own_queries = visit(logged_in, url)

    assert HEADER not in own.headers and own_queries
    assert "Log out" in own.get_data(as_text=True) or "Keluar" in own.get_data(as_text=True)


def cart_link(response) -> str:
    return re.search(r'<a class="cart-link"[^>]*>.*?</a>', response.get_data(as_text=True)).group(0)


def test_a_guest_with_a_cart_is_served_kept_pages_with_their_own_count(app, page_cache, bag):
    url = f"/produk/{bag.slug}"
    with_cart = app.test_client()
    with_cart.post("/pesanan/keranjang/tambah", data={"product_id": bag.id, "quantity": "2", "next": url})
    with_cart.get(url)                                   # shows "added to the cart": never kept

    kept, queries = visit(with_cart, url)                # rendered for this guest, kept for everyone
    empty = app.test_client().get(url)
    again = with_cart.get(url)

    assert kept.headers[HEADER] == "miss" and queries
    assert '<span class="badge">2</span>' in cart_link(kept)
    assert empty.headers[HEADER] == "hit" and "badge" not in cart_link(empty)
    assert again.headers[HEADER] == "hit" and '<span class="badge">2</span>' in cart_link(again)
    assert cart_link(empty).replace("</a>", "") in cart_link(again)


def test_a_page_is_not_kept_when_a_visitor_part_cannot_be_told_apart(app, page_cache, bag, monkeypatch):
    # A part whose text appears elsewhere on the page too (here, the product's name): keeping the
    # page could put the placeholder in the wrong place, so it is served fresh every time instead.
    monkeypatch.setitem(page_cache_module._VISITOR_PARTS, "cart", lambda: "Tas Anyaman")
    first = app.test_client().get(f"/produk/{bag.slug}")
    second = app.test_client().get(f"/produk/{bag.slug}")

    assert first.headers[HEADER] == second.headers[HEADER] == "miss"
    assert "Tas Anyaman" in second.get_data(as_text=True)


def test_a_message_for_one_visitor_is_not_kept(app, page_cache, bag):
    visitor = app.test_client()
    with visitor.session_transaction() as flask_session:
        flask_session["_flashes"] = [("success", "Produk masuk keranjang.")]

    shown = visitor.get(f"/produk/{bag.slug}")
    other = app.test_client().get(f"/produk/{bag.slug}")

    assert "Produk masuk keranjang." in shown.get_data(as_text=True)
    assert other.headers[HEADER] == "miss"
    assert "Produk masuk keranjang." not in other.get_data(as_text=True)


def test_languages_and_hosts_are_kept_apart(app, page_cache, bag):
    url = f"/produk/{bag.slug}"
    app.test_client().get(url)
    english = app.test_client()
    with english.session_transaction() as flask_session:
        flask_session["lang"] = "en"

    in_english = english.get(url)
    other_host = app.test_client().get(url, base_url="https://pasar.example.id")

    assert in_english.headers[HEADER] == "miss" and "Add to cart" in in_english.get_data(as_text=True)
    assert english.get(url).headers[HEADER] == "hit"
    assert other_host.headers[HEADER] == "miss"


def test_errors_and_odd_requests_are_not_kept(app, page_cache, bag):
    long_query = "/produk?q=" + "a" * 600
    for url in ("/produk/tidak-ada", "/produk?price_min=abc&page=x", long_query):
        first = app.test_client().get(url)
        again, queries = visit(app.test_client(), url)
        assert again.headers.get(HEADER) != "hit" and queries, url
        assert first.status_code == again.status_code
    assert app.test_client().head(f"/produk/{bag.slug}").status_code == 200
    assert app.test_client().head(f"/produk/{bag.slug}").headers[HEADER] == "hit"


class CountingStore(LocalStore):
    def __init__(self):
        super().__init__()
        self.lookups = 0

    def lookup(self, key: str, with_stock: bool = False):
        self.lookups += 1
        return super().lookup(key, with_stock)


def test_other_pages_never_ask_the_store(app, page_cache, bag, buyer):
    store = CountingStore()
    attach_store(app, store)
    logged_in = app.test_client()
    login(logged_in, buyer)

    app.test_client().get("/akun/masuk")
    app.test_client().post("/pesanan/keranjang/tambah", data={"product_id": bag.id, "quantity": "1"})
    logged_in.get(f"/produk/{bag.slug}")

    assert store.lookups == 0
    app.test_client().get("/produk")
    assert store.lookups == 1


def related_section(html: str) -> str:
    return html.split('id="related-heading"')[1]


def test_products_of_a_category_share_their_related_cards_but_leave_themselves_out(app, page_cache, session, bag):
    wallet = factories.make_product(session, category=bag.category, name="Dompet Anyaman")
    basket = factories.make_product(session, category=bag.category, name="Keranjang Pandan")
    store = CountingStore()
    attach_store(app, store)

    first, first_queries = visit(app.test_client(), f"/produk/{bag.slug}")
    second, second_queries = visit(app.test_client(), f"/produk/{wallet.slug}")

    assert (first.headers[HEADER], second.headers[HEADER]) == ("miss", "miss")
    assert store.lookups == 2          # each page; the shared parts are kept in the process
    def asks_for_related(queries):
        return any(" LIMIT " in q.upper() and "products.stock > " in q.lower() for q in queries)

    assert asks_for_related(first_queries) and not asks_for_related(second_queries)
    assert len(second_queries) < len(first_queries)
    mine, other = related_section(first.get_data(as_text=True)), related_section(second.get_data(as_text=True))
    assert "Dompet Anyaman" in mine and "Keranjang Pandan" in mine and "Tas Anyaman" not in mine
    assert "Tas Anyaman" in other and "Keranjang Pandan" in other and "Dompet Anyaman" not in other


def test_related_cards_follow_changes_at_once(app, page_cache, session, bag):
    wallet = factories.make_product(session, category=bag.category, name="Dompet Anyaman")
    basket = factories.make_product(session, category=bag.category, name="Keranjang Pandan")
    assert "Keranjang Pandan" in related_section(app.test_client().get(f"/produk/{bag.slug}").get_data(as_text=True))

    basket.stock = 0
    wallet.price = 12_500
    session.commit()
    html = related_section(app.test_client().get(f"/produk/{wallet.slug}").get_data(as_text=True))
    assert "Keranjang Pandan" not in html and "Tas Anyaman" in html
    html = related_section(app.test_client().get(f"/produk/{bag.slug}").get_data(as_text=True))
    assert "Keranjang Pandan" not in html and "Rp 12.500" in html


def _tables_read(statements: list[str], names: set[str]) -> set[str]:
    found = set()
    for statement in statements:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            found |= {name for name in names if re.search(rf'\b(?:FROM|JOIN)\s+"?{name}\b', statement, re.I)}
    return found


def test_the_tables_watched_are_every_table_the_cached_pages_read(app, session, bag, buyer):
    order = factories.place_order(session, [(bag, 1)], buyer_user=buyer)
    assert order is not None
    names = {table.name for table in Base.metadata.sorted_tables} | {"search_fts"}
    read: set[str] = set()
    for url in ("/", "/produk?tag=organik&kecamatan=35.05.10&in_stock=1", "/kategori/kerajinan", "/cari?q=anyam",
                f"/toko/{bag.seller.slug}", f"/produk/{bag.slug}"):
        response, statements = visit(app.test_client(), url)
        assert response.status_code == 200, url
        read |= _tables_read(statements, names)

    assert {"products", "seller_profiles", "images"} <= read
    assert read <= CATALOG_TABLES, read - CATALOG_TABLES


# ---- shared by several app processes through Redis ---------------------------------------------

@pytest.fixture
def redis_cache(app, redis_db, page_cache):
    prefix = f"plb-test:{uuid.uuid4().hex}"
    attach_store(app, RedisStore(REDIS_URL, prefix))
    yield prefix
    for key in redis_db.scan_iter(f"{prefix}:*"):
        redis_db.delete(key)


def test_pages_and_changes_are_shared_through_redis(app, session, bag, redis_cache):
    app.test_client().get(f"/produk/{bag.slug}")
    # Another worker's store on the same Redis sees the kept page...
    other_worker = RedisStore(REDIS_URL, redis_cache)
    assert other_worker.version() == app.extensions["page_cache"].version()

    bag.price = 90_000
    session.commit()      # ... and this worker's commit moves the version for everyone.

    assert other_worker.version() == (1, 0)
    page = app.test_client().get(f"/produk/{bag.slug}")
    assert page.headers[HEADER] == "miss" and "Rp 90.000" in page.get_data(as_text=True)
    assert app.test_client().get(f"/produk/{bag.slug}").headers[HEADER] == "hit"


def test_pages_still_render_when_redis_is_down(app, page_cache, bag):
    attach_store(app, RedisStore("redis://127.0.0.1:1/0", "plb-test-down"))

    page = app.test_client().get(f"/produk/{bag.slug}")

    assert page.status_code == 200 and "Tas Anyaman" in page.get_data(as_text=True)
    assert HEADER not in page.headers


def test_a_page_kept_under_an_older_version_is_not_served_from_redis(redis_db, redis_cache):
    store = RedisStore(REDIS_URL, redis_cache)
    store.put((0,), "page", b"<p>old: prices of yesterday</p>", 60)
    assert store.lookup("page") == ((0,), b"<p>old: prices of yesterday</p>")

    store.bump()
    assert store.lookup("page") == ((1,), None)
    store.put((0,), "page", b"<p>rendered before the change, kept after it</p>", 60)
    assert store.lookup("page") == ((1,), None)
    store.put((1,), "page", b"<p>new: 1:2</p>", 60)       # a colon in the page is no separator
    assert store.lookup("page") == ((1,), b"<p>new: 1:2</p>")


class CountingRedisStore(RedisStore):
    """A worker's store that counts how often it asks Redis for a page."""

    def __init__(self, url: str, prefix: str):
        super().__init__(url, prefix)
        self.redis_reads = 0
        mget = self._redis.mget

        def counted(*keys):
            self.redis_reads += 1
            return mget(*keys)

        self._redis.mget = counted


def announced(check, seconds: float = 0.5) -> bool:
    """Whether `check()` becomes true once Redis's invalidation message has arrived (at once,
    in practice: Redis sends it with its answer to the change)."""
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.001)
    return True


def test_a_worker_serves_what_it_knows_without_asking_redis_until_any_worker_changes_the_catalogue(
        redis_db, redis_cache):
    worker, other_worker = CountingRedisStore(REDIS_URL, redis_cache), CountingRedisStore(REDIS_URL, redis_cache)
    assert worker.lookup("page") == ((0,), None)
    worker.put((0,), "page", b"<p>kept</p>", 60)

    assert worker.lookup("page") == ((0,), b"<p>kept</p>") and worker.redis_reads == 1
    assert other_worker.lookup("page") == ((0,), b"<p>kept</p>")       # from Redis, then from memory
    assert other_worker.lookup("page") == ((0,), b"<p>kept</p>") and other_worker.redis_reads == 1

    other_worker.bump()
    assert announced(lambda: worker.lookup("page") == ((1,), None))
    worker.put((1,), "page", b"<p>new</p>", 60)
    assert other_worker.lookup("page") == ((1,), b"<p>new</p>")
    reads = worker.redis_reads
    assert worker.lookup("page") == ((1,), b"<p>new</p>") and worker.redis_reads == reads


def test_a_change_of_stock_levels_leaves_each_worker_the_pages_that_do_not_show_them(redis_db, redis_cache):
    worker, other_worker = CountingRedisStore(REDIS_URL, redis_cache), RedisStore(REDIS_URL, redis_cache)
    worker.lookup("listing")
    worker.put((0,), "listing", b"<p>cards</p>", 60)
    worker.put((0, 0), "product", b"<p>4 left</p>", 60)
    assert worker.lookup("product", with_stock=True) == ((0, 0), b"<p>4 left</p>")
    reads = worker.redis_reads

    other_worker.bump(stock_only=True)
    assert announced(lambda: worker.lookup("product", with_stock=True) == ((0, 1), None))
    assert worker.lookup("listing") == ((0,), b"<p>cards</p>") and worker.redis_reads == reads + 1

    other_worker.bump()
    assert announced(lambda: worker.lookup("listing") == ((1,), None))
    assert worker.lookup("product", with_stock=True) == ((1, 1), None)


def test_a_version_read_while_another_thread_heard_of_a_change_is_not_trusted(redis_db, redis_cache):
    worker, other_worker = RedisStore(REDIS_URL, redis_cache), RedisStore(REDIS_URL, redis_cache)
    worker.lookup("page")                                   # watching from now on
    read, raced = worker._redis.mget, []

    def read_then_change(*keys):
        found = read(*keys)                                 # read before the change...
        if not raced:
            raced.append(True)
            forgotten = worker._forgotten
            other_worker.bump()                             # ... which another thread's request hears of
            assert announced(lambda: worker.lookup("elsewhere") and worker._forgotten > forgotten)
        return found

    worker._redis.mget = read_then_change
    assert worker.lookup("page") == ((0,), None)
    worker.put((0,), "page", b"<p>rendered from the old catalogue</p>", 60)

    assert worker.lookup("page") == ((1,), None)


def test_a_worker_that_loses_the_invalidation_messages_asks_redis_every_time(redis_db, redis_cache):
    worker, other_worker = CountingRedisStore(REDIS_URL, redis_cache), RedisStore(REDIS_URL, redis_cache)
    worker.lookup("page")
    worker.put((0,), "page", b"<p>kept</p>", 60)
    for client in redis_db.client_list():                 # as when Redis restarts
        if client.get("sub") == "1":
            redis_db.client_kill_filter(_id=client["id"])

    other_worker.bump()
    assert worker.lookup("page") == ((1,), None)
    reads = worker.redis_reads
    worker.put((1,), "page", b"<p>new</p>", 60)
    assert worker.lookup("page") == ((1,), b"<p>new</p>") and worker.redis_reads == reads + 1


def test_pages_remembered_before_redis_was_emptied_are_not_served_when_the_version_comes_round_again(
        redis_db, redis_cache):
    worker = CountingRedisStore(REDIS_URL, redis_cache)
    for key in ("home", "listing"):
        worker.lookup(key)
        worker.put((0,), key, b"<p>before</p>", 60)
    assert worker.lookup("listing") == ((0,), b"<p>before</p>")

    redis_db.flushdb()                                     # the version starts again from 0
    assert announced(lambda: worker.lookup("home") == ((0,), None))
    assert worker.lookup("listing") == ((0,), None)


def test_kept_pages_expire_in_every_worker_when_they_expire_in_redis(redis_db, redis_cache, monkeypatch):
    worker = CountingRedisStore(REDIS_URL, redis_cache)
    worker.lookup("page")
    worker.put((0,), "page", b"<p>kept</p>", 60)
    assert worker.lookup("page") == ((0,), b"<p>kept</p>")

    later = time.time() + 61
    monkeypatch.setattr(page_cache_module.time, "time", lambda: later)
    redis_db.delete(f"{redis_cache}:page:page")           # what Redis does after the 60 seconds
    assert worker.lookup("page") == ((0,), None)


def test_shared_parts_of_pages_cost_no_round_trip_to_redis_and_follow_changes(app, session, bag, redis_cache):
    wallet = factories.make_product(session, seller=bag.seller, category=bag.category, name="Dompet Anyaman")
    basket = factories.make_product(session, category=bag.category, name="Keranjang Pandan")
    store = CountingRedisStore(REDIS_URL, redis_cache)
    attach_store(app, store)

    app.test_client().get(f"/produk/{bag.slug}")
    second, second_queries = visit(app.test_client(), f"/produk/{wallet.slug}")
    assert second.headers[HEADER] == "miss" and store.redis_reads == 2      # the two pages only
    assert not any("FROM seller_cohorts" in query for query in second_queries)
    assert "Tas Anyaman" in related_section(second.get_data(as_text=True))
    assert app.test_client().get(f"/produk/{wallet.slug}").headers[HEADER] == "hit" and store.redis_reads == 2

    basket.name = "Keranjang Pandan Besar"
    session.commit()
    third = app.test_client().get(f"/produk/{wallet.slug}")

    assert third.headers[HEADER] == "miss" and store.redis_reads == 3
    assert "Keranjang Pandan Besar" in related_section(third.get_data(as_text=True))


def test_product_pages_of_a_producer_share_the_producer_box_and_follow_changes(app, page_cache, session, bag):
    wallet = factories.make_product(session, seller=bag.seller, category=bag.category, name="Dompet Anyaman")
    first = app.test_client().get(f"/produk/{bag.slug}").get_data(as_text=True)
    second, second_queries = visit(app.test_client(), f"/produk/{wallet.slug}")

    assert not any("FROM seller_cohorts" in query for query in second_queries)    # the box was kept
    box = first.split('class="card producer-box"')[1].split("</section>")[0]
    assert box in second.get_data(as_text=True) and "Anyaman Bu Sri" in box

    bag.seller.story = "Kami menganyam tas dari plastik bekas."
    session.commit()
    html = app.test_client().get(f"/produk/{wallet.slug}").get_data(as_text=True)
    assert "Kami menganyam tas dari plastik bekas." in html.split('class="card producer-box"')[1]
