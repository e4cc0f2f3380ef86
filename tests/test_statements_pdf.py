"""The producer's sales statement PDF and its public verification page."""
from __future__ import annotations

import io
import json

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from marketplace.formatting import format_rupiah
from marketplace.models import AuditLog, StatementIssue, utcnow
from marketplace.services import statements
from marketplace.services.indicators import Filters, breakdown
from tests.conftest import login
from tests.test_statements_data import (
    BUYER_EMAIL,
    BUYER_NAME,
    BUYER_PHONE,
    JAN_FEB,
    build,
)


@pytest.fixture
def history(session, seller, other_seller, officer):
    return build(session, seller, other_seller, officer)


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def issue(client, first="2026-01", last="2026-02"):
    return client.post("/penjual/penjualan/laporan", data={"from_month": first, "to_month": last})


def test_the_statement_pdf_shows_the_indicator_figures_and_a_verification_code(
        app, session, seller_client, seller, history):
    seller.nib = "1234567890123"
    seller.user.name = "Sri Wahyuni"
    session.commit()
    response = issue(seller_client)
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    text = pdf_text(response.data)
    months = breakdown(session, JAN_FEB, Filters(seller_id=seller.id), "month")
    for row in [*months.rows, months.total]:
        assert format_rupiah(row.gmv, "id") in text
    assert "2026-01" in text and "2026-02" in text
    assert "Anyaman Bu Sri" in text and "Sri Wahyuni" in text and "1234567890123" in text
    stored = session.scalars(select(StatementIssue)).one()
    assert (stored.sales_value, stored.sales_online, stored.sales_offline, stored.transactions) == (
        months.total.gmv, months.total.gmv_online, months.total.gmv_offline, months.total.transactions)
    assert stored.figures_sha256 == statements.statement_data(session, seller, JAN_FEB).sha256()
    assert stored.code in text
    assert app.config["SITE_URL"].rstrip("/") + f"/verifikasi/{stored.code}" in text.replace("\n", "")
    assert stored.issued_by_id == seller.user_id


def test_the_statement_shows_no_buyer_data(seller_client, history):
    text = pdf_text(issue(seller_client).data)
    for secret in (BUYER_NAME, BUYER_EMAIL, BUYER_PHONE, "Rahasia"):
        assert secret not in text


def test_issuing_is_audited(session, seller_client, seller, history):
    issue(seller_client)
    entry = session.scalars(select(AuditLog).where(AuditLog.action == "statement.issued")).one()
    assert (entry.actor_id, entry.subject_type, entry.subject_id) == (seller.user_id, "seller", seller.id)
    assert json.loads(entry.details)["sales_value"] == 165_000


@pytest.mark.parametrize("first, last", [("2026-02", "2026-01"), ("2026-13", "2026-12"), ("", ""),
                                         ("2020-01", "2026-01"), ("<script>", "2026-01")])
def test_bad_month_ranges_are_a_400_and_issue_nothing(session, seller_client, history, first, last):
    response = issue(seller_client, first, last)
    assert response.status_code == 400
    assert 'class="error"' in response.get_data(as_text=True)
    assert session.scalar(select(func.count(StatementIssue.id))) == 0
    assert session.scalar(select(func.count(AuditLog.id)).where(AuditLog.action == "statement.issued")) == 0


def test_a_text_beyond_latin1_never_breaks_the_pdf(session, seller_client, seller, history):
    seller.shop_name = "Batik “Sri” 🌸 Ñ"
    session.commit()
    response = issue(seller_client)
    assert response.status_code == 200
    assert "Batik ?Sri? ? Ñ" in pdf_text(response.data)


def test_the_verification_page_confirms_a_real_code_without_buyer_data(session, client, seller_client, history):
    issue(seller_client)
    code = session.scalars(select(StatementIssue.code)).one()
    response = client.get(f"/verifikasi/{code}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Anyaman Bu Sri" in page and format_rupiah(165_000, "id") in page and code in page
    for secret in (BUYER_NAME, BUYER_EMAIL, BUYER_PHONE, "Tas", "Sambal"):
        assert secret not in page
    # A code read off paper, typed with spaces or in lower case, still matches.
    assert client.get(f"/verifikasi/{code[:6].lower()}-{code[6:]}").status_code == 200
    assert client.get(f"/verifikasi?code={code[:4]} {code[4:]}").status_code == 200


def test_an_altered_or_forged_code_is_a_404_that_reveals_nothing(session, client, seller_client, history):
    issue(seller_client)
    code = session.scalars(select(StatementIssue.code)).one()
    altered = code[:-1] + ("A" if code[-1] != "A" else "B")
    near = client.get(f"/verifikasi/{altered}")
    far = client.get("/verifikasi/ZZZZZZZZZZZZ")
    assert near.status_code == far.status_code == 404
    assert near.get_data(as_text=True) == far.get_data(as_text=True).replace("ZZZZZZZZZZZZ", altered)
    assert "Anyaman Bu Sri" not in near.get_data(as_text=True)
    assert client.get("/verifikasi/" + "X" * 300).status_code == 404
    assert client.get(f"/verifikasi?code={altered}").status_code == 404


def test_a_producer_downloads_their_own_statement_again_but_never_anothers(
        app, session, seller_client, other_seller, history):
    issue(seller_client)
    code = session.scalars(select(StatementIssue.code)).one()
    assert code in seller_client.get("/penjual/penjualan").get_data(as_text=True)
    again = seller_client.get(f"/penjual/penjualan/laporan/{code}")
    assert again.status_code == 200 and code in pdf_text(again.data)
    other = app.test_client()
    login(other, other_seller.user)
    refused = other.get(f"/penjual/penjualan/laporan/{code}")
    assert refused.status_code == 404
    assert "Anyaman Bu Sri" not in refused.get_data(as_text=True)
    assert code not in other.get("/penjual/penjualan").get_data(as_text=True)


def test_a_statement_whose_figures_changed_is_not_handed_out_again(session, seller_client, seller, officer, history):
    from datetime import date

    from marketplace.services import offline_sales

    issue(seller_client)
    code = session.scalars(select(StatementIssue.code)).one()
    offline_sales.record_sale(session, actor_id=officer.id, seller=seller, today=date(2026, 3, 1),
                              data=offline_sales.SaleInput(sale_date=date(2026, 2, 10), value=1_000))
    response = seller_client.get(f"/penjual/penjualan/laporan/{code}")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/penjual/penjualan")


def test_the_statement_form_needs_its_csrf_token(session, seller_client, history, csrf_enabled):
    assert issue(seller_client).status_code == 400
    assert session.scalar(select(func.count(StatementIssue.id))) == 0
    assert 'name="csrf_token"' in seller_client.get("/penjual/penjualan").get_data(as_text=True)


def test_a_long_statement_repeats_the_table_heading_on_every_page_and_lists_every_sale(app, session, seller,
                                                                                      history):
    from dataclasses import replace
    from datetime import date

    from marketplace.sellers.sales_forms import pdf_labels

    data = statements.statement_data(session, seller, JAN_FEB)
    many = [statements.SaleLine(date(2026, 1, 1 + number % 28), "online", "transfer", f"PLB-2026-{number:06d}",
                                "Keripik Tempe", 1, 1_000 * (number + 1)) for number in range(240)]
    stored = StatementIssue(code="ABCD-EFGH-JKLM", figures_sha256="0" * 64, issued_at=utcnow())
    with app.test_request_context():
        pdf = statements.render_pdf(replace(data, lines=many), stored, "https://pasar.example/verifikasi/x",
                                    labels=pdf_labels(), locale="id")
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]
    assert len(pages) >= 4
    assert all("Referensi" in page for page in pages[1:])     # the heading again on each following page
    text = "\n".join(pages)
    for number in range(240):
        assert text.count(f"PLB-2026-{number:06d}") == 1
    assert format_rupiah(240_000, "id") in text and "ABCD-EFGH-JKLM" in text
