"""Probes for the process manager and load balancer.

/healthz: the process answers (touches nothing else). /readyz: the database answers and its
schema is at the newest migration; otherwise 503 with a JSON reason, so traffic waits.
"""
from __future__ import annotations

from functools import cache

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Blueprint, current_app, jsonify

from config import BASE_DIR
from marketplace.extensions import db, limiter

bp = Blueprint("health", __name__)


@cache
def expected_heads(migrations_dir: str = str(BASE_DIR / "migrations")) -> frozenset[str]:
    """The head revision(s) of the migration scripts shipped with this code."""
    return frozenset(ScriptDirectory(migrations_dir).get_heads())


def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/healthz")
@limiter.exempt
def healthz():
    return _no_store(jsonify(status="ok"))


@bp.route("/readyz")
@limiter.exempt
def readyz():
    try:
        with db.engine.connect() as connection:
            current = frozenset(MigrationContext.configure(connection).get_current_heads())
    except Exception as error:  # noqa: BLE001 - any failure to reach the database means "not ready"
        current_app.logger.warning("readiness: database unreachable: %s", type(error).__name__)
        return _no_store(jsonify(status="unavailable", reason="database_unreachable")), 503
    expected = expected_heads()
    if current != expected:
        return _no_store(jsonify(status="unavailable", reason="migrations_not_at_head",
                                 current=sorted(current), expected=sorted(expected))), 503
    return _no_store(jsonify(status="ok")), 200
