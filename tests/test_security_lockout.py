"""Log-in lockout per e-mail address: after N failures, every further attempt gets the same
"try again in X minutes" answer, whether or not the address has an account."""
from __future__ import annotations

import re

import pytest

from marketplace.extensions import limiter
from tests import factories


@pytest.fixture(autouse=True)
def three_strikes(app):
    saved = {name: app.config[name] for name in ("LOGIN_LOCKOUT_ATTEMPTS", "LOGIN_LOCKOUT_MINUTES")}
    app.config.update(LOGIN_LOCKOUT_ATTEMPTS=3, LOGIN_LOCKOUT_MINUTES=15)
    limiter.reset()
    yield
    app.config.update(saved)
    limiter.reset()


@pytest.fixture
def english_client(client):
    with client.session_transaction() as flask_session:
        flask_session["lang"] = "en"
    return client


def log_in(client, email, password="salah-sekali"):
    return client.post("/akun/masuk", data={"email": email, "password": password})


def shown_error(response) -> str:
    match = re.search(r'<div class="form-errors" role="alert"><p>(.*?)</p>', response.get_data(as_text=True))
    return match.group(1) if match else ""


def test_three_failures_lock_the_address_even_for_the_right_password(session, english_client):
    user = factories.make_user(session, email="sri@example.id")
    for _ in range(3):
        assert log_in(english_client, user.email).status_code == 400

    response = log_in(english_client, user.email, factories.PASSWORD)

    assert response.status_code == 429
    assert shown_error(response) == "Too many attempts. Please try again in 15 minutes."
    assert 14 * 60 < int(response.headers["Retry-After"]) <= 15 * 60
    assert english_client.get("/akun/").status_code == 302  # not logged in


def test_unknown_addresses_are_locked_the_same_way_so_nothing_is_revealed(session, app, english_client):
    factories.make_user(session, email="sri@example.id")
    other = app.test_client()
    with other.session_transaction() as flask_session:
        flask_session["lang"] = "en"
    for _ in range(3):
        log_in(english_client, "sri@example.id")
        log_in(other, "nobody@example.id")

    known = log_in(english_client, "sri@example.id")
    unknown = log_in(other, "nobody@example.id")

    assert known.status_code == unknown.status_code == 429
    assert shown_error(known) == shown_error(unknown) != ""
    assert known.headers["Retry-After"].isdigit() and unknown.headers["Retry-After"].isdigit()


def test_the_address_is_normalised_before_counting(english_client):
    for email in ("Sri@Example.id", " sri@example.id", "SRI@EXAMPLE.ID"):
        log_in(english_client, email)

    assert log_in(english_client, "sri@example.id").status_code == 429


def test_other_addresses_are_not_affected(session, english_client):
    factories.make_user(session, email="budi@example.id")
    for _ in range(3):
        log_in(english_client, "sri@example.id")

    assert log_in(english_client, "budi@example.id", factories.PASSWORD).status_code == 303


def test_a_successful_log_in_clears_the_earlier_failures(session, english_client):
    user = factories.make_user(session, email="sri@example.id")
    for _ in range(2):
        log_in(english_client, user.email)
    assert log_in(english_client, user.email, factories.PASSWORD).status_code == 303
    english_client.post("/akun/keluar")

    for _ in range(2):
        assert log_in(english_client, user.email).status_code == 400
    assert log_in(english_client, user.email, factories.PASSWORD).status_code == 303


def test_the_lockout_message_is_indonesian_by_default(client):
    for _ in range(3):
        log_in(client, "sri@example.id")

    response = log_in(client, "sri@example.id")

    assert response.status_code == 429
    assert '<html lang="id"' in response.get_data(as_text=True)
    assert "15" in shown_error(response)
