"""/healthz answers while the process is up; /readyz only when the database answers and its
schema is at the newest migration (else 503 with a JSON reason)."""
from __future__ import annotations

import pytest

from marketplace import create_app
from marketplace.extensions import db, limiter
from marketplace.health import expected_heads


@pytest.fixture
def other_app(app, tmp_path):
    made = []

    def make(database_uri: str):
        made.append(create_app("testing", SQLALCHEMY_DATABASE_URI=database_uri, MEDIA_ROOT=str(tmp_path)))
        return made[-1]

    yield make
    for other in made:
        with other.app_context():
            db.engine.dispose()
    limiter.init_app(app)


def test_healthz_says_ok(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json == {"status": "ok"}
    assert response.headers["Cache-Control"] == "no-store"


def test_readyz_is_ok_on_a_database_migrated_to_head(client):
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_readyz_is_503_when_the_database_cannot_be_reached(other_app):
    app = other_app("postgresql+psycopg://postgres@127.0.0.1:1/nothing_here?connect_timeout=2")
    client = app.test_client()

    ready = client.get("/readyz")
    healthy = client.get("/healthz")

    assert ready.status_code == 503
    assert ready.json == {"status": "unavailable", "reason": "database_unreachable"}
    assert healthy.status_code == 200  # the process itself is fine: no restart loop


def test_readyz_is_503_until_the_migrations_have_run(other_app, tmp_path):
    app = other_app(f"sqlite:///{tmp_path / 'empty.sqlite'}")

    response = app.test_client().get("/readyz")

    assert response.status_code == 503
    assert response.json["reason"] == "migrations_not_at_head"
    assert response.json["current"] == []
    assert response.json["expected"] == sorted(expected_heads())


def test_readyz_is_503_on_an_older_schema(other_app, tmp_path):
    from flask_migrate import stamp

    app = other_app(f"sqlite:///{tmp_path / 'old.sqlite'}")
    with app.app_context():
        stamp(revision="0001")

    response = app.test_client().get("/readyz")

    assert response.status_code == 503
    assert response.json["current"] == ["0001"]


def test_the_code_ships_exactly_one_migration_head():
    assert len(expected_heads()) == 1
