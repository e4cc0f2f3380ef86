"""Shared fixtures: the app on a fresh database (SQLite, or PostgreSQL when
TEST_DATABASE_URL is set), a clean database per test, clients logged in per role."""
from __future__ import annotations

import os

import pytest
from flask import has_app_context
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import text

from marketplace import create_app
from marketplace.extensions import db
from marketplace.models import Base
from marketplace.services.mail import outbox
from tests import factories
from tests.databases import scratch_database


def _is_postgres(url: str) -> bool:
    return url.startswith("postgresql")


@pytest.fixture(scope="session")
def database_uri(tmp_path_factory):
    """A database of our own for this test run, so parallel runs never collide."""
    with scratch_database(os.environ.get("TEST_DATABASE_URL"), tmp_path_factory.mktemp("db")) as uri:
        yield uri


class IsolatedClient(FlaskClient):
    """Each request runs in an app context of its own, as in production: its own `g` (so
    Flask-Login never reuses another client's user) and its own database session. The
    test's session is expired afterwards so the test reads what the request wrote."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        if has_app_context():
            db.session.expire_all()
        return response


@pytest.fixture(scope="session")
def app(database_uri, tmp_path_factory):
    """The application, migrated to head once per run."""
    app = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=database_uri,
        MEDIA_ROOT=str(tmp_path_factory.mktemp("media")),
        MAIL_OUTBOX_DIR=str(tmp_path_factory.mktemp("outbox")),
        WTF_CSRF_ENABLED=False,
    )
    app.test_client_class = IsolatedClient
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


def _empty_all_tables() -> None:
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    # Plain DELETEs (children first): on PostgreSQL they cost far less than TRUNCATE for
    # the handful of rows a test leaves behind.
    for table in tables:
        db.session.execute(text(f"DELETE FROM {table}"))
    db.session.commit()


@pytest.fixture(autouse=True)
def _app_context(app):
    """Every test runs inside an app context and starts from empty tables."""
    with app.app_context():
        yield
        db.session.rollback()
        _empty_all_tables()
        db.session.remove()
    outbox(app).clear()


@pytest.fixture
def session(app):
    """The SQLAlchemy session of the test's app context."""
    return db.session


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def csrf_enabled(app):
    """Turn CSRF protection on for one test (it is off by default for brevity)."""
    app.config["WTF_CSRF_ENABLED"] = True
    yield
    app.config["WTF_CSRF_ENABLED"] = False


@pytest.fixture
def mail_outbox(app):
    return outbox(app)


TEST_REDIS_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture(scope="module")
def redis_db():
    """Database 15 of the Redis on this machine, emptied after the module; skips without Redis."""
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(TEST_REDIS_URL)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"Redis is not reachable at {TEST_REDIS_URL}: start redis-server to run these tests")
    yield client
    client.flushdb()
    client.close()


def login(client, user) -> None:
    """Log a user in on a test client without going through the form."""
    with client.session_transaction() as flask_session:
        flask_session["_user_id"] = str(user.id)
        flask_session["_fresh"] = True


@pytest.fixture
def buyer(session):
    return factories.make_user(session, name="Sri Pembeli")


@pytest.fixture
def seller(session):
    return factories.make_seller(session, shop_name="Anyaman Bu Sri")


@pytest.fixture
def other_seller(session):
    return factories.make_seller(session, shop_name="Tani Organik Garum")


@pytest.fixture
def officer(session):
    return factories.make_user(session, role=factories.Role.OFFICER, name="Petugas Dinas")


@pytest.fixture
def admin_user(session):
    return factories.make_user(session, role=factories.Role.ADMIN, name="Admin Dinas")


@pytest.fixture
def buyer_client(app, buyer):
    client = app.test_client()
    login(client, buyer)
    return client


@pytest.fixture
def seller_client(app, seller):
    client = app.test_client()
    login(client, seller.user)
    return client


@pytest.fixture
def officer_client(app, officer):
    client = app.test_client()
    login(client, officer)
    return client


@pytest.fixture
def admin_client(app, admin_user):
    client = app.test_client()
    login(client, admin_user)
    return client


# ---- servers for payment and browser tests ---------------------------------------------------

def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_port(port: int, timeout: float = 15.0) -> None:
    import socket
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listens on port {port}")


@pytest.fixture(scope="session")
def localstripe_url():
    """A fresh localstripe (fake Stripe API and Stripe.js) on a free loopback port."""
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    executable = Path(sys.executable).with_name("localstripe")
    if not executable.exists():
        executable = shutil.which("localstripe")
    if not executable:
        pytest.skip("localstripe is not installed (pip install -r requirements-dev.txt)")
    port = free_port()
    process = subprocess.Popen([str(executable), "--port", str(port), "--from-scratch"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for_port(port)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def stripe_config(app, localstripe_url):
    """Card payments switched on, talking to localstripe, for one test."""
    keys = {
        "STRIPE_SECRET_KEY": "sk_test_plb", "STRIPE_PUBLISHABLE_KEY": "pk_test_plb",
        "STRIPE_WEBHOOK_SECRET": "whsec_plb_test", "STRIPE_API_BASE": localstripe_url,
        "STRIPE_JS_URL": f"{localstripe_url}/js.stripe.com/v3/",
    }
    saved = {key: app.config.get(key) for key in keys}
    app.config.update(keys)
    yield keys
    app.config.update(saved)


@pytest.fixture
def live_server(app):
    """The app served over HTTP on a free loopback port, in a thread."""
    import threading

    from werkzeug.serving import make_server

    port = free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()
    thread.join(timeout=10)


# ---- a real browser for the journeys ------------------------------------------------------------

@pytest.fixture(scope="session")
def chromium():
    """Debian's Chromium through Playwright, once per run (skips the test without it)."""
    from tests.browser import launch_chromium

    playwright, browser = launch_chromium()
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture
def phone(chromium, csrf_enabled):
    """A fresh browser context at a 360x640 phone viewport, with CSRF protection on as in production.
    Returns a function that opens one more page (one per person in a journey)."""
    from tests.browser import PHONE

    contexts = []

    def open_page(locale: str = "id-ID"):
        context = chromium.new_context(viewport=PHONE, locale=locale, device_scale_factor=1)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def axe():
    """Collects axe-core findings of every page a journey checks; call .assert_clean() at the end."""
    pytest.importorskip("axe_playwright_python", reason="pip install -r requirements-dev.txt")
    from tests.browser import AccessibilityAudit

    return AccessibilityAudit()
