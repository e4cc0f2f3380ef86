"""Who may open the officers' area: officers and admins; admins alone manage officers.
Buyers and producers get 403 everywhere, anonymous visitors are sent to log in."""
from __future__ import annotations

import pytest

from marketplace.models import Product, ProductStatus, Role, User
from tests import factories
from tests.conftest import login


@pytest.fixture(autouse=True)
def _english_pages(request, session):
    """Officers read these pages in English, so assertions use the English msgids whatever the catalogue says."""
    for name in ("officer", "admin_user"):
        if name in request.fixturenames:
            request.getfixturevalue(name).preferred_language = "en"
    session.commit()

# Every officer page, with placeholders for ids the `ids` fixture fills in.
OFFICER_GETS = [
    "/petugas/", "/petugas/penjual", "/petugas/penjual/{seller}", "/petugas/log", "/petugas/produk",
    "/petugas/produk/{product}", "/petugas/pelatihan", "/petugas/pelatihan/baru",
    "/petugas/pelatihan/{training_type}/ubah", "/petugas/pelatihan/angkatan/baru",
    "/petugas/pelatihan/angkatan/{cohort}/ubah", "/petugas/kategori", "/petugas/kategori/baru",
    "/petugas/kategori/{category}/ubah",
]
OFFICER_POSTS = [
    "/petugas/penjual/{seller}/setujui", "/petugas/penjual/{seller}/tolak", "/petugas/penjual/{seller}/tangguhkan",
    "/petugas/penjual/{seller}/pulihkan", "/petugas/produk/{product}/turunkan", "/petugas/pelatihan/baru",
    "/petugas/pelatihan/{training_type}/ubah", "/petugas/pelatihan/angkatan/baru",
    "/petugas/pelatihan/angkatan/{cohort}/ubah", "/petugas/kategori/baru", "/petugas/kategori/{category}/ubah",
    "/petugas/kategori/{category}/hapus",
]
ADMIN_GETS = ["/petugas/staf", "/petugas/staf/baru"]
ADMIN_POSTS = ["/petugas/staf/baru", "/petugas/staf/{officer}/nonaktifkan", "/petugas/staf/{officer}/aktifkan"]


@pytest.fixture
def ids(session, seller, officer):
    cohort = factories.make_training(session)
    category = factories.make_category(session)
    product = factories.make_product(session, seller=seller, category=category)
    return {"seller": seller.id, "product": product.id, "training_type": cohort.training_type_id,
            "cohort": cohort.id, "category": category.id, "officer": officer.id}


def every_request(ids, gets, posts):
    return [("get", url.format(**ids)) for url in gets] + [("post", url.format(**ids)) for url in posts]


def test_anonymous_visitors_are_sent_to_log_in(client, ids):
    for method, url in every_request(ids, OFFICER_GETS + ADMIN_GETS, OFFICER_POSTS + ADMIN_POSTS):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert "/akun/masuk" in response.headers["Location"], url


@pytest.mark.parametrize("who", ["buyer_client", "seller_client"])
def test_buyers_and_producers_get_403_on_every_officer_url(request, ids, session, who):
    user_client = request.getfixturevalue(who)
    for method, url in every_request(ids, OFFICER_GETS + ADMIN_GETS, OFFICER_POSTS + ADMIN_POSTS):
        response = getattr(user_client, method)(url, data={"reason": "x"})
        assert response.status_code == 403, url
    assert session.query(Product).filter_by(status=ProductStatus.PUBLISHED).count() == 1


def test_officers_open_every_officer_page(officer_client, ids):
    for url in OFFICER_GETS:
        response = officer_client.get(url.format(**ids))
        assert response.status_code == 200, url


def test_admins_open_every_officer_page_too(admin_client, ids):
    for url in OFFICER_GETS + ADMIN_GETS:
        response = admin_client.get(url.format(**ids))
        assert response.status_code == 200, url


def test_officers_get_403_on_officer_management(officer_client, ids, session, officer):
    for method, url in every_request(ids, ADMIN_GETS, ADMIN_POSTS):
        response = getattr(officer_client, method)(url, data={"name": "X", "email": "x@example.id",
                                                               "password": "rahasia123", "language": "id"})
        assert response.status_code == 403, url
    session.refresh(officer)
    assert officer.is_active_account
    assert session.query(User).filter_by(email="x@example.id").count() == 0


def test_a_deactivated_officers_open_session_is_logged_out(app, session):
    officer = factories.make_user(session, role=Role.OFFICER)
    officer_client = app.test_client()
    login(officer_client, officer)
    assert officer_client.get("/petugas/").status_code == 200

    officer.is_active_account = False
    session.commit()
    response = officer_client.get("/petugas/")

    assert response.status_code == 302
    assert "/akun/masuk" in response.headers["Location"]


def test_the_menu_links_officers_to_the_programme_pages(officer_client, buyer_client):
    assert "/petugas/" in officer_client.get("/").get_data(as_text=True)
    assert "/petugas/" not in buyer_client.get("/").get_data(as_text=True)
