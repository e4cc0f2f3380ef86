"""Running work in real concurrent database connections (PostgreSQL only)."""
from __future__ import annotations

import threading

import pytest

from marketplace.extensions import db


@pytest.fixture(autouse=True)
def _postgres_only(app):
    """Skip the module's tests unless the suite runs on PostgreSQL."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("real concurrent connections need PostgreSQL (set TEST_DATABASE_URL)")


def in_threads(app, count, work):
    """Run work() in `count` threads started together, each with its own app context and
    connection. Returns (results, exceptions)."""
    barrier = threading.Barrier(count)
    results, errors = [], []

    def run():
        with app.app_context():
            barrier.wait()
            try:
                results.append(work())
            except Exception as exc:  # collected and asserted on by the test
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results, errors
