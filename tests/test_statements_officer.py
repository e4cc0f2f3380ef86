"""Officers issue a producer's sales statement: same figures, audited, officer-only."""
from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from marketplace.formatting import format_rupiah
from marketplace.models import AuditLog, StatementIssue
from tests.test_statements_data import build


@pytest.fixture
def history(session, seller, other_seller, officer):
    return build(session, seller, other_seller, officer)


def url(seller) -> str:
    return f"/petugas/penjual/{seller.id}/laporan-penjualan"


def test_an_officer_issues_a_producers_statement_and_it_is_audited(session, officer_client, officer, seller, history):
    assert officer_client.get(url(seller)).status_code == 200
    response = officer_client.post(url(seller), data={"from_month": "2026-01", "to_month": "2026-02"})
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    stored = session.scalars(select(StatementIssue)).one()
    assert (stored.seller_id, stored.issued_by_id, stored.sales_value, stored.transactions) == (
        seller.id, officer.id, 165_000, 4)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    assert stored.code in text and format_rupiah(165_000, "id") in text
    entry = session.scalars(select(AuditLog).where(AuditLog.action == "statement.issued")).one()
    assert (entry.actor_id, entry.subject_type, entry.subject_id) == (officer.id, "seller", seller.id)
    assert stored.code in entry.details


def test_the_audit_log_page_names_the_action(session, officer_client, officer, seller, history):
    officer.preferred_language = "en"
    session.commit()
    officer_client.post(url(seller), data={"from_month": "2026-01", "to_month": "2026-01"})
    page = officer_client.get("/petugas/log?action=statement.issued").get_data(as_text=True)
    assert "Sales statement issued" in page


def test_bad_ranges_are_a_400_and_issue_nothing(session, officer_client, seller, history):
    response = officer_client.post(url(seller), data={"from_month": "2026-03", "to_month": "2026-01"})
    assert response.status_code == 400
    assert 'class="error"' in response.get_data(as_text=True)
    assert session.scalar(select(func.count(StatementIssue.id))) == 0


def test_only_officers_may_issue_and_unknown_producers_are_a_404(seller_client, buyer_client, officer_client,
                                                                 seller, other_seller):
    assert seller_client.get(url(other_seller)).status_code == 403
    assert seller_client.post(url(other_seller), data={"from_month": "2026-01", "to_month": "2026-01"}
                              ).status_code == 403
    assert buyer_client.get(url(seller)).status_code == 403
    assert officer_client.get("/petugas/penjual/999999/laporan-penjualan").status_code == 404
