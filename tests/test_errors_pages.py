"""Errors get a friendly page in the reader's language (or JSON for API clients), with the
right status code, and never a stack trace."""
import pytest
from flask import abort
from sqlalchemy import text

from marketplace import create_app
from marketplace.extensions import db


@pytest.fixture(scope="module")
def failing_app(database_uri, tmp_path_factory):
    """A separate app with routes that fail on purpose, reporting errors as production does."""
    app = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=database_uri,
        MEDIA_ROOT=str(tmp_path_factory.mktemp("error-media")),
        PROPAGATE_EXCEPTIONS=False,
        WTF_CSRF_ENABLED=False,
        MAX_CONTENT_LENGTH=1024,
    )

    def crash():
        raise RuntimeError("secret internal detail")

    def broken_query():
        db.session.execute(text("SELECT * FROM no_such_table"))

    def too_many():
        abort(429)

    def upload():
        from flask import request

        return str(len(request.form.get("photo", "")))

    app.add_url_rule("/test/crash", "crash", crash)
    app.add_url_rule("/test/broken-query", "broken_query", broken_query)
    app.add_url_rule("/test/too-many", "too_many", too_many)
    app.add_url_rule("/test/upload", "upload", upload, methods=["POST"])
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def failing_client(failing_app):
    with failing_app.app_context():
        yield failing_app.test_client()


def in_english(client):
    client.post("/bahasa", data={"lang": "en"})
    return client


def test_unknown_page_is_404_in_indonesian(client):
    response = client.get("/tidak-ada-halaman-ini")

    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "Halaman tidak ditemukan" in page
    assert '<html lang="id">' in page
    assert 'href="/"' in page


def test_unknown_page_is_404_in_english(client):
    response = in_english(client).get("/tidak-ada-halaman-ini")

    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_a_page_for_officers_is_403_for_a_buyer(buyer_client):
    response = buyer_client.get("/petugas/")

    assert response.status_code == 403
    page = response.get_data(as_text=True)
    assert "Tidak diizinkan" in page
    assert "Halaman ini untuk petugas program." in page


def test_a_page_for_officers_is_403_for_a_buyer_in_english(buyer_client):
    response = in_english(buyer_client).get("/petugas/")

    assert response.status_code == 403
    assert "This page is for programme officers." in response.get_data(as_text=True)


def test_a_wrong_method_is_405_and_says_which_methods_work(client):
    response = client.get("/akun/keluar")

    assert response.status_code == 405
    assert "POST" in response.headers["Allow"]
    assert "Halaman ini tidak bisa dipakai dengan cara itu." in response.get_data(as_text=True)


def test_a_bad_request_is_400_with_its_own_message(client):
    response = client.post("/bahasa", data={"lang": "fr"})

    assert response.status_code == 400
    assert "Bahasa ini tidak tersedia." in response.get_data(as_text=True)


def test_a_form_without_its_csrf_token_is_400_with_the_csrf_message(client, csrf_enabled):
    response = client.post("/akun/masuk", data={"email": "sri@example.id", "password": "rahasia123"})

    assert response.status_code == 400
    assert "Formulir Anda sudah kedaluwarsa" in response.get_data(as_text=True)


def test_a_form_without_its_csrf_token_in_english(client, csrf_enabled):
    client.get("/")  # the session cookie the form would carry
    with client.session_transaction() as flask_session:
        flask_session["lang"] = "en"

    response = client.post("/akun/masuk", data={"email": "sri@example.id", "password": "rahasia123"})

    assert response.status_code == 400
    assert "Your form expired or was sent from elsewhere." in response.get_data(as_text=True)


def test_a_too_large_upload_is_413(failing_client):
    response = failing_client.post("/test/upload", data={"photo": "x" * 5000})

    assert response.status_code == 413
    assert "Berkas terlalu besar" in response.get_data(as_text=True)


def test_too_many_attempts_is_429(failing_client):
    response = in_english(failing_client).get("/test/too-many")

    assert response.status_code == 429
    assert "Too many attempts" in response.get_data(as_text=True)


def test_a_crash_is_a_friendly_500_without_details(failing_client):
    response = failing_client.get("/test/crash")

    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "Terjadi kesalahan" in page
    assert "secret internal detail" not in page
    assert "Traceback" not in page


def test_a_crash_in_english(failing_client):
    response = in_english(failing_client).get("/test/crash")

    assert response.status_code == 500
    assert "Something went wrong" in response.get_data(as_text=True)


def test_a_failed_database_query_still_gets_the_full_error_page(failing_client):
    response = failing_client.get("/test/broken-query")

    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "Terjadi kesalahan" in page
    assert "site-footer" in page
    assert "no_such_table" not in page


@pytest.mark.parametrize("path, status", [("/tidak-ada", 404), ("/akun/keluar", 405)])
def test_json_clients_get_json_errors(client, path, status):
    response = client.get(path, headers={"Accept": "application/json"})

    assert response.status_code == status
    assert response.is_json
    assert response.json["status"] == status
    assert response.json["error"]
    assert response.json["message"]


def test_json_clients_get_a_json_500(failing_client):
    response = failing_client.get("/test/crash", headers={"Accept": "application/json"})

    assert response.status_code == 500
    assert response.json == {
        "error": "Terjadi kesalahan",
        "message": "Permintaan Anda tidak bisa kami selesaikan. Silakan coba lagi nanti.",
        "status": 500,
    }


def test_browsers_get_html_even_when_they_also_accept_json(client):
    response = client.get("/tidak-ada", headers={"Accept": "text/html,application/json;q=0.9,*/*;q=0.8"})

    assert response.status_code == 404
    assert response.mimetype == "text/html"
