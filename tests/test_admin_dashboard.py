"""The officers' dashboard counts producers and products and links to every officer page;
the audit log lists entries newest first, filtered by action, paginated."""
from __future__ import annotations

import pytest

import re
from datetime import datetime, timedelta, timezone

from marketplace.models import AuditLog, ProductStatus, SellerStatus
from marketplace.services import audit
from tests import factories


@pytest.fixture(autouse=True)
def _english_pages(request, session):
    """Officers read these pages in English, so assertions use the English msgids whatever the catalogue says."""
    for name in ("officer", "admin_user"):
        if name in request.fixturenames:
            request.getfixturevalue(name).preferred_language = "en"
    session.commit()


def count_for(page: str, label: str) -> int:
    match = re.search(r"<strong>(\d+)</strong> " + re.escape(label), page)
    assert match, label
    return int(match.group(1))


def test_dashboard_counts_producers_by_status_and_published_products(officer_client, session):
    approved = factories.make_seller(session)
    factories.make_seller(session, status=SellerStatus.APPROVED)
    factories.make_seller(session, status=SellerStatus.PENDING)
    factories.make_seller(session, status=SellerStatus.PENDING)
    factories.make_seller(session, status=SellerStatus.PENDING)
    suspended = factories.make_seller(session, status=SellerStatus.SUSPENDED)
    factories.make_seller(session, status=SellerStatus.DRAFT)
    factories.make_product(session, seller=approved)
    factories.make_product(session, seller=approved, status=ProductStatus.DRAFT)
    factories.make_product(session, seller=suspended)

    page = officer_client.get("/petugas/").get_data(as_text=True)

    assert count_for(page, "producers waiting for approval") == 3
    assert count_for(page, "approved producers") == 2
    assert count_for(page, "suspended producers") == 1
    assert count_for(page, "published products") == 2


def test_dashboard_links_to_every_officer_page_and_officer_management_for_admins_only(officer_client, admin_client):
    officer_page = officer_client.get("/petugas/").get_data(as_text=True)
    for link in ("/petugas/penjual", "/petugas/produk", "/petugas/pelatihan", "/petugas/kategori", "/petugas/log"):
        assert f'href="{link}' in officer_page, link
    assert "/petugas/staf" not in officer_page
    assert 'href="/petugas/staf"' in admin_client.get("/petugas/").get_data(as_text=True)


def add_entry(session, *, action, actor, minutes_ago, reason=""):
    entry = audit.record(session, actor_id=actor.id, action=action, subject_type="seller", subject_id=1,
                         reason=reason)
    entry.created_at = datetime.now(timezone.utc) - timedelta(minutes=minutes_ago)
    session.commit()
    return entry


def test_audit_log_shows_newest_first_with_actor_and_reason(officer_client, session, officer):
    add_entry(session, action="seller.approved", actor=officer, minutes_ago=30)
    add_entry(session, action="seller.rejected", actor=officer, minutes_ago=5, reason="Foto kurang jelas")

    page = officer_client.get("/petugas/log").get_data(as_text=True)
    entries = page[page.index('<ol class="admin-log">'):]

    assert entries.index("Producer rejected") < entries.index("Producer approved")
    assert "Foto kurang jelas" in page
    assert "Petugas Dinas" in page


def test_audit_log_filters_by_action(officer_client, session, officer):
    add_entry(session, action="seller.approved", actor=officer, minutes_ago=30)
    add_entry(session, action="seller.rejected", actor=officer, minutes_ago=5, reason="Foto kurang jelas")

    page = officer_client.get("/petugas/log?action=seller.approved").get_data(as_text=True)

    assert "Foto kurang jelas" not in page
    assert '<option value="seller.approved" selected>' in page


def test_audit_log_refuses_an_unknown_action_and_a_bad_page(officer_client):
    assert officer_client.get("/petugas/log?action=drop.table").status_code == 400
    assert officer_client.get("/petugas/log?page=x").status_code == 404
    assert officer_client.get("/petugas/log?page=99").status_code == 404


def test_audit_log_is_paginated(officer_client, session, officer):
    for n in range(25):
        add_entry(session, action="seller.approved", actor=officer, minutes_ago=100 - n, reason=f"catatan-{n:02d}")

    first = officer_client.get("/petugas/log").get_data(as_text=True)
    second = officer_client.get("/petugas/log?page=2").get_data(as_text=True)

    assert "catatan-24" in first and "catatan-05" in first and "catatan-04" not in first
    assert "catatan-04" in second and "catatan-00" in second and "catatan-05" not in second
    assert "page=2" in first
    assert session.query(AuditLog).count() == 25
