"""Exports of the programme indicators: each parses, holds the figures of indicators() and
breakdown(), is written to the audit log, neutralises formulas, and never leaks buyers' details."""
import csv
import io
import json
from datetime import date

import openpyxl
import pytest
from sqlalchemy import select

from marketplace.models import AuditLog, DeliveryMethod
from marketplace.services.indicators import Filters, Period, breakdown, indicators
from tests import factories
from tests import test_indicators_exact as dataset
from tests.test_indicators_exact import online_order, utc

world = dataset.world      # the hand-computed dataset of tests/test_indicators_exact.py, as a fixture

JANUARY = Period(date(2026, 1, 1), date(2026, 1, 31))
QUERY = "start=2026-01-01&end=2026-01-31"


def rows_of(response) -> list[list[str]]:
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def test_indicators_csv_holds_the_figures_and_the_previous_period(officer_client, session, world):
    response = officer_client.get(f"/petugas/indikator/ekspor.csv?{QUERY}")
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    table = {row[0]: row[1:] for row in rows_of(response)[2:]}
    now, before = indicators(session, JANUARY), indicators(session, JANUARY.previous())
    assert table["gmv"][:2] == [str(now.gmv), str(before.gmv)] == ["251000", "110000"]
    assert table["gmv_offline"][0] == "61000"
    assert table["transactions"][0] == "8"
    assert float(table["repeat_buyer_rate"][0]) == pytest.approx(2 / 3)
    assert table["aov"][0] == "47500"


def test_breakdown_csv_for_each_dimension(officer_client, session, world):
    result = breakdown(session, JANUARY, None, "cohort")
    rows = rows_of(officer_client.get(f"/petugas/indikator/ekspor.csv?{QUERY}&breakdown=cohort"))
    assert rows[0][:3] == ["key", "label", "gmv"]
    assert {row[0]: int(row[2]) for row in rows[1:-1]} == {
        str(row.key) if row.key is not None else "": row.gmv for row in result.rows}
    assert rows[-1][0] == "total" and rows[-1][2] == "251000"
    assert officer_client.get(f"/petugas/indikator/ekspor.csv?{QUERY}&breakdown=weather").status_code == 400


def test_json_holds_everything(officer_client, session, world):
    url = f"/petugas/indikator/ekspor.json?{QUERY}&channel=offline"
    data = json.loads(officer_client.get(url).get_data(as_text=True))
    assert data["period"] == {"start": "2026-01-01", "end": "2026-01-31"}
    assert data["filters"]["channel"] == "offline"
    assert data["indicators"]["gmv"] == indicators(session, JANUARY, Filters(channel="offline")).gmv == 61_000
    assert data["previous_period"]["gmv"] == 10_000
    assert set(data["breakdowns"]) == {"month", "channel", "training_type", "cohort", "kecamatan", "category", "seller"}
    assert data["breakdowns"]["month"]["rows"][0]["key"] == "2026-01"
    sellers = {row["label"]: row["gmv"] for row in data["breakdowns"]["seller"]["rows"]}
    assert sellers == {"Jahit": 15_000, "Tani": 46_000}


def test_xlsx_is_formatted_and_holds_the_figures(officer_client, session, world):
    response = officer_client.get(f"/petugas/indikator/ekspor.xlsx?{QUERY}")
    book = openpyxl.load_workbook(io.BytesIO(response.get_data()))
    assert book.sheetnames[0] == "Indikator"
    assert {"month", "channel", "training_type", "cohort", "kecamatan", "category", "seller"} <= set(book.sheetnames)
    sheet = book["Indikator"]
    assert sheet.freeze_panes == "A2" and sheet["A1"].font.bold
    cells = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    assert cells["gmv"][1].value == indicators(session, JANUARY).gmv == 251_000
    assert cells["gmv"][1].number_format == "#,##0"
    assert cells["active_rate"][1].value == pytest.approx(0.75)
    assert cells["active_rate"][1].number_format == "0.0%"
    assert sheet.column_dimensions["A"].width > 10
    months = {row[0].value: row[2].value for row in book["month"].iter_rows(min_row=2)}
    assert months["2026-01"] == 251_000


def test_every_export_is_written_to_the_audit_log(officer_client, session, officer, world):
    for url in (f"/petugas/indikator/ekspor.csv?{QUERY}", f"/petugas/indikator/ekspor.json?{QUERY}",
                f"/petugas/indikator/ekspor.xlsx?{QUERY}", f"/petugas/indikator/transaksi.csv?{QUERY}&channel=online"):
        assert officer_client.get(url).status_code == 200
    entries = session.scalars(select(AuditLog).order_by(AuditLog.id)).all()
    exports = [e for e in entries if e.action.startswith("export.")]
    assert [e.action for e in exports] == ["export.indicators"] * 3 + ["export.transactions"]
    assert all(e.actor_id == officer.id for e in exports)
    assert json.loads(exports[-1].details) == {"format": "csv", "start": "2026-01-01", "end": "2026-01-31",
                                                "channel": "online"}


def test_bad_export_requests_are_400_and_not_logged(officer_client, session, world):
    assert officer_client.get("/petugas/indikator/ekspor.csv?start=2026-02-01&end=2026-01-01").status_code == 400
    assert officer_client.get("/petugas/indikator/transaksi.csv?cohort=99999").status_code == 400
    assert officer_client.get("/petugas/indikator/ekspor.pdf").status_code == 404
    assert session.scalars(select(AuditLog).where(AuditLog.action.like("export.%"))).all() == []


def test_transactions_csv_has_one_row_per_sale_and_the_same_total(officer_client, session, world):
    rows = rows_of(officer_client.get(f"/petugas/indikator/transaksi.csv?{QUERY}"))
    header, sales = rows[0], rows[1:]
    assert header == ["date_wib", "channel", "reference", "seller_shop", "kecamatan", "training_types", "category",
                      "product", "quantity", "value", "payment_method", "delivery_regency"]
    assert sum(int(row[9]) for row in sales) == indicators(session, JANUARY).gmv
    o3 = [row for row in sales if row[0] == "2026-01-01"]          # confirmed Dec 31 UTC: Jan 1 WIB
    assert {row[3] for row in o3} == {"Jahit", "Tani"}
    assert {row[1] for row in sales} == {"online", "offline"}


def test_transactions_csv_never_holds_buyers_personal_details(officer_client, session, world):
    order = online_order(session, email="zulaikha.rahasia@example.id", confirmed=utc(2026, 1, 22, 3),
                         regency="35.73", parts=[(world["s1"], DeliveryMethod.COURIER,
                                                  [(world["s1"].products[0], 1, 0)])])
    order.buyer_name = "Zulaikha Rahasia"
    order.buyer_phone = "+6289911122233"
    order.recipient_name = "Penerima Tersembunyi"
    order.street = "Jl. Mawar Rahasia No. 17"
    order.desa = "Desa Rahasia"
    order.postal_code = "65199"
    order.regency_name = "Kota Malang"
    session.commit()
    body = officer_client.get(f"/petugas/indikator/transaksi.csv?{QUERY}").get_data(as_text=True)
    assert order.number in body and "Kota Malang" in body
    for secret in ("Zulaikha", "zulaikha.rahasia", "89911122233", "Penerima Tersembunyi", "Mawar", "Desa Rahasia",
                   "65199", "Pembeli", "tamu@example.id"):
        assert secret.lower() not in body.lower()


def test_formula_cells_are_neutralised_in_csv_and_xlsx(officer_client, session, world):
    world["s3"].shop_name = "=HYPERLINK(\"http://evil.example\")"
    session.commit()
    body = officer_client.get(f"/petugas/indikator/transaksi.csv?{QUERY}").get_data(as_text=True)
    shops = {row[3] for row in csv.reader(io.StringIO(body))}
    assert "'=HYPERLINK(\"http://evil.example\")" in shops
    assert not any(shop.startswith(("=", "+", "-", "@")) for shop in shops)
    book = openpyxl.load_workbook(io.BytesIO(officer_client.get(f"/petugas/indikator/ekspor.xlsx?{QUERY}").get_data()))
    labels = [row[1].value for row in book["seller"].iter_rows(min_row=2)]
    assert "'=HYPERLINK(\"http://evil.example\")" in labels


def test_exports_are_for_officers_only(buyer_client, seller_client, world):
    for client in (buyer_client, seller_client):
        assert client.get(f"/petugas/indikator/ekspor.json?{QUERY}").status_code == 403
        assert client.get(f"/petugas/indikator/transaksi.csv?{QUERY}").status_code == 403


def test_a_factory_seller_with_no_sales_gives_empty_exports(officer_client, session):
    factories.make_seller(session, shop_name="Kosong")
    rows = rows_of(officer_client.get("/petugas/indikator/transaksi.csv?start=2026-01-01&end=2026-01-31"))
    assert rows == [rows[0]]
    data = json.loads(officer_client.get(f"/petugas/indikator/ekspor.json?{QUERY}").get_data(as_text=True))
    assert data["indicators"]["gmv"] == 0 and data["breakdowns"]["month"]["rows"] == []
