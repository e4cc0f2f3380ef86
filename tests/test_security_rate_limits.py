"""Rate limits: log-in, registration, password reset, checkout and uploads answer 429 with a
friendly page in the reader's language once their (lowered) limit is used up; counters can
live in Redis."""
from __future__ import annotations

import io
import uuid

import pytest

from marketplace import create_app
from marketplace.extensions import limiter
from tests import factories
from tests.conftest import login


@pytest.fixture
def limits(app):
    """Set RATELIMIT_* settings for one test, on fresh counters; restored afterwards."""
    saved = {}

    def set_limits(**settings):
        for name, value in settings.items():
            saved.setdefault(name, app.config[name])
            app.config[name] = value

    limiter.reset()
    yield set_limits
    app.config.update(saved)
    limiter.reset()


def english(client, user=None, session=None):
    """Read pages in English: a guest's session choice, or a logged-in user's saved language."""
    with client.session_transaction() as flask_session:
        flask_session["lang"] = "en"
    if user is not None:
        user.preferred_language = "en"
        session.commit()
    return client


def a_file(name="foto.jpg", content=b"not really a picture"):
    return (io.BytesIO(content), name)


def assert_friendly_429(response):
    assert response.status_code == 429
    assert response.headers["Retry-After"].isdigit()
    page = response.get_data(as_text=True)
    assert "Too many attempts" in page
    assert "Please try again in 1 minute." in page
    assert "per 1 minute" not in page  # never the limiter's own wording


def test_log_in_is_limited_per_address_with_a_friendly_page(client, limits):
    limits(RATELIMIT_LOGIN="2 per minute")
    english(client)
    for _ in range(2):
        assert client.post("/akun/masuk", data={"email": "x@example.id", "password": "salah"}).status_code == 400

    response = client.post("/akun/masuk", data={"email": "x@example.id", "password": "salah"})

    assert_friendly_429(response)
    assert client.get("/akun/masuk").status_code == 200  # reading the form is never limited


def test_the_429_page_is_in_indonesian_by_default(client, limits):
    limits(RATELIMIT_LOGIN="1 per minute")
    client.post("/akun/masuk", data={"email": "x@example.id", "password": "salah"})

    response = client.post("/akun/masuk", data={"email": "x@example.id", "password": "salah"})

    assert response.status_code == 429
    assert '<html lang="id"' in response.get_data(as_text=True)


def test_api_clients_get_the_429_as_json(client, limits):
    limits(RATELIMIT_LOGIN="1 per minute")
    client.post("/akun/masuk", data={"email": "x@example.id", "password": "salah"})

    response = client.post("/akun/masuk", data={"email": "x@example.id", "password": "salah"},
                           headers={"Accept": "application/json"})

    assert response.status_code == 429
    assert response.json["status"] == 429
    assert "try again" in response.json["message"] or "coba" in response.json["message"].lower()


def test_registration_is_limited(client, limits):
    limits(RATELIMIT_REGISTER="1 per minute")
    english(client)
    assert client.post("/akun/daftar", data={"email": "baru@example.id"}).status_code == 400

    assert_friendly_429(client.post("/akun/daftar", data={"email": "lain@example.id"}))


def test_password_reset_requests_are_limited_per_e_mail_address(client, limits, mail_outbox):
    limits(RATELIMIT_PASSWORD_RESET_EMAIL="1 per hour")
    english(client)
    assert client.post("/akun/lupa-kata-sandi", data={"email": "sri@example.id"}).status_code == 303

    again = client.post("/akun/lupa-kata-sandi", data={"email": " SRI@example.id "})
    other = client.post("/akun/lupa-kata-sandi", data={"email": "budi@example.id"})

    assert again.status_code == 429
    assert "Too many attempts" in again.get_data(as_text=True)
    assert other.status_code == 303


def test_password_reset_requests_are_limited_per_address(client, limits):
    limits(RATELIMIT_PASSWORD_RESET="2 per minute")
    english(client)
    for n in range(2):
        assert client.post("/akun/lupa-kata-sandi", data={"email": f"orang{n}@example.id"}).status_code == 303

    assert_friendly_429(client.post("/akun/lupa-kata-sandi", data={"email": "orang9@example.id"}))


def test_placing_orders_is_limited_but_recalculating_the_checkout_is_not(buyer_client, buyer, session, limits):
    limits(RATELIMIT_CHECKOUT="1 per minute")
    english(buyer_client, buyer, session)
    buyer_client.post("/pesanan/checkout/pengiriman", data={"action": "place"})
    for _ in range(3):
        assert buyer_client.post("/pesanan/checkout/pengiriman", data={"action": "update"}).status_code != 429

    assert_friendly_429(buyer_client.post("/pesanan/checkout/pengiriman", data={"action": "place"}))


def test_checkout_counts_per_user_not_per_shared_address(app, session, buyer_client, limits):
    limits(RATELIMIT_CHECKOUT="1 per minute")
    buyer_client.post("/pesanan/checkout/pengiriman", data={"action": "place"})
    neighbour = app.test_client()  # same carrier address, another account
    login(neighbour, factories.make_user(session, name="Tetangga"))

    assert buyer_client.post("/pesanan/checkout/pengiriman", data={"action": "place"}).status_code == 429
    assert neighbour.post("/pesanan/checkout/pengiriman", data={"action": "place"}).status_code != 429


def test_uploads_share_one_limit_over_every_upload_form(session, seller, seller_client, limits):
    limits(RATELIMIT_UPLOAD="2 per minute")
    english(seller_client, seller.user, session)
    product = factories.make_product(session, seller=seller)
    seller_client.post(f"/penjual/produk/{product.id}/foto", data={"photos": [a_file()]},
                       content_type="multipart/form-data")
    seller_client.post("/penjual/produk/impor", data={"csv_file": a_file("produk.csv", b"name\n")},
                       content_type="multipart/form-data")

    shop_photo = seller_client.post("/penjual/toko", data={"photo_file": a_file()},
                                    content_type="multipart/form-data")
    shop_without_photo = seller_client.post("/penjual/toko", data={"shop_name": "Anyaman Bu Sri"})

    assert_friendly_429(shop_photo)
    assert shop_without_photo.status_code != 429  # only posts that carry a file count
    assert seller_client.get(f"/penjual/produk/{product.id}/foto").status_code == 200


def test_onboarding_shop_photo_is_an_upload_too(session, buyer_client, limits):
    limits(RATELIMIT_UPLOAD="1 per minute")
    buyer_client.post("/penjual/daftar-toko/toko", data={"photo_file": a_file()}, content_type="multipart/form-data")

    response = buyer_client.post("/penjual/daftar-toko/toko", data={"photo_file": a_file()},
                                 content_type="multipart/form-data")

    assert response.status_code == 429


def test_transfer_receipts_from_guests_are_limited_per_address(client, limits):
    limits(RATELIMIT_UPLOAD="1 per minute")
    english(client)
    client.post("/pesanan/o/no-such-order/bukti-transfer", data={"receipt": a_file()},
                content_type="multipart/form-data")

    assert_friendly_429(client.post("/pesanan/o/no-such-order/bukti-transfer", data={"receipt": a_file()},
                                    content_type="multipart/form-data"))


def test_the_suite_default_limits_are_high_but_on(app):
    assert app.config["RATELIMIT_ENABLED"] and limiter.enabled
    assert app.config["RATELIMIT_LOGIN"] == "10000 per minute"


# ---- storage: memory by default, Redis when REDIS_URL is set ---------------------------------

def test_the_counters_live_in_redis_when_redis_url_is_set(monkeypatch):
    from config import ProductionConfig

    monkeypatch.setenv("REDIS_URL", "redis://cache.internal:6379/0")
    assert ProductionConfig.RATELIMIT_STORAGE_URI == "redis://cache.internal:6379/0"
    monkeypatch.delenv("REDIS_URL")
    assert ProductionConfig.RATELIMIT_STORAGE_URI == "memory://"


@pytest.fixture
def other_app(app, database_uri, tmp_path):
    """Build a second app on the test database; the shared limiter is given back to `app` after."""
    made = []

    def make(**overrides):
        other = create_app("testing", SQLALCHEMY_DATABASE_URI=database_uri, MEDIA_ROOT=str(tmp_path),
                           WTF_CSRF_ENABLED=False, **overrides)
        made.append(other)
        return other

    yield make
    from marketplace.extensions import db

    for other in made:
        with other.app_context():
            db.engine.dispose()
    limiter.init_app(app)
    limiter.reset()


@pytest.fixture
def redis_client():
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url("redis://127.0.0.1:6379/0")
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    yield client
    client.close()


def test_rate_limits_are_counted_in_redis(other_app, redis_client):
    prefix = f"plb-test-{uuid.uuid4().hex}"
    app = other_app(RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/0",
                    RATELIMIT_STORAGE_OPTIONS={"key_prefix": prefix}, RATELIMIT_LOGIN="2 per minute")
    client = app.test_client()
    try:
        statuses = [client.post("/akun/masuk", data={"email": "x@example.id", "password": "salah"}).status_code
                    for _ in range(3)]
        keys = redis_client.keys(f"{prefix}*")
    finally:
        for key in redis_client.scan_iter(f"{prefix}*"):
            redis_client.delete(key)

    assert statuses == [400, 400, 429]
    assert keys, "the login counter should be stored in Redis under our prefix"
    assert not redis_client.keys(f"{prefix}*")


def test_the_shop_stays_up_when_redis_is_down(other_app):
    app = other_app(RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0", RATELIMIT_LOGIN="1 per minute")
    client = app.test_client()

    statuses = [client.post("/akun/masuk", data={"email": "x@example.id", "password": "salah"}).status_code
                for _ in range(2)]

    assert statuses == [400, 400]  # limits fail open: no 500, no lock-out of everyone
