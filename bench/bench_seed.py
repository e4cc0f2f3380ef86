"""How fast `flask seed-bench` fills a fresh database: 100,000 products by default.

Runs on a temporary SQLite file, and also on a temporary PostgreSQL database when
BENCH_DATABASE_URL (a server URL, e.g. postgresql://postgres@127.0.0.1:5432/test) is set.
Options: --products=N --sellers=N (as in `python -m bench seed --products=20000`).
"""
from __future__ import annotations

import argparse
import os
import tempfile
import time

from bench.common import bench_app, scratch_database


def run_once(database_uri: str, media_root: str, *, sellers: int, products: int) -> float:
    """Migrate the database, run seed-bench on it and return the seconds seed-bench took."""
    from marketplace.extensions import db

    app = bench_app(database_uri, media_root)
    started = time.perf_counter()
    result = app.test_cli_runner().invoke(
        args=["seed-bench", "--sellers", str(sellers), "--products", str(products)], catch_exceptions=False
    )
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
    options, _ = parser.parse_known_args(argv)
    engines = ["sqlite"] + (["postgresql"] if os.environ.get("BENCH_DATABASE_URL") else [])
    for engine in engines:
        with scratch_database(engine) as uri, tempfile.TemporaryDirectory(prefix="plb-bench-media-") as media:
            seconds = run_once(uri, media, sellers=options.sellers, products=options.products)
        print(f"seed-bench {engine}: {options.products} products, {options.sellers} sellers in {seconds:.1f} s",
              flush=True)
    if len(engines) == 1:
        print("seed-bench postgresql: skipped (set BENCH_DATABASE_URL to a server URL to run it)", flush=True)
