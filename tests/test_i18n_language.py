"""Choosing the language: Indonesian by default, English from the footer form on every page,
kept in the session for guests and saved on the account for users."""
import re

import pytest

from tests import factories


def page_language(response) -> str:
    match = re.search(r'<html lang="([a-z]+)">', response.get_data(as_text=True))
    assert match, "the page has no <html lang> attribute"
    return match.group(1)


def test_pages_are_in_indonesian_by_default(client):
    assert page_language(client.get("/")) == "id"


def test_every_page_has_the_language_form(client):
    page = client.get("/akun/masuk").get_data(as_text=True)

    assert 'action="/bahasa"' in page
    assert 'name="next" value="/akun/masuk"' in page
    assert '<option value="en" lang="en"' in page


def test_a_guest_switches_to_english_and_stays_there(client):
    response = client.post("/bahasa", data={"lang": "en", "next": "/akun/masuk?next=%2F"})

    assert response.status_code == 303
    assert response.headers["Location"] == "/akun/masuk?next=%2F"
    assert page_language(client.get("/")) == "en"
    assert page_language(client.get("/akun/masuk")) == "en"


def test_a_guest_switches_back_to_indonesian(client):
    client.post("/bahasa", data={"lang": "en"})
    client.post("/bahasa", data={"lang": "id"})

    assert page_language(client.get("/")) == "id"


def test_the_choice_belongs_to_one_browser_only(app, client):
    client.post("/bahasa", data={"lang": "en"})

    assert page_language(app.test_client().get("/")) == "id"


def test_a_logged_in_users_choice_is_saved_on_the_account(buyer_client, buyer, session):
    buyer_client.post("/bahasa", data={"lang": "en", "next": "/"})

    session.refresh(buyer)
    assert buyer.preferred_language == "en"
    assert page_language(buyer_client.get("/")) == "en"


def test_the_saved_language_comes_back_at_the_next_login(app, session):
    user = factories.make_user(session, email="sri@example.id", language="id")
    first_phone = app.test_client()
    first_phone.post("/akun/masuk", data={"email": "sri@example.id", "password": factories.PASSWORD})
    first_phone.post("/bahasa", data={"lang": "en"})
    first_phone.post("/akun/keluar")

    other_phone = app.test_client()
    assert page_language(other_phone.get("/")) == "id"
    response = other_phone.post("/akun/masuk", data={"email": "sri@example.id", "password": factories.PASSWORD})

    assert response.status_code in (302, 303)
    assert page_language(other_phone.get("/")) == "en"
    session.refresh(user)
    assert user.preferred_language == "en"


def test_the_saved_language_wins_over_the_guest_session(app, session):
    factories.make_user(session, email="tini@example.id", language="id")
    phone = app.test_client()
    phone.post("/bahasa", data={"lang": "en"})

    phone.post("/akun/masuk", data={"email": "tini@example.id", "password": factories.PASSWORD})

    assert page_language(phone.get("/")) == "id"


@pytest.mark.parametrize("code", ["fr", "", "indonesia", "EN-us", "../en"])
def test_an_unknown_language_is_refused_with_a_clear_message(buyer_client, buyer, session, code):
    response = buyer_client.post("/bahasa", data={"lang": code, "next": "/"})

    assert response.status_code == 400
    assert "Bahasa ini tidak tersedia. Pilih Bahasa Indonesia atau English." in response.get_data(as_text=True)
    session.refresh(buyer)
    assert buyer.preferred_language == "id"
    assert page_language(buyer_client.get("/")) == "id"


def test_the_language_code_is_read_without_case_or_spaces(client):
    client.post("/bahasa", data={"lang": " EN "})

    assert page_language(client.get("/")) == "en"


def test_a_missing_language_is_refused(client):
    assert client.post("/bahasa", data={}).status_code == 400


@pytest.mark.parametrize("next_url", [
    "https://evil.example/phish", "//evil.example/", "/\\evil.example", "javascript:alert(1)", "", "keranjang",
])
def test_the_redirect_after_switching_never_leaves_the_site(client, next_url):
    response = client.post("/bahasa", data={"lang": "en", "next": next_url})

    assert response.status_code == 303
    assert response.headers["Location"] == "/"


def test_switching_needs_a_post(client):
    assert client.get("/bahasa?lang=en").status_code == 405
    assert page_language(client.get("/")) == "id"


def test_switching_without_the_csrf_token_is_refused(client, csrf_enabled):
    response = client.post("/bahasa", data={"lang": "en"})

    assert response.status_code == 400
    assert page_language(client.get("/")) == "id"


def test_templates_follow_the_language_even_when_it_changes_within_a_request(app):
    from flask import render_template_string
    from flask import session as flask_session
    from flask_babel import force_locale, refresh

    with app.test_request_context("/"):
        assert render_template_string("{{ _('Cart') }}") == "Keranjang"
        with force_locale("en"):                # a mail to someone who reads English
            assert render_template_string("{{ _('Cart') }}") == "Cart"
        assert render_template_string("{{ _('Cart') }}") == "Keranjang"
        flask_session["lang"] = "en"
        refresh()
        assert render_template_string("{{ _('Cart') }}") == "Cart"


def test_the_cart_link_is_in_the_visitors_language_with_their_count(app, client, session):
    product = factories.make_product(session, stock=5)
    english = app.test_client()
    english.post("/bahasa", data={"lang": "en"})
    english.post("/pesanan/keranjang/tambah", data={"product_id": product.id, "quantity": "3"})

    assert re.search(r'class="cart-link"[^>]*>Keranjang</a>', client.get("/").get_data(as_text=True))
    assert re.search(r'class="cart-link"[^>]*>Cart <span class="badge">3</span></a>',
                     english.get("/").get_data(as_text=True))
    assert re.search(r'class="cart-link"[^>]*>Keranjang</a>', client.get("/").get_data(as_text=True))
