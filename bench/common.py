"""Helpers shared by the benchmarks: throw-away databases and percentiles."""
from __future__ import annotations

import contextlib
import os
import statistics
import tempfile
from collections.abc import Iterator

from tests import databases

POSTGRES_DEFAULT = "postgresql://postgres@127.0.0.1:5432/test"


def percentile(values: list[float], pct: float) -> float:
    """The pct-th percentile (nearest rank) of the values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def describe_ms(values: list[float]) -> str:
    return (f"n={len(values)} p50={percentile(values, 50) * 1000:.1f} ms "
            f"p95={percentile(values, 95) * 1000:.1f} ms max={max(values) * 1000:.1f} ms "
            f"mean={statistics.mean(values) * 1000:.1f} ms")


@contextlib.contextmanager
def scratch_database(engine_name: str) -> Iterator[str]:
    """A new empty database for one benchmark run: a temp SQLite file, or a new PostgreSQL
    database on the server of BENCH_DATABASE_URL (default: the local test server)."""
    server = None if engine_name == "sqlite" else os.environ.get("BENCH_DATABASE_URL", POSTGRES_DEFAULT)
    with tempfile.TemporaryDirectory() as folder, databases.scratch_database(server, folder, "plb_bench") as uri:
        yield uri


def engines() -> list[str]:
    """The engines to measure: both by default (PostgreSQL at BENCH_DATABASE_URL or the local
    test server); BENCH_ENGINES=sqlite (or postgresql) limits the run to one."""
    chosen = os.environ.get("BENCH_ENGINES", "sqlite,postgresql")
    return [name for name in ("sqlite", "postgresql") if name in chosen.split(",")]


def bench_app(uri: str, media_root: str):
    """The app in testing mode on `uri`, migrated to head."""
    from flask_migrate import upgrade

    from marketplace import create_app

    app = create_app("testing", SQLALCHEMY_DATABASE_URI=uri, MEDIA_ROOT=media_root, WTF_CSRF_ENABLED=False,
                     SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 60, "max_overflow": 10} if uri.startswith("postgres")
                     else {})
    with app.app_context():
        upgrade()
    return app
