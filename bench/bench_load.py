"""Load on a real server: gunicorn with 2 workers on PostgreSQL and 100,000 products, driven
over loopback by locust.

1. Fills a PostgreSQL scratch database with `flask seed-bench` (100,000 products) and its
   search index, and picks product, category and orderable-product samples.
2. Starts gunicorn (gunicorn.conf.py, 2 sync workers, production settings; see
   bench/load_server.py for the two loopback-only differences) on a free port.
   With the page cache of production (marketplace/page_cache.py) in the Redis on this machine,
   database 14, under a key prefix of its own; --no-page-cache measures without it.
3. Runs locust headless: the realistic mix (home, listing, search, product, add to cart,
   checkout by transfer; each simulated person waits 1-3 s between pages), then, each as fast
   as the server answers, listing pages, product pages as often as people look at them (a few
   much more than the rest, see bench/locustfile.py), product pages nobody asked for before
   (cache misses, for reference), and a static HTML page as large as a product page served by
   the same server (the ceiling).
Prints requests per second, p50/p95/p99 and errors per request type, the share of answers the
page cache gave, and the listing and product throughput as a share of the ceiling's.
Targets: zero errors, p95 under 200 ms in the mix, listing and product at least half the ceiling.
Options: --products=N --sellers=N --users=N (mix, default 40) --readers=N (throughput runs,
default 8) --seconds=N (per run, default 30) --no-page-cache.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

from sqlalchemy import select, text

from bench.bench_catalog import SEARCHES
from bench.common import bench_app, scratch_database
from tests.conftest import free_port

ROOT = Path(__file__).resolve().parent.parent
PAGE_CACHE_REDIS = "redis://127.0.0.1:6379/14"
BIN = Path(sys.executable).parent


def _options(argv: list[str]):
    parser = argparse.ArgumentParser(prog="bench_load")
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--sellers", type=int, default=1_000)
    parser.add_argument("--users", type=int, default=40)
    parser.add_argument("--readers", type=int, default=8)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--no-page-cache", dest="page_cache", action="store_false")
    return parser.parse_args(argv)


def _seed(uri: str, media: str, options, folder: Path) -> Path:
    """Seed the market and write the samples locust needs; return the ceiling page's path."""
    from marketplace.extensions import db
    from marketplace.models import Category, DeliverySettings, Product, ProductStatus
    from marketplace.services import catalog

    app = bench_app(uri, media)
    runner = app.test_cli_runner()
    started = time.perf_counter()
    for args in (["seed-bench", "--sellers", str(options.sellers), "--products", str(options.products)],
                 ["search-reindex"]):
        result = runner.invoke(args=args, catch_exceptions=False)
        if result.exit_code:
            raise RuntimeError(result.output)
    if uri.startswith("postgresql"):
        # What autovacuum would do in the first minutes after the bulk load, done now so that it
        # does not compete with the measurements.
        with app.app_context():
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text("VACUUM ANALYZE"))
    print(f"  seed-bench and search index: {time.perf_counter() - started:.1f} s", flush=True)

    rng = random.Random(7)
    with app.app_context():
        public = catalog.public_products_query()
        slugs = list(db.session.scalars(public.with_only_columns(Product.slug).order_by(Product.id)))
        orderable = db.session.execute(
            public.with_only_columns(Product.slug, Product.id)
            .join(DeliverySettings, DeliverySettings.seller_id == Product.seller_id)
            .where(Product.status == ProductStatus.PUBLISHED, Product.stock >= 20, DeliverySettings.offers_pickup)
            .order_by(Product.id).limit(2_000)
        ).all()
        categories = list(db.session.scalars(select(Category.slug)))
        db.session.remove()
    sample = rng.sample(slugs, min(10_000, len(slugs)))
    data = {"products": sample[:5_000], "unvisited": sample[5_000:], "categories": categories,
            "searches": list(SEARCHES), "orderable": [[slug, pid] for slug, pid in orderable]}
    (folder / "load-data.json").write_text(json.dumps(data), encoding="utf-8")

    # The ceiling: a product page's own bytes, saved as a static file.
    page = app.test_client().get(f"/produk/{data['products'][0]}").get_data()
    ceiling = folder / "ceiling.html"
    ceiling.write_bytes(page)
    print(f"  samples: {len(data['products'])} products, {len(orderable)} orderable, {len(categories)} categories; "
          f"product page {len(page):,} bytes", flush=True)
    return ceiling


def _page_cache_redis(wanted: bool) -> str:
    """The Redis URL the server's page cache uses, or "" to run without it."""
    if not wanted:
        print("  page cache: off (--no-page-cache)", flush=True)
        return ""
    import redis

    try:
        redis.Redis.from_url(PAGE_CACHE_REDIS).ping()
    except redis.RedisError:
        print(f"  page cache: off (no Redis at {PAGE_CACHE_REDIS})", flush=True)
        return ""
    print(f"  page cache: on, in {PAGE_CACHE_REDIS}", flush=True)
    return PAGE_CACHE_REDIS


def _start_gunicorn(uri: str, media: str, ceiling: Path, port: int, log: Path, redis_url: str) -> subprocess.Popen:
    env = {**os.environ, "MARKETPLACE_CONFIG": "production", "DATABASE_URL": uri, "SECRET_KEY": "bench-load-only",
           "MEDIA_ROOT": media, "BENCH_CEILING_FILE": str(ceiling), "HOST": "127.0.0.1", "PORT": str(port),
           "WEB_CONCURRENCY": "2", "LOG_LEVEL": "WARNING", "GUNICORN_LOG_LEVEL": "warning",
           "STRIPE_SECRET_KEY": "", "REDIS_URL": redis_url, "PAGE_CACHE_PREFIX": f"plb-bench:{uuid.uuid4().hex}",
           "MAIL_BACKEND": "memory"}
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"), "--access-logfile", "/dev/null",
         "bench.load_server:app"],
        cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as response:
                if response.status == 200:
                    return process
        except OSError:
            time.sleep(0.3)
    process.terminate()
    raise RuntimeError(f"gunicorn did not become ready; see {log}:\n{log.read_text()[-2000:]}")


def _locust(host: str, user_class: str, users: int, seconds: int, folder: Path, data: Path) -> list[dict]:
    prefix = folder / f"locust-{user_class}"
    counts = folder / f"cache-{user_class}.json"
    counts.unlink(missing_ok=True)
    subprocess.run(
        [str(BIN / "locust"), "-f", str(ROOT / "bench" / "locustfile.py"), "--headless", "--host", host,
         "-u", str(users), "-r", str(users), "-t", f"{seconds}s", "--csv", str(prefix), "--only-summary",
         "--loglevel", "ERROR", user_class],
        cwd=ROOT, env={**os.environ, "LOAD_DATA": str(data), "CACHE_COUNTS": str(counts)}, check=False,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with open(f"{prefix}_stats.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    if counts.exists():
        answers = json.loads(counts.read_text(encoding="utf-8"))
        if answers:
            hits = answers.get("hit", 0) / sum(answers.values())
            rows.append({"Name": f"(page cache hits {hits:.0%})", "Request Count": sum(answers.values()),
                         "Failure Count": 0, "Requests/s": 0, "50%": "", "95%": "", "99%": ""})
    return rows


def _print_rows(title: str, rows: list[dict]) -> dict[str, dict]:
    print(f"\n  {title}")
    print(f"    {'request':28} {'count':>7} {'errors':>6} {'req/s':>8} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}")
    by_name = {}
    for row in rows:
        name = row["Name"]
        by_name[name] = row
        print(f"    {name[:28]:28} {int(row['Request Count']):>7} {int(row['Failure Count']):>6} "
              f"{float(row['Requests/s']):>8.1f} {row['50%']:>7} {row['95%']:>7} {row['99%']:>7}")
    return by_name


def main(argv: list[str]) -> None:
    options = _options(argv)
    if not (BIN / "locust").exists() or not (BIN / "gunicorn").exists():
        print("  skipped: locust and gunicorn are needed (pip install -r requirements-dev.txt)")
        return
    with scratch_database("postgresql") as uri, tempfile.TemporaryDirectory() as tmp:
        folder = Path(os.environ.get("BENCH_LOAD_KEEP") or tmp)
        folder.mkdir(parents=True, exist_ok=True)
        media = str(folder / "media")
        ceiling = _seed(uri, media, options, folder)
        port = free_port()
        server = _start_gunicorn(uri, media, ceiling, port, folder / "gunicorn.log",
                                 _page_cache_redis(options.page_cache))
        host = f"http://127.0.0.1:{port}"
        data = folder / "load-data.json"
        try:
            _locust(host, "Shopper", 4, 5, folder, data)  # warm both workers' caches
            mix = _print_rows(f"mix: {options.users} shoppers waiting 1-3 s between pages, {options.seconds} s",
                              _locust(host, "Shopper", options.users, options.seconds, folder, data))
            runs, ceilings = {}, []
            # The ceiling before and after the pages, so a slower or faster machine over the
            # minutes of the run does not flatter the pages; the higher one is used.
            for user_class in ("CeilingReader", "ListingReader", "ProductReader", "FirstVisitReader",
                               "CeilingReader"):
                rows = _locust(host, user_class, options.readers, options.seconds, folder, data)
                runs[user_class] = _print_rows(f"{user_class}: {options.readers} readers without pauses", rows)
                if user_class == "CeilingReader":
                    ceilings.append(float(runs[user_class]["Aggregated"]["Requests/s"]))
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)

    total = mix["Aggregated"]
    errors = sum(int(row["Failure Count"]) for name, row in mix.items() if name != "Aggregated")
    errors += sum(int(run["Aggregated"]["Failure Count"]) for run in runs.values())
    ceiling_rps = max(ceilings)
    print(f"\n  static ceiling: {' and '.join(f'{c:.1f}' for c in ceilings)} req/s (before and after); "
          f"the higher is used")
    print(f"\n  errors in all runs: {errors} (target 0) -> {'PASS' if errors == 0 else 'MISS'}")
    p95 = float(total["95%"])
    print(f"  mix p95 over all requests: {p95:.0f} ms (target < 200) -> {'PASS' if p95 < 200 else 'MISS'}; "
          f"{float(total['Requests/s']):.1f} req/s")
    for user_class, label in (("ListingReader", "listing"), ("ProductReader", "product"),
                              ("FirstVisitReader", "product, first visits only")):
        rps = float(runs[user_class]["Aggregated"]["Requests/s"])
        ratio = rps / ceiling_rps if ceiling_rps else float("nan")
        verdict = "for reference" if user_class == "FirstVisitReader" else (
            f"target >= 0.50 -> {'PASS' if ratio >= 0.5 else 'MISS'}")
        print(f"  {label}: {rps:.1f} req/s vs static ceiling {ceiling_rps:.1f} req/s = {ratio:.2f} of the ceiling "
              f"({verdict})")


if __name__ == "__main__":
    main(sys.argv[1:])
