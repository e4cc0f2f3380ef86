"""Catalogue speed on a large market: category page, filtered page and searches, through the
Flask test client (server time: routing, queries and templates, no network).

Fills a temporary database with `flask seed-bench` (default 100,000 products from 1,000
producers), builds the search index with `flask search-reindex`, then prints p50/p95 of:
a category page, a filtered listing, 20 different searches, a product page; the same 20
searches done with a naive `LIKE '%term%'` query on the same data (as a ratio); and the
home page's weight at 360 px (HTML + CSS + JS + the images in the first screen).

Runs on SQLite, and also on PostgreSQL when BENCH_DATABASE_URL (a server URL) is set.
Options: --products=N --sellers=N --rounds=N (requests per search, default 5).
Targets: search p95 under 30 ms on both engines and at least 10x faster than LIKE;
home page under 250 KB.
"""
from __future__ import annotations

import argparse
import re
import tempfile
import time

from sqlalchemy import func, or_, select

from bench.common import bench_app, engines, percentile, scratch_database

# Whole words, words being typed, affixed forms, two-word searches, and one that finds nothing.
SEARCHES = (
    "tas", "batik", "keripik", "anyaman", "menganyam", "kera", "kerajinan", "bat", "madu", "kopi",
    "tas anyaman", "batik tulis", "daur ulang", "kain perca", "organik", "jamu", "gamis", "bunga hias",
    "plastik bekas", "zzzzzz",
)


def _ms(values: list[float]) -> str:
    return f"p50 {percentile(values, 50) * 1000:6.1f} ms  p95 {percentile(values, 95) * 1000:6.1f} ms"


def _timed_get(client, url: str, times: list[float]) -> bytes:
    started = time.perf_counter()
    response = client.get(url)
    data = response.get_data()
    times.append(time.perf_counter() - started)
    if response.status_code not in (200, 302):
        raise RuntimeError(f"{url} answered {response.status_code}")
    return data


def naive_like_page(session, text: str, per_page: int = 24) -> list[int]:
    """What search would cost without an index: every word as LIKE '%word%' on name and description."""
    from marketplace.models import Product, ProductStatus, SellerProfile, SellerStatus
    from marketplace.services import catalog

    statement = (
        select(Product.id, func.count().over().label("total"))
        .join(SellerProfile, SellerProfile.id == Product.seller_id)
        .where(Product.status == ProductStatus.PUBLISHED, SellerProfile.status == SellerStatus.APPROVED)
    )
    for word in text.lower().split():
        pattern = f"%{word}%"
        statement = statement.where(or_(func.lower(Product.name).like(pattern),
                                        func.lower(Product.description).like(pattern)))
    rows = session.execute(statement.order_by(Product.published_at.desc(), Product.id.desc()).limit(per_page)).all()
    return [p.id for p in catalog.load_products(session, [r.id for r in rows])]


def fts_page(session, text: str, per_page: int = 24) -> list[int]:
    from marketplace.services import catalog

    page = catalog.list_products(session, catalog.ListingFilters(q=text, sort="relevance"), 1, per_page)
    return [p.id for p in page.items]


def home_weight(client) -> dict[str, int]:
    """Bytes a 360 px phone fetches for the first screen of the home page.

    Images: those of the first row of product cards (two at 360 px) in the rendition a
    2x-density screen picks from srcset (sizes=50vw, so the smallest at least 360 px wide).
    """
    html = client.get("/").get_data(as_text=True)
    sizes = {"html": len(html.encode())}
    for kind, pattern in (("css", r'<link rel="stylesheet" href="([^"]+)"'), ("js", r'<script src="([^"]+)"')):
        sizes[kind] = sum(len(client.get(url).get_data()) for url in re.findall(pattern, html))
    images = 0
    for srcset in re.findall(r'srcset="([^"]+)"', html)[:2]:
        candidates = sorted((int(w[:-1]), url) for url, w in (c.strip().split(" ") for c in srcset.split(",")))
        chosen = next((url for width, url in candidates if width >= 360), candidates[-1][1])
        images += len(client.get(chosen).get_data())
    sizes["images"] = images
    sizes["total"] = sum(sizes.values())
    return sizes


def run_engine(engine: str, uri: str, media: str, options) -> None:
    from marketplace.extensions import db
    from marketplace.models import Category, Product, Tag
    from marketplace.services import catalog

    app = bench_app(uri, media)
    runner = app.test_cli_runner()
    started = time.perf_counter()
    result = runner.invoke(args=["seed-bench", "--sellers", str(options.sellers), "--products", str(options.products)],
                           catch_exceptions=False)
    if result.exit_code:
        raise RuntimeError(result.output)
    print(f"  seed-bench: {time.perf_counter() - started:.1f} s", flush=True)
    started = time.perf_counter()
    result = runner.invoke(args=["search-reindex"], catch_exceptions=False)
    print(f"  search-reindex: {result.output.strip()} in {time.perf_counter() - started:.1f} s", flush=True)

    client = app.test_client()
    with app.app_context():
        categories = list(db.session.scalars(select(Category.slug).where(Category.parent_id.is_(None))))
        tags = list(db.session.scalars(select(Tag.slug)))
        product_slugs = list(db.session.scalars(
            catalog.public_products_query().with_only_columns(Product.slug).order_by(Product.id).limit(50)))
        db.session.remove()

    for url in ("/", "/produk", f"/kategori/{categories[0]}", "/cari?q=tas"):  # warm caches
        client.get(url).get_data()

    rounds = options.rounds
    timings: dict[str, list[float]] = {"category": [], "filtered": [], "search": [], "product": []}
    for n in range(rounds * 4):
        slug = categories[n % len(categories)]
        _timed_get(client, f"/kategori/{slug}?page={1 + n % 3}", timings["category"])
        tag = tags[n % len(tags)]
        _timed_get(client, f"/produk?tag={tag}&price_min=20000&price_max=150000&in_stock=y&sort=price_asc"
                           f"&kecamatan=35.72.0{1 + n % 3}", timings["filtered"])
        _timed_get(client, f"/produk/{product_slugs[n % len(product_slugs)]}", timings["product"])
    per_search: dict[str, list[float]] = {q: [] for q in SEARCHES}
    for _ in range(rounds):
        for q in SEARCHES:
            _timed_get(client, f"/cari?q={q.replace(' ', '+')}", per_search[q])
            timings["search"].append(per_search[q][-1])

    print(f"  category page      {_ms(timings['category'])}", flush=True)
    print(f"  filtered page      {_ms(timings['filtered'])}", flush=True)
    print(f"  product page       {_ms(timings['product'])}", flush=True)
    print(f"  search page (x20)  {_ms(timings['search'])}", flush=True)
    slowest = max(per_search, key=lambda q: percentile(per_search[q], 50))
    print(f"    slowest search: {slowest!r} p50 {percentile(per_search[slowest], 50) * 1000:.1f} ms", flush=True)

    # The search query alone (ids, total and products) against a LIKE scan giving the same page shape.
    fts_times, like_times = [], []
    with app.app_context():
        for _ in range(max(1, rounds // 2)):
            for q in SEARCHES:
                started = time.perf_counter()
                fts_page(db.session, q)
                fts_times.append(time.perf_counter() - started)
                started = time.perf_counter()
                naive_like_page(db.session, q)
                like_times.append(time.perf_counter() - started)
                db.session.expunge_all()
        db.session.remove()
    print(f"  search query, index {_ms(fts_times)}", flush=True)
    print(f"  search query, LIKE  {_ms(like_times)}", flush=True)
    print(f"  LIKE / index: p50 x{percentile(like_times, 50) / percentile(fts_times, 50):.1f}, "
          f"p95 x{percentile(like_times, 95) / percentile(fts_times, 95):.1f}", flush=True)

    weight = home_weight(client)
    print(f"  home page at 360 px: {weight['total'] / 1024:.1f} KB (HTML {weight['html'] / 1024:.1f}, "
          f"CSS {weight['css'] / 1024:.1f}, JS {weight['js'] / 1024:.1f}, images {weight['images'] / 1024:.1f} KB)",
          flush=True)
    target = percentile(timings["search"], 95) * 1000
    print(f"  search p95 target 30 ms: {'met' if target < 30 else 'MISSED'} ({target:.1f} ms)", flush=True)
    with app.app_context():
        db.engine.dispose()


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="bench_catalog")
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--sellers", type=int, default=1_000)
    parser.add_argument("--rounds", type=int, default=5)
    options, _ = parser.parse_known_args(argv)
    for engine in engines():
        print(f"catalog on {engine}: {options.products} products, {options.sellers} sellers", flush=True)
        with scratch_database(engine) as uri, tempfile.TemporaryDirectory(prefix="plb-bench-media-") as media:
            run_engine(engine, uri, media, options)
