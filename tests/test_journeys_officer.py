"""Journey in a real browser, at a 360x640 phone screen: a programme officer reads last month's
indicators for one training type in one kecamatan and downloads them as an Excel workbook and as the
PDF summary report; a producer downloads her monthly sales statement, and an anonymous visitor (a
bank officer, say) checks it on the public verification page.

The sales come from factories through the real checkout, payment and offline-sale services, with
times in the middle of last month (WIB):

  Anyaman Bu Sri   (Menjahit,      Kanigoro)     online 120.000 + 80.000, exhibition 50.000
  Keripik Pak Darmo (Olahan pangan, Kanigoro)    online  70.000
  Jahit Bu Wati    (Menjahit,      Sananwetan)   online  40.000

so "Menjahit" in "Kanigoro" is Bu Sri alone: 250.000 in 3 transactions (200.000 online, 50.000 offline),
and the whole programme made 360.000 in 5 transactions. Everything a person does happens in the pages,
in Indonesian, with CSRF protection on as in production.
"""
from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime, timedelta

import pytest

from marketplace.formatting import to_wib
from marketplace.models import StatementIssue, utcnow
from marketplace.services import offline_sales, payments
from marketplace.services.order_states import OFFICER
from tests import factories
from tests.browser import log_in, open_menu_link, screenshot

pytest.importorskip("playwright.sync_api", reason="pip install -r requirements-dev.txt")
from openpyxl import load_workbook  # noqa: E402
from playwright.sync_api import expect  # noqa: E402
from pypdf import PdfReader  # noqa: E402

SRI_EMAIL = "sri@example.id"
OFFICER_EMAIL = "petugas@dinas.example.id"


def last_month() -> tuple[date, date]:
    """First and last day of the previous WIB month, as the app computes it."""
    first_of_this = to_wib(utcnow()).date().replace(day=1)
    end = first_of_this - timedelta(days=1)
    return end.replace(day=1), end


def at(day: date, hour_utc: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour_utc, tzinfo=UTC)


def paid_by_transfer(session, product, quantity: int, when: datetime, officer_id: int) -> None:
    """A guest order placed through checkout at `when` and its transfer confirmed an hour later."""
    order = factories.place_order(session, [(product, quantity)], payment="transfer", now=when)
    payments.confirm_transfer(session, order, actor_id=officer_id, actor_role=OFFICER,
                              now=when + timedelta(hours=1))


def build_programme(session) -> dict:
    start, end = last_month()
    officer = factories.make_user(session, role=factories.Role.OFFICER, name="Petugas Dinas", email=OFFICER_EMAIL)
    sewing = factories.make_training(session, slug="menjahit", name_id="Menjahit", name_en="Sewing",
                                     cohort_name="Angkatan 2025", start=date(2025, 2, 3), end=date(2025, 2, 14))
    food = factories.make_training(session, slug="olahan-pangan", name_id="Olahan pangan", name_en="Food processing",
                                   cohort_name="Angkatan 2025", start=date(2025, 5, 5), end=date(2025, 5, 16))
    sri = factories.make_seller(session, shop_name="Anyaman Bu Sri", kecamatan_code="35.05.10",
                                user=factories.make_user(session, email=SRI_EMAIL, name="Sri Wahyuni"))
    darmo = factories.make_seller(session, shop_name="Keripik Pak Darmo", kecamatan_code="35.05.10")
    wati = factories.make_seller(session, shop_name="Jahit Bu Wati", kecamatan_code="35.72.03")
    for seller in (sri, darmo, wati):
        seller.approved_at = datetime(2025, 3, 3, 2, tzinfo=UTC)   # in the shop since their training
    factories.enrol(session, sri, sewing)
    factories.enrol(session, wati, sewing)
    factories.enrol(session, darmo, food)
    products = {
        "daster": factories.make_product(session, seller=sri, name="Daster Batik", price=120_000),
        "tas": factories.make_product(session, seller=sri, name="Tas Kain Perca", price=40_000),
        "keripik": factories.make_product(session, seller=darmo, name="Keripik Tempe", price=35_000),
        "masker": factories.make_product(session, seller=wati, name="Masker Kain", price=10_000),
    }
    for seller in (sri, darmo, wati):
        factories.set_delivery(session, seller, pickup=True)
    paid_by_transfer(session, products["daster"], 1, at(start + timedelta(days=9), 2), officer.id)
    paid_by_transfer(session, products["tas"], 2, at(start + timedelta(days=11), 4), officer.id)
    paid_by_transfer(session, products["keripik"], 2, at(start + timedelta(days=12), 5), officer.id)
    paid_by_transfer(session, products["masker"], 4, at(start + timedelta(days=13), 6), officer.id)
    fair = offline_sales.save_event(session, actor_id=officer.id, name="Pameran UMKM Alun-alun Blitar",
                                    place="Alun-alun Blitar", start_date=start + timedelta(days=14),
                                    end_date=start + timedelta(days=15))
    offline_sales.record_sale(session, actor_id=officer.id, seller=sri, today=end,
                              data=offline_sales.SaleInput(sale_date=start + timedelta(days=14), value=50_000,
                                                           event_id=fair.id))
    return {"start": start, "end": end, "sri_id": sri.id}


def download(page, link):
    """Click a download link or button as a person does; the file's bytes and suggested name."""
    with page.expect_download() as info:
        link.click()
    item = info.value
    with open(item.path(), "rb") as file:
        return file.read(), item.suggested_filename


def pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF")
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_officer_filters_and_downloads_indicators_and_a_producer_statement_is_verified(
        live_server, phone, axe, session):
    data = build_programme(session)
    start, end, sri_id = data["start"], data["end"], data["sri_id"]
    month_key = f"{start:%Y-%m}"
    session.rollback()  # end the test's read transaction: the server's threads write from here on

    # ---- the officer: last month, Menjahit in Kanigoro ---------------------------------------
    officer = phone()
    log_in(officer, live_server, OFFICER_EMAIL)
    open_menu_link(officer, "Program")
    officer.get_by_role("link", name="Indikator program").click()
    expect(officer.get_by_role("heading", level=1)).to_have_text("Indikator program")
    officer.get_by_label("Periode", exact=True).select_option(label="Bulan lalu")
    officer.get_by_role("button", name="Tampilkan").click()
    expect(officer.locator("#indicator-gmv td").first).to_have_text("Rp 360.000")
    expect(officer.locator("#indicator-transactions td").first).to_have_text("5")
    axe.check(officer)
    screenshot(officer, "programme-01-indicators-last-month")

    officer.get_by_label("Jenis pelatihan", exact=True).select_option(label="Menjahit")
    officer.get_by_label("Kecamatan", exact=True).select_option(label="Kanigoro, Kabupaten Blitar")
    officer.get_by_role("button", name="Tampilkan").click()
    expect(officer.get_by_label("Periode", exact=True)).to_have_value("last_month")
    expect(officer.get_by_label("Jenis pelatihan", exact=True)).to_have_value(re.compile(r"^\d+$"))
    expect(officer.locator("#indicator-gmv td").first).to_have_text("Rp 250.000")
    expect(officer.locator("#indicator-gmv_online td").first).to_have_text("Rp 200.000")
    expect(officer.locator("#indicator-gmv_offline td").first).to_have_text("Rp 50.000")
    expect(officer.locator("#indicator-transactions td").first).to_have_text("3")
    expect(officer.locator("#indicator-sellers_active td").first).to_have_text("1")
    # Nothing the month before: no change can be computed.
    expect(officer.locator("#indicator-gmv td").nth(1)).to_have_text("Rp 0")
    expect(officer.locator("#indicator-gmv td").nth(2)).to_have_text("–")
    axe.check(officer)
    screenshot(officer, "programme-02-indicators-filtered")

    # The Excel workbook holds the same figures, for the same period and filters.
    body, name = download(officer, officer.get_by_role("link", name="Berkas Excel (semua tabel)"))
    assert name == f"indikator-{start.isoformat()}-{end.isoformat()}.xlsx"
    workbook = load_workbook(io.BytesIO(body))
    figures = {row[0]: row[1] for row in workbook["Indikator"].iter_rows(min_row=2, values_only=True)}
    assert (figures["gmv"], figures["gmv_online"], figures["gmv_offline"]) == (250_000, 200_000, 50_000)
    assert (figures["transactions"], figures["orders"], figures["sellers_active"]) == (3, 2, 1)
    sellers = [row for row in workbook["seller"].iter_rows(min_row=2, values_only=True)]
    assert [(row[1], row[2]) for row in sellers] == [("Anyaman Bu Sri", 250_000), (None, 250_000)]
    months = {row[0]: row[2] for row in workbook["month"].iter_rows(min_row=2, values_only=True)}
    assert months == {month_key: 250_000, "total": 250_000}
    channels = {row[0]: row[2] for row in workbook["channel"].iter_rows(min_row=2, values_only=True)}
    assert (channels["online"], channels["offline"]) == (200_000, 50_000)

    # The PDF summary report, too (found by its address: its words are new and not translated yet).
    body, name = download(officer, officer.locator(".indicator-exports a[href*='/indikator/laporan.pdf']"))
    assert name == f"laporan-indikator-{start.isoformat()}_{end.isoformat()}.pdf"
    report = pdf_text(body)
    assert "Menjahit" in report and "Kanigoro" in report
    assert "Rp 250.000" in report and "Rp 200.000" in report and "Rp 50.000" in report
    assert "Anyaman Bu Sri" in report
    for other in ("Keripik Pak Darmo", "Jahit Bu Wati", "Rp 360.000"):
        assert other not in report

    # The producers table, for the same selection.
    officer.get_by_role("link", name="Tabel penjual").click()
    rows = officer.locator(".indicator-sellers tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Anyaman Bu Sri")
    expect(rows.first.locator("td").first).to_have_text("Rp 250.000")
    axe.check(officer)

    # The exhibition's page shows the offline sale behind the 50.000.
    open_menu_link(officer, "Program")
    officer.get_by_role("link", name="Pameran dan penjualan luring").click()
    officer.get_by_role("link", name="Pameran UMKM Alun-alun Blitar").click()
    expect(officer.locator("main")).to_contain_text("Total penjualan sah: Rp 50.000")
    expect(officer.locator(".offline-sales tbody tr")).to_contain_text("Anyaman Bu Sri")
    axe.check(officer)

    # ---- the producer downloads last month's sales statement -----------------------------------
    producer = phone()
    log_in(producer, live_server, SRI_EMAIL)
    open_menu_link(producer, "Toko saya")
    producer.locator(".actions").get_by_role("link", name="Penjualan saya").click()
    expect(producer.get_by_role("heading", level=1)).to_have_text("Penjualan saya")
    expect(producer.locator("#sales-value")).to_have_text("Rp 250.000")   # the last 12 months
    expect(producer.locator("#sales-transactions")).to_have_text("3")
    expect(producer.get_by_label("Bulan pertama")).to_have_value(month_key)
    expect(producer.get_by_label("Sampai bulan")).to_have_value(month_key)
    axe.check(producer)
    screenshot(producer, "programme-03-producer-sales")
    body, name = download(producer, producer.get_by_role("button", name="Unduh laporannya"))
    statement = pdf_text(body)
    code = re.search(r"Kode verifikasi: ([A-Z2-9]{12})", statement).group(1)
    assert name == f"laporan-penjualan-{start:%Y%m}-{end:%Y%m}-{code}.pdf"
    assert "Anyaman Bu Sri" in statement and "Sri Wahyuni" in statement
    # The month's row: online, offline, total, transactions.
    assert re.search(rf"{month_key}\s+Rp 200\.000\s+Rp 50\.000\s+Rp 250\.000\s+3", statement)
    link = re.search(r"(/verifikasi/[A-Z2-9]{12})", statement.replace("\n", "")).group(1)
    assert link == f"/verifikasi/{code}"

    # ---- an anonymous visitor checks it: from the PDF's link, and by typing the code ------------------
    visitor = phone()
    visitor.goto(live_server + link)
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Pemeriksaan laporan penjualan")
    figures = visitor.locator(".verification-figures")
    expect(figures).to_contain_text("Anyaman Bu Sri")
    expect(visitor.locator("#verified-total")).to_have_text("Rp 250.000")
    expect(figures).to_contain_text("Rp 200.000")
    expect(figures).to_contain_text("Rp 50.000")
    axe.check(visitor)
    screenshot(visitor, "programme-04-statement-verified")

    visitor.goto(live_server + "/verifikasi")
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Periksa laporan penjualan")
    axe.check(visitor)
    # As read off paper: lower case, with a dash in the middle.
    visitor.get_by_label("Kode verifikasi").fill(f"{code[:6].lower()}-{code[6:].lower()}")
    visitor.get_by_role("button", name="Periksa").click()
    expect(visitor.locator("#verified-total")).to_have_text("Rp 250.000")
    expect(visitor.locator(".verification-figures")).to_contain_text(code)

    # A code that was never issued is refused.
    visitor.goto(live_server + "/verifikasi")
    visitor.get_by_label("Kode verifikasi").fill("ABCDEFGH2345")
    visitor.get_by_role("button", name="Periksa").click()
    expect(visitor.get_by_role("alert")).to_contain_text("Tidak ada laporan")
    expect(visitor.locator("#verified-total")).to_have_count(0)

    axe.assert_clean()

    session.expire_all()
    issue = session.query(StatementIssue).one()
    assert (issue.code, issue.seller_id, issue.sales_value, issue.transactions) == (code, sri_id, 250_000, 3)
    assert (issue.period_start, issue.period_end) == (start, end)
    session.rollback()
