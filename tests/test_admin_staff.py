"""Admins list officers and admins, create officers with a temporary password, and
deactivate or reactivate them, never themselves."""
from __future__ import annotations

import pytest

from marketplace.models import AuditLog, Role, User
from tests import factories


@pytest.fixture(autouse=True)
def _english_pages(request, session):
    """Officers read these pages in English, so assertions use the English msgids whatever the catalogue says."""
    for name in ("officer", "admin_user"):
        if name in request.fixturenames:
            request.getfixturevalue(name).preferred_language = "en"
    session.commit()


def test_staff_page_lists_officers_and_admins_but_not_buyers(admin_client, session, officer, buyer):
    page = admin_client.get("/petugas/staf").get_data(as_text=True)
    assert "Petugas Dinas" in page and "Admin Dinas" in page
    assert buyer.email not in page


def test_admin_creates_an_officer_who_can_then_log_in(admin_client, admin_user, session, app):
    response = admin_client.post("/petugas/staf/baru", data={
        "name": "Bu Rina", "email": "Rina@Dinas.example.id", "password": "sementara99", "language": "en"})

    assert response.status_code == 303
    officer = session.query(User).filter_by(email="rina@dinas.example.id").one()
    assert officer.role == Role.OFFICER and officer.preferred_language == "en" and officer.is_active_account
    entry = session.query(AuditLog).filter_by(action="officer.created").one()
    assert entry.actor_id == admin_user.id and entry.subject_id == officer.id
    new_client = app.test_client()
    new_client.post("/akun/masuk", data={"email": "rina@dinas.example.id", "password": "sementara99"})
    assert new_client.get("/petugas/").status_code == 200


def test_creating_an_officer_with_a_taken_email_or_weak_password_is_refused(admin_client, session, officer):
    taken = admin_client.post("/petugas/staf/baru", data={
        "name": "Lagi", "email": officer.email.upper(), "password": "sementara99", "language": "id"})
    weak = admin_client.post("/petugas/staf/baru", data={
        "name": "Baru", "email": "baru@example.id", "password": "12345678", "language": "id"})
    bad_language = admin_client.post("/petugas/staf/baru", data={
        "name": "Baru", "email": "baru@example.id", "password": "sementara99", "language": "fr"})

    assert taken.status_code == 400
    assert "An account with this e-mail already exists." in taken.get_data(as_text=True)
    assert weak.status_code == 400
    assert bad_language.status_code == 400
    assert session.query(User).filter_by(email="baru@example.id").count() == 0
    assert session.query(AuditLog).count() == 0


def test_admin_deactivates_and_reactivates_an_officer(admin_client, admin_user, session, officer, app):
    response = admin_client.post(f"/petugas/staf/{officer.id}/nonaktifkan")

    assert response.status_code == 303
    session.refresh(officer)
    assert not officer.is_active_account
    officer_browser = app.test_client()
    login = officer_browser.post("/akun/masuk", data={"email": officer.email, "password": factories.PASSWORD})
    assert login.status_code >= 400
    assert officer_browser.get("/petugas/").status_code == 302  # not logged in

    assert admin_client.post(f"/petugas/staf/{officer.id}/aktifkan").status_code == 303
    session.refresh(officer)
    assert officer.is_active_account
    actions = [e.action for e in session.query(AuditLog).order_by(AuditLog.id)]
    assert actions == ["officer.deactivated", "officer.reactivated"]
    assert {e.actor_id for e in session.query(AuditLog)} == {admin_user.id}


def test_admins_cannot_deactivate_themselves(admin_client, admin_user, session):
    page = admin_client.get("/petugas/staf").get_data(as_text=True)
    assert f"/petugas/staf/{admin_user.id}/nonaktifkan" not in page

    response = admin_client.post(f"/petugas/staf/{admin_user.id}/nonaktifkan")

    assert response.status_code == 409
    assert "You cannot deactivate your own account." in response.get_data(as_text=True)
    session.refresh(admin_user)
    assert admin_user.is_active_account
    assert session.query(AuditLog).count() == 0


def test_deactivating_twice_is_refused_clearly(admin_client, session, officer):
    admin_client.post(f"/petugas/staf/{officer.id}/nonaktifkan")
    response = admin_client.post(f"/petugas/staf/{officer.id}/nonaktifkan")
    assert response.status_code == 409
    assert session.query(AuditLog).filter_by(action="officer.deactivated").count() == 1


def test_buyers_producers_and_unknown_ids_are_not_staff(admin_client, session, buyer, seller):
    for user_id in (buyer.id, seller.user.id, 99999):
        assert admin_client.post(f"/petugas/staf/{user_id}/nonaktifkan").status_code == 404
    session.refresh(buyer)
    assert buyer.is_active_account


def test_staff_changes_need_a_csrf_token(admin_client, session, officer, csrf_enabled):
    assert admin_client.post(f"/petugas/staf/{officer.id}/nonaktifkan").status_code == 400
    session.refresh(officer)
    assert officer.is_active_account
