"""Register, log in and out, the account page and changing the password: good and bad input."""
import pytest
from flask_babel import force_locale, gettext
from markupsafe import escape
from sqlalchemy import func, select
from werkzeug.security import check_password_hash

from marketplace.models import User
from marketplace.services import accounts
from tests import factories
from tests.conftest import login

NEW_PASSWORD = "kopi2hitam"
TOO_EASY = "This password is too easy to guess. Use letters and numbers."
PHONE_MESSAGE = "Enter a valid phone number, for example 0812-3456-7890."


def t(msgid, locale="id", html=True, **kwargs) -> str:
    """`msgid` as the user reads it in `locale` (HTML-escaped for pages), with or without a catalogue."""
    with force_locale(locale):
        text = gettext(msgid, **kwargs)
    return str(escape(text)) if html else text


def register(client, **overrides):
    data = {"name": "Sri Wahyuni", "email": "sri@example.id", "phone": "0812-3456-7890",
            "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    data.update(overrides)
    return client.post("/akun/daftar", data=data)


def log_in(client, email, password=factories.PASSWORD, **extra):
    return client.post("/akun/masuk", data={"email": email, "password": password, **extra})


def user_count(session) -> int:
    return session.scalar(select(func.count()).select_from(User))


def is_logged_in(client) -> bool:
    return client.get("/akun/").status_code == 200


# ---- register --------------------------------------------------------------------------------

def test_registering_creates_a_buyer_account_and_logs_in(client, session):
    response = register(client, email="  Sri@Example.ID ", phone="+62 812 3456 7890")

    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    user = accounts.find_user_by_email(session, "sri@example.id")
    assert user.email == "sri@example.id"
    assert user.phone == "+6281234567890"
    assert user.preferred_language == "id"
    assert user.role == factories.Role.BUYER
    assert user.last_login_at is not None
    assert check_password_hash(user.password_hash, NEW_PASSWORD)
    assert is_logged_in(client)


def test_registering_while_english_is_chosen_saves_english(client, session):
    client.post("/bahasa", data={"lang": "en", "next": "/"})

    register(client)

    assert accounts.find_user_by_email(session, "sri@example.id").preferred_language == "en"


def test_phone_is_optional(client, session):
    assert register(client, phone="").status_code == 303
    assert accounts.find_user_by_email(session, "sri@example.id").phone is None


def test_registering_returns_to_a_safe_next_page(client):
    response = client.post("/akun/daftar?next=/pesanan/keranjang", data={
        "name": "Sri", "email": "sri@example.id", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD,
        "next": "/pesanan/keranjang"})

    assert response.headers["Location"] == "/pesanan/keranjang"


@pytest.mark.parametrize("taken_as", ["sri@example.id", "SRI@EXAMPLE.ID", "  Sri@Example.Id  "])
def test_an_e_mail_already_registered_in_any_letter_case_is_refused(client, session, taken_as):
    factories.make_user(session, email="sri@example.id")

    response = register(client, email=taken_as)

    assert response.status_code == 400
    assert t("An account with this e-mail already exists. Log in instead.") in response.get_data(as_text=True)
    assert user_count(session) == 1
    assert not is_logged_in(client)


@pytest.mark.parametrize("password, message, number", [
    ("kopi2", "Use at least %(num)s characters.", 8),
    ("12345678", TOO_EASY, None),
    ("password", TOO_EASY, None),
    ("Password123", TOO_EASY, None),
    ("kopihitamenak", TOO_EASY, None),  # letters only
    ("aaaaaaa1", TOO_EASY, None),
    ("a1" * 65, "Use at most %(num)s characters.", 128),
])
def test_weak_passwords_are_refused_with_a_reason(client, session, password, message, number):
    response = register(client, password=password, confirm=password)

    assert response.status_code == 400
    assert t(message, num=number) in response.get_data(as_text=True)
    assert user_count(session) == 0


def test_mismatched_password_confirmation_is_refused(client, session):
    response = register(client, confirm="kopi2manis")

    assert response.status_code == 400
    assert t("The passwords do not match.") in response.get_data(as_text=True)
    assert user_count(session) == 0


@pytest.mark.parametrize("phone", ["12345", "0812-abcd-efgh", "+1 555", "9" * 300])
def test_a_malformed_phone_number_is_refused(client, session, phone):
    response = register(client, phone=phone)

    assert response.status_code == 400
    assert t(PHONE_MESSAGE) in response.get_data(as_text=True)
    assert user_count(session) == 0


@pytest.mark.parametrize("field, value, message", [
    ("email", "sri-at-example", "Enter a valid e-mail address."),
    ("email", "", "Enter your e-mail address."),
    ("name", "   ", "Enter your name."),
    ("name", "x" * 121, "Use at most 120 characters."),
])
def test_missing_or_malformed_details_are_refused(client, session, field, value, message):
    response = register(client, **{field: value})

    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert t(message) in page
    assert t("Please correct the marked fields.") in page
    assert user_count(session) == 0


def test_register_form_is_easy_to_fill_on_a_phone(client):
    page = client.get("/akun/daftar").get_data(as_text=True)

    assert 'autocomplete="email"' in page and 'inputmode="email"' in page
    assert 'type="tel"' in page and 'inputmode="tel"' in page
    assert 'autocomplete="new-password"' in page


def test_the_service_refuses_a_duplicate_e_mail_even_without_the_form(session):
    factories.make_user(session, email="sri@example.id")

    with pytest.raises(accounts.AccountError) as error:
        accounts.register_user(session, email="SRI@example.id", name="Sri", password=NEW_PASSWORD,
                               hash_method="pbkdf2:sha256:1000")
    assert error.value.code == "email_taken"


# ---- log in and out ----------------------------------------------------------------------------

def test_logging_in_records_the_time_and_greets_the_user(client, session):
    user = factories.make_user(session, email="sri@example.id", name="Sri")
    assert user.last_login_at is None

    response = log_in(client, " SRI@example.id ")

    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    session.refresh(user)
    assert user.last_login_at is not None
    assert t("Welcome back, %(name)s.", name="Sri") in client.get("/").get_data(as_text=True)
    assert is_logged_in(client)


def test_remember_me_sets_a_lasting_cookie(client, session):
    factories.make_user(session, email="sri@example.id")

    response = log_in(client, "sri@example.id", remember="y")

    cookies = response.headers.getlist("Set-Cookie")
    remember = [c for c in cookies if c.startswith("remember_token=")]
    assert remember and "Expires=" in remember[0] and "HttpOnly" in remember[0]


def test_without_remember_me_no_lasting_cookie_is_set(client, session):
    factories.make_user(session, email="sri@example.id")

    response = log_in(client, "sri@example.id")

    assert not [c for c in response.headers.getlist("Set-Cookie") if c.startswith("remember_token=")]


@pytest.mark.parametrize("email, password", [
    ("sri@example.id", "salah12345"),
    ("nobody@example.id", factories.PASSWORD),
])
def test_a_wrong_password_or_unknown_e_mail_gets_the_same_answer(client, session, email, password):
    factories.make_user(session, email="sri@example.id")

    response = log_in(client, email, password)

    assert response.status_code == 400
    assert t("E-mail or password is not right.") in response.get_data(as_text=True)
    assert not is_logged_in(client)


def test_an_empty_login_form_is_refused(client):
    response = client.post("/akun/masuk", data={})

    assert response.status_code == 400
    assert t("Enter your e-mail address.") in response.get_data(as_text=True)


def test_logging_out_ends_the_session(client, session):
    factories.make_user(session, email="sri@example.id")
    log_in(client, "sri@example.id")

    response = client.post("/akun/keluar")

    assert response.status_code == 303
    assert not is_logged_in(client)
    assert t("You have logged out.") in client.get("/").get_data(as_text=True)


def test_logging_out_needs_a_post(buyer_client):
    assert buyer_client.get("/akun/keluar").status_code == 405
    assert is_logged_in(buyer_client)


def test_the_login_page_sends_a_logged_in_user_on(buyer_client):
    response = buyer_client.get("/akun/masuk?next=/pesanan/keranjang")

    assert response.status_code == 302
    assert response.headers["Location"] == "/pesanan/keranjang"


# ---- the account page ---------------------------------------------------------------------------

def test_the_account_page_shows_the_users_details(buyer_client, buyer):
    page = buyer_client.get("/akun/").get_data(as_text=True)

    assert buyer.email in page
    assert 'value="Sri Pembeli"' in page


def test_editing_name_phone_and_language(buyer_client, buyer, session):
    response = buyer_client.post("/akun/", data={"name": "  Sri Rahayu ", "phone": "0813 3333 4444",
                                                 "preferred_language": "en"})

    assert response.status_code == 303
    session.refresh(buyer)
    assert (buyer.name, buyer.phone, buyer.preferred_language) == ("Sri Rahayu", "+6281333334444", "en")
    page = buyer_client.get("/akun/").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert t("Your details have been saved.", "en") in page


def test_the_phone_can_be_removed(session, app):
    user = factories.make_user(session, phone="+6281234567890")
    client = app.test_client()
    login(client, user)

    client.post("/akun/", data={"name": user.name, "phone": "", "preferred_language": "id"})

    session.refresh(user)
    assert user.phone is None


@pytest.mark.parametrize("data, message", [
    ({"name": "Sri", "phone": "0812", "preferred_language": "id"}, PHONE_MESSAGE),
    ({"name": "", "phone": "", "preferred_language": "id"}, "Enter your name."),
    ({"name": "Sri", "phone": "", "preferred_language": "fr"}, None),  # WTForms' own "not a valid choice"
])
def test_bad_account_details_change_nothing(buyer_client, buyer, session, data, message):
    response = buyer_client.post("/akun/", data=data)

    assert response.status_code == 400
    assert t(message or "Please correct the marked fields.") in response.get_data(as_text=True)
    session.refresh(buyer)
    assert (buyer.name, buyer.phone, buyer.preferred_language) == ("Sri Pembeli", None, "id")


def test_the_account_page_needs_a_login(client):
    response = client.get("/akun/")

    assert response.status_code == 302
    assert response.headers["Location"] == "/akun/masuk?next=%2Fakun%2F"


# ---- change password ---------------------------------------------------------------------------

def change_password(client, current=factories.PASSWORD, new=NEW_PASSWORD, confirm=None):
    return client.post("/akun/kata-sandi", data={"current_password": current, "password": new,
                                                  "confirm": confirm if confirm is not None else new})


def test_changing_the_password(app, buyer_client, buyer, session, mail_outbox):
    response = change_password(buyer_client)

    assert response.status_code == 303
    assert response.headers["Location"] == "/akun/"
    session.refresh(buyer)
    assert check_password_hash(buyer.password_hash, NEW_PASSWORD)
    assert log_in(app.test_client(), buyer.email, NEW_PASSWORD).status_code == 303
    assert log_in(app.test_client(), buyer.email, factories.PASSWORD).status_code == 400
    assert [m.to for m in mail_outbox] == [buyer.email]
    assert mail_outbox[0].subject == t("Your %(site)s password was changed", html=False,
                                          site="Pasar Lokal Blitar")
    assert buyer.email in mail_outbox[0].body


@pytest.mark.parametrize("kwargs, message", [
    ({"current": "bukan-ini-1"}, "Your current password is not right."),
    ({"new": "12345678"}, TOO_EASY),
    ({"confirm": "kopi2manis"}, "The passwords do not match."),
    ({"current": ""}, "Enter your current password."),
])
def test_a_bad_password_change_keeps_the_old_password(buyer_client, buyer, session, mail_outbox, kwargs, message):
    response = change_password(buyer_client, **kwargs)

    assert response.status_code == 400
    assert t(message) in response.get_data(as_text=True)
    session.refresh(buyer)
    assert check_password_hash(buyer.password_hash, factories.PASSWORD)
    assert mail_outbox == []


def test_the_service_refuses_a_weak_password_too(session, buyer):
    with pytest.raises(accounts.AccountError) as error:
        accounts.change_password(session, buyer, factories.PASSWORD, "password", "pbkdf2:sha256:1000")
    assert error.value.code == "weak_password"
