"""How fast `flask seed-bench` fills a fresh database: 100,000 products and 100,000 orders by default.

Runs on a temporary SQLite file and on a temporary PostgreSQL database (on the server of
BENCH_DATABASE_URL, default the local test server); BENCH_ENGINES=sqlite limits it to one engine.
Options: --products=N --sellers=N --orders=N (0 skips orders), as in
`python -m bench seed --sellers=5000 --products=100000 --orders=520000` (about 1,000,000 order lines).
"""
from __future__ import annotations

import argparse
import tempfile
import time

from bench.common import bench_app, engines, scratch_database


def run_once(database_uri: str, media_root: str, *, sellers: int, products: int, orders: int = 0) -> float:
    """Migrate the database, run seed-bench on it and return the seconds seed-bench took."""
    from marketplace.extensions import db

    app = bench_app(database_uri, media_root)
    args = ["seed-bench", "--sellers", str(sellers), "--products", str(products)]
    if orders:
        args += ["--orders", str(orders)]
    started = time.perf_counter()
    result = app.test_cli_runner().invoke(args=args, catch_exceptions=False)
    seconds = time.perf_counter() - started
    if result.exit_code != 0:
        raise RuntimeError(f"seed-bench failed: {result.output}")
    print(f"  {result.output.strip()}", flush=True)
    with app.app_context():
        db.engine.dispose()
    return seconds


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="bench_seed")
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--sellers", type=int, default=1_000)
    parser.add_argument("--orders", type=int, default=100_000)
    options, _ = parser.parse_known_args(argv)
    for engine in engines():
        with scratch_database(engine) as uri, tempfile.TemporaryDirectory(prefix="plb-bench-media-") as media:
            seconds = run_once(uri, media, sellers=options.sellers, products=options.products, orders=options.orders)
        print(f"seed-bench {engine}: {options.products} products, {options.sellers} sellers, "
              f"{options.orders} orders in {seconds:.1f} s", flush=True)
