"""Forgotten password: the same answer for every e-mail, a mailed single-use link that expires."""
import re

import pytest
from flask_babel import force_locale, gettext
from markupsafe import escape
from itsdangerous import URLSafeTimedSerializer
from werkzeug.security import check_password_hash

from marketplace.services import accounts
from tests import factories

NEW_PASSWORD = "kopi2hitam"
LINK = re.compile(r"http://localhost(/akun/atur-ulang/[A-Za-z0-9_.\-]+)")


def t(msgid, locale="id", html=True, **kwargs) -> str:
    """`msgid` as the user reads it in `locale` (HTML-escaped for pages), with or without a catalogue."""
    with force_locale(locale):
        text = gettext(msgid, **kwargs)
    return str(escape(text)) if html else text


def ask_for_link(client, email):
    return client.post("/akun/lupa-kata-sandi", data={"email": email})


def link_path(mail) -> str:
    match = LINK.search(mail.body)
    assert match, mail.body
    return match.group(1)


def choose_password(client, path, password=NEW_PASSWORD, confirm=None):
    return client.post(path, data={"password": password, "confirm": confirm if confirm is not None else password})


@pytest.fixture
def sri(session):
    return factories.make_user(session, email="sri@example.id", name="Sri Wahyuni")


def test_asking_for_a_link_mails_one_to_the_account(client, sri, mail_outbox):
    response = ask_for_link(client, "  SRI@example.id ")

    assert response.status_code == 303
    assert response.headers["Location"] == "/akun/lupa-kata-sandi/terkirim"
    assert len(mail_outbox) == 1
    mail = mail_outbox[0]
    assert mail.to == "sri@example.id"
    assert mail.subject == t("Choose a new password for %(site)s", html=False, site="Pasar Lokal Blitar")
    assert t("Hello %(name)s,", html=False, name="Sri Wahyuni") in mail.body
    assert "WIB" in mail.body  # the link's expiry time
    assert link_path(mail).startswith("/akun/atur-ulang/")


@pytest.mark.parametrize("email", ["nobody@example.id", "sri@example.id"])
def test_the_answer_is_the_same_whether_or_not_the_account_exists(client, sri, email):
    response = ask_for_link(client, email)
    page = client.get(response.headers["Location"])

    assert response.status_code == 303
    assert response.headers["Location"] == "/akun/lupa-kata-sandi/terkirim"
    assert t("If an account uses that e-mail address, we have sent it a link to choose a new password. "
             "The link works for a limited time and only once.") in page.get_data(as_text=True)


def test_no_mail_goes_to_an_unknown_or_switched_off_account(client, session, mail_outbox):
    factories.make_user(session, email="off@example.id", active=False)

    ask_for_link(client, "nobody@example.id")
    ask_for_link(client, "off@example.id")

    assert mail_outbox == []


def test_the_mail_is_written_in_the_recipients_language(client, session, mail_outbox, monkeypatch):
    factories.make_user(session, email="john@example.id", language="en")
    languages = []
    real_render_mail = accounts.render_mail

    def spy(template, language, **context):
        languages.append((template, language))
        return real_render_mail(template, language, **context)

    monkeypatch.setattr(accounts, "render_mail", spy)
    client.post("/bahasa", data={"lang": "id", "next": "/"})  # the visitor reads Indonesian

    ask_for_link(client, "john@example.id")

    assert languages == [("auth_password_reset", "en")]
    [mail] = mail_outbox
    assert mail.subject == t("Choose a new password for %(site)s", "en", html=False, site="Pasar Lokal Blitar")


def test_a_malformed_e_mail_is_refused(client, mail_outbox):
    response = ask_for_link(client, "not an e-mail")

    assert response.status_code == 400
    assert t("Enter a valid e-mail address.") in response.get_data(as_text=True)
    assert mail_outbox == []


def test_the_link_sets_a_new_password_and_logs_in(client, session, sri, mail_outbox):
    ask_for_link(client, "sri@example.id")
    path = link_path(mail_outbox[0])

    form = client.get(path)
    response = choose_password(client, path)

    assert form.status_code == 200
    assert form.headers["Referrer-Policy"] == "no-referrer"
    assert 'autocomplete="new-password"' in form.get_data(as_text=True)
    assert response.status_code == 303
    session.refresh(sri)
    assert check_password_hash(sri.password_hash, NEW_PASSWORD)
    assert sri.last_login_at is not None
    assert client.get("/akun/").status_code == 200


def test_the_link_works_only_once(app, client, session, sri, mail_outbox):
    ask_for_link(client, "sri@example.id")
    path = link_path(mail_outbox[0])
    choose_password(client, path)

    other = app.test_client()
    again_get = other.get(path)
    again_post = choose_password(other, path, password="teh2manis99")

    for response in (again_get, again_post):
        assert response.status_code == 400
        assert t("This link is not valid or has already been used.") in response.get_data(as_text=True)
    session.refresh(sri)
    assert check_password_hash(sri.password_hash, NEW_PASSWORD)


def test_an_expired_link_is_refused(app, client, session, sri, mail_outbox, monkeypatch):
    ask_for_link(client, "sri@example.id")
    path = link_path(mail_outbox[0])
    monkeypatch.setitem(app.config, "PASSWORD_RESET_MAX_AGE", -1)

    for response in (client.get(path), choose_password(client, path)):
        assert response.status_code == 400
        message = t("This link has expired. Links to reset a password work for a limited time only.")
        assert message in response.get_data(as_text=True)
    session.refresh(sri)
    assert check_password_hash(sri.password_hash, factories.PASSWORD)


def test_a_link_stops_working_when_the_password_is_changed_another_way(client, session, sri, mail_outbox):
    ask_for_link(client, "sri@example.id")
    path = link_path(mail_outbox[0])
    accounts.set_password(session, sri, "teh2manis99", "pbkdf2:sha256:1000")

    assert client.get(path).status_code == 400


def test_a_link_for_an_account_switched_off_since_is_refused(client, session, sri, mail_outbox):
    ask_for_link(client, "sri@example.id")
    path = link_path(mail_outbox[0])
    sri.is_active_account = False
    session.commit()

    assert client.get(path).status_code == 400


@pytest.mark.parametrize("make_token", [
    lambda app, user: "not-a-token",
    lambda app, user: accounts.make_reset_token(app.config["SECRET_KEY"], user)[:-2] + "xx",
    lambda app, user: accounts.make_reset_token("another-secret-key", user),
    lambda app, user: URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="password-reset").dumps(
        {"u": user.id, "f": "0" * 32}),
    lambda app, user: URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="password-reset").dumps(
        {"u": "1 OR 1=1", "f": "x"}),
    lambda app, user: URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="password-reset").dumps(["list"]),
])
def test_forged_links_are_refused(app, client, session, sri, make_token):
    path = f"/akun/atur-ulang/{make_token(app, sri)}"

    for response in (client.get(path), choose_password(client, path)):
        assert response.status_code == 400
        assert t("This link is not valid or has already been used.") in response.get_data(as_text=True)
    session.refresh(sri)
    assert check_password_hash(sri.password_hash, factories.PASSWORD)


def test_a_weak_new_password_is_refused_and_the_link_still_works(client, session, sri, mail_outbox):
    ask_for_link(client, "sri@example.id")
    path = link_path(mail_outbox[0])

    weak = choose_password(client, path, password="12345678")
    mismatched = choose_password(client, path, confirm="kopi2manis")

    too_easy = t("This password is too easy to guess. Use letters and numbers.")
    assert weak.status_code == 400 and too_easy in weak.get_data(as_text=True)
    assert mismatched.status_code == 400 and t("The passwords do not match.") in mismatched.get_data(as_text=True)
    assert choose_password(client, path).status_code == 303


def test_the_service_checks_expiry_and_single_use(app, session, sri):
    secret = app.config["SECRET_KEY"]
    token = accounts.make_reset_token(secret, sri)

    assert accounts.user_for_reset_token(session, secret, token, max_age=3600) == sri
    with pytest.raises(accounts.AccountError) as expired:
        accounts.user_for_reset_token(session, secret, token, max_age=-1)
    assert expired.value.code == "token_expired"

    accounts.reset_password(session, token, NEW_PASSWORD, secret_key=secret, max_age=3600,
                            hash_method="pbkdf2:sha256:1000")
    with pytest.raises(accounts.AccountError) as reused:
        accounts.reset_password(session, token, "teh2manis99", secret_key=secret, max_age=3600,
                                hash_method="pbkdf2:sha256:1000")
    assert reused.value.code == "token_invalid"

