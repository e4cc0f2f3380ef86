"""Who may open what: safe `next` redirects, role gates, switched-off accounts and CSRF."""
import pytest
from flask_babel import force_locale, gettext
from markupsafe import escape
from flask_login import login_user
from sqlalchemy import func, select
from werkzeug.exceptions import Forbidden
from werkzeug.security import check_password_hash

from marketplace.auth.decorators import admin_required, approved_seller_required, officer_required, seller_required
from marketplace.models import User
from marketplace.urls import is_safe_next
from tests import factories

OFF_SITE = ["//evil.com", "https://evil.com", "/\\evil.com", "javascript:alert(1)", "http:/evil.com",
            "/\t/evil.com", "\\\\evil.com", "evil.com", " //evil.com"]


def t(msgid, locale="id", html=True, **kwargs) -> str:
    """`msgid` as the user reads it in `locale` (HTML-escaped for pages), with or without a catalogue."""
    with force_locale(locale):
        text = gettext(msgid, **kwargs)
    return str(escape(text)) if html else text


def log_in(client, email, password=factories.PASSWORD, **extra):
    return client.post("/akun/masuk", data={"email": email, "password": password, **extra})


# ---- next ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("target", OFF_SITE)
def test_off_site_targets_are_not_safe(target):
    assert not is_safe_next(target)


@pytest.mark.parametrize("target", ["/", "/pesanan/keranjang", "/produk/tas?warna=merah"])
def test_paths_on_this_site_are_safe(target):
    assert is_safe_next(target)


@pytest.mark.parametrize("target", OFF_SITE)
def test_an_off_site_next_falls_back_to_the_home_page(client, session, target):
    factories.make_user(session, email="sri@example.id")

    page = client.get("/akun/masuk", query_string={"next": target}).get_data(as_text=True)
    response = log_in(client, "sri@example.id", next=target)

    assert 'name="next" type="hidden" value=""' in page
    assert response.status_code == 303
    assert response.headers["Location"] == "/"


def test_a_next_on_this_site_is_followed_after_login(client, session):
    factories.make_user(session, email="sri@example.id")

    response = log_in(client, "sri@example.id", next="/pesanan/keranjang")

    assert response.headers["Location"] == "/pesanan/keranjang"


# ---- role gates --------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/petugas/", "/penjual/", "/pesanan/penjual", "/akun/", "/akun/kata-sandi"])
def test_anonymous_visitors_are_sent_to_log_in_and_brought_back(client, session, path):
    officer = factories.make_user(session, email="petugas@example.id", role=factories.Role.OFFICER)
    factories.make_seller(session, user=officer)

    response = client.get(path)

    assert response.status_code == 302
    login_url = response.headers["Location"]
    assert login_url.startswith("/akun/masuk?next=")
    page = client.get(login_url).get_data(as_text=True)
    assert t("Please log in to open this page.") in page
    assert f'name="next" type="hidden" value="{path}"' in page
    assert log_in(client, "petugas@example.id", next=path).headers["Location"] == path
    assert client.get(path).status_code == 200


def test_the_programme_pages_refuse_buyers_and_producers_with_a_clear_403(buyer_client, seller_client):
    for client in (buyer_client, seller_client):
        response = client.get("/petugas/")
        assert response.status_code == 403
        page = response.get_data(as_text=True)
        assert t("This page is for programme officers.") in page
        assert t("Back to the home page") in page


def test_officers_and_admins_open_the_programme_pages(officer_client, admin_client):
    assert officer_client.get("/petugas/").status_code == 200
    assert admin_client.get("/petugas/").status_code == 200


def test_producer_pages_need_a_seller_profile(buyer_client, seller_client):
    refused = buyer_client.get("/pesanan/penjual")

    assert refused.status_code == 403
    assert t("This page is for producers. Register your shop first.") in refused.get_data(as_text=True)
    assert seller_client.get("/pesanan/penjual").status_code == 200
    assert seller_client.get("/penjual/").status_code == 200
    assert buyer_client.get("/penjual/").headers["Location"] == "/penjual/daftar-toko"


def _gate_result(app, decorator, user):
    """Call a view behind `decorator` as `user`: 'ok', or the Forbidden error's message."""
    view = decorator(lambda: "ok")
    with app.test_request_context("/"):
        login_user(user)
        try:
            return view()
        except Forbidden as error:
            return error.description


def test_admin_gate_lets_only_admins_through(app, session, officer, admin_user, buyer):
    assert _gate_result(app, admin_required, admin_user) == "ok"
    assert _gate_result(app, admin_required, officer) == t("This page is for administrators.", html=False)
    assert _gate_result(app, admin_required, buyer) == t("This page is for administrators.", html=False)


def test_approved_seller_gate_refuses_shops_waiting_for_approval(app, session):
    approved = factories.make_seller(session)
    waiting = factories.make_seller(session, status=factories.SellerStatus.PENDING)

    assert _gate_result(app, approved_seller_required, approved.user) == "ok"
    assert _gate_result(app, approved_seller_required, waiting.user) == t(
        "Your shop must be approved by a programme officer first.", html=False)
    assert _gate_result(app, seller_required, waiting.user) == "ok"
    assert _gate_result(app, officer_required, waiting.user) == t("This page is for programme officers.", html=False)


# ---- switched-off accounts --------------------------------------------------------------------------

def test_a_switched_off_account_cannot_log_in(client, session):
    user = factories.make_user(session, email="off@example.id", active=False)

    response = log_in(client, "off@example.id")

    assert response.status_code == 403
    message = t("This account has been switched off. Please contact a programme officer.")
    assert message in response.get_data(as_text=True)
    assert client.get("/akun/").status_code == 302
    session.refresh(user)
    assert user.last_login_at is None


def test_a_switched_off_account_with_a_wrong_password_gets_the_usual_answer(client, session):
    factories.make_user(session, email="off@example.id", active=False)

    response = log_in(client, "off@example.id", "salah12345")

    assert response.status_code == 400
    assert t("E-mail or password is not right.") in response.get_data(as_text=True)


def test_switching_an_account_off_ends_its_open_sessions(buyer_client, buyer, session):
    assert buyer_client.get("/akun/").status_code == 200

    buyer.is_active_account = False
    session.commit()

    assert buyer_client.get("/akun/").status_code == 302


# ---- CSRF ---------------------------------------------------------------------------------------------

def test_a_registration_without_csrf_token_is_refused(client, session, csrf_enabled):
    response = client.post("/akun/daftar", data={"name": "Sri", "email": "sri@example.id",
                                                 "password": "kopi2hitam", "confirm": "kopi2hitam"})

    assert response.status_code == 400
    message = t("Your form expired or was sent from elsewhere. Please reload the page and try again.")
    assert message in response.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(User)) == 0


def test_account_changes_without_csrf_token_are_refused(buyer_client, buyer, session, csrf_enabled):
    details = buyer_client.post("/akun/", data={"name": "Penyusup", "phone": "", "preferred_language": "en"})
    password = buyer_client.post("/akun/kata-sandi", data={
        "current_password": factories.PASSWORD, "password": "kopi2hitam", "confirm": "kopi2hitam"})
    logout = buyer_client.post("/akun/keluar")

    assert [details.status_code, password.status_code, logout.status_code] == [400, 400, 400]
    session.refresh(buyer)
    assert (buyer.name, buyer.preferred_language) == ("Sri Pembeli", "id")
    assert check_password_hash(buyer.password_hash, factories.PASSWORD)
    assert buyer_client.get("/akun/").status_code == 200


def test_forms_carry_a_csrf_token_and_work_with_it(client, session, csrf_enabled):
    factories.make_user(session, email="sri@example.id")
    page = client.get("/akun/masuk").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]

    response = log_in(client, "sri@example.id", csrf_token=token)

    assert response.status_code == 303

