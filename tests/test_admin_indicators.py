"""The officers' programme dashboard: presets, combined filters, charts, bad input, access, queries.

Figures come from the hand-computed dataset of tests/test_indicators_exact.py (its `world` fixture);
"today" is fixed at 10 February 2026 WIB, so "last month" is January 2026.
"""
import re
from datetime import date

import pytest
from sqlalchemy import event

from marketplace.admin.indicator_forms import preset_period
from marketplace.extensions import db
from marketplace.formatting import format_rupiah
from marketplace.models import DeliveryMethod
from marketplace.services.indicators import Filters, Period, before_after, indicators
from tests import factories
from tests import test_indicators_exact as dataset
from tests.conftest import login
from tests.test_indicators_exact import offline, online_order, utc

world = dataset.world      # the hand-computed dataset of tests/test_indicators_exact.py, as a fixture

TODAY = date(2026, 2, 10)
JANUARY = Period(date(2026, 1, 1), date(2026, 1, 31))


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr("marketplace.admin.indicators._today", lambda: TODAY)


@pytest.fixture
def in_english(session, officer):
    """The officer reads English, so assertions can use the English msgids."""
    officer.preferred_language = "en"
    session.commit()


def rp(amount: int) -> str:
    return format_rupiah(amount, "id")


def indicator_row(html: str, key: str) -> str:
    match = re.search(rf'<tr id="indicator-{key}">(.*?)</tr>', html, re.DOTALL)
    assert match, key
    return " ".join(match.group(1).split())


def test_last_month_preset_shows_januarys_figures_beside_december(officer_client, world):
    response = officer_client.get("/petugas/indikator?preset=last_month")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    # January 251.000 against December 110.000 (O1 100.000 + F3 10.000): +128,2 %.
    gmv = indicator_row(html, "gmv")
    assert rp(251_000) in gmv and rp(110_000) in gmv and "128,2" in gmv
    assert rp(190_000) in indicator_row(html, "gmv_online")
    assert ">8<" in indicator_row(html, "transactions").replace(" ", "")
    assert "66,7" in indicator_row(html, "repeat_buyer_rate")
    assert "75,0" in indicator_row(html, "active_rate")
    assert "50,0" in indicator_row(html, "sellers_growing_share")


@pytest.mark.parametrize(("preset", "period"), [
    ("this_month", Period(date(2026, 2, 1), date(2026, 2, 10))),
    ("last_month", JANUARY),
    ("this_quarter", Period(date(2026, 1, 1), date(2026, 2, 10))),
    ("last_quarter", Period(date(2025, 10, 1), date(2025, 12, 31))),
    ("this_year", Period(date(2026, 1, 1), date(2026, 2, 10))),
])
def test_each_preset_shows_the_figures_of_its_period(officer_client, session, world, preset, period):
    expected = indicators(session, period).gmv
    html = officer_client.get(f"/petugas/indikator?preset={preset}").get_data(as_text=True)
    assert rp(expected) in indicator_row(html, "gmv")


@pytest.mark.parametrize(("today", "period"), [
    (date(2026, 2, 10), Period(date(2025, 10, 1), date(2025, 12, 31))),
    (date(2026, 5, 31), Period(date(2026, 1, 1), date(2026, 3, 31))),
    (date(2026, 12, 1), Period(date(2026, 7, 1), date(2026, 9, 30))),
])
def test_last_quarter_is_the_whole_previous_calendar_quarter(today, period):
    assert preset_period("last_quarter", today) == period


def test_custom_dates_and_combined_filters(officer_client, session, world):
    # Organic farming in Kota Blitar's Kepanjenkidul, online only: S2's O3 30.000 and O4 50.000.
    url = (f"/petugas/indikator?preset=custom&start=2026-01-01&end=2026-01-31"
           f"&training_type={world['organik'].id}&kecamatan=35.72.01&channel=online")
    response = officer_client.get(url)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    filters = Filters(training_type_id=world["organik"].id, kecamatan_code="35.72.01", channel="online")
    assert indicators(session, JANUARY, filters).gmv == 80_000
    assert rp(80_000) in indicator_row(html, "gmv")
    assert rp(0) in indicator_row(html, "gmv_offline")


def test_cohort_and_category_filters_combine(officer_client, session, world):
    url = (f"/petugas/indikator?start=2026-01-01&end=2026-01-31&cohort={world['b1'].id}"
           f"&category={world['food'].id}")
    html = officer_client.get(url).get_data(as_text=True)
    expected = indicators(session, JANUARY, Filters(cohort_id=world["b1"].id, category_id=world["food"].id)).gmv
    assert rp(expected) in indicator_row(html, "gmv")


def test_charts_are_svg_with_a_title_and_their_numbers_in_a_table(officer_client, world, in_english):
    html = officer_client.get("/petugas/indikator?start=2025-12-01&end=2026-02-28").get_data(as_text=True)
    assert html.count('role="img"') == 5
    assert "<title" in html and "style=" not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)          # no inline script
    monthly = html[html.index('id="chart-month-value-title"'):html.index('id="chart-month-transactions-title"')]
    for month, value in (("2025-12", 110_000), ("2026-01", 251_000), ("2026-02", 25_000)):
        assert month in monthly and rp(value) in monthly
    channel = html[html.index('id="chart-channel-title"'):]
    # December to February: online O1 100.000 + January 190.000 + O2 20.000; offline 10.000 + 61.000 + 5.000.
    assert rp(310_000) in channel and rp(76_000) in channel
    assert "counts in both rows" in html


def test_cohort_table_counts_a_seller_in_each_cohort(officer_client, world, in_english):
    html = officer_client.get("/petugas/indikator?preset=last_month").get_data(as_text=True)
    table = html[html.index('id="table-cohort"'):html.index('id="table-category"')]
    # S1 (A1, B1) 95.000; S2 (B1, B2) 126.000: B1 = 221.000, and S3 has no cohort (30.000).
    assert rp(221_000) in table and rp(126_000) in table and rp(95_000) in table
    assert "A producer in two cohorts counts in both rows" in table


@pytest.mark.parametrize(("query", "message"), [
    ("preset=custom&start=2026-02-01&end=2026-01-01", "The end date cannot be before the start date."),
    ("start=2026-13-01&end=2026-01-31", "Enter a date like 2025-03-14."),
    ("start=1900-01-01&end=1900-01-31", "Choose dates between the years 2000 and 2100."),
    ("start=2001-01-01&end=2026-01-31", "Choose a period of at most ten years."),
    ("preset=tomorrow", "The report could not be read."),
    ("training_type=999999", "Choose a training type from the list."),
    ("cohort=abc", "Choose a cohort from the list."),
    ("category=-1", "Choose a category from the list."),
    ("kecamatan=99.99.99", "Choose a kecamatan from the list."),
    ("channel=carrier-pigeon", "Choose online or offline sales from the list."),
])
def test_bad_input_is_a_400_with_the_message(officer_client, world, in_english, query, message):
    response = officer_client.get(f"/petugas/indikator?{query}")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


@pytest.mark.parametrize("url", ["/petugas/indikator", "/petugas/indikator/penjual",
                                 "/petugas/indikator/ekspor.csv", "/petugas/indikator/transaksi.csv"])
def test_buyers_and_sellers_are_refused_and_visitors_sent_to_log_in(buyer_client, seller_client, client, url):
    assert buyer_client.get(url).status_code == 403
    assert seller_client.get(url).status_code == 403
    response = client.get(url)
    assert response.status_code == 302 and "/akun/" in response.headers["Location"]


def test_the_dashboard_links_to_the_indicators(officer_client):
    assert "/petugas/indikator" in officer_client.get("/petugas/").get_data(as_text=True)


def _count_queries(client, url) -> int:
    statements = []

    def count(*args, **kwargs):
        statements.append(1)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(statements)


def test_the_dashboard_makes_the_same_number_of_queries_whatever_the_data(app, session, officer, world):
    url = "/petugas/indikator?start=2025-12-01&end=2026-01-31"
    client = app.test_client()
    login(client, officer)
    before = _count_queries(client, url)
    for n in range(5):
        extra = factories.make_seller(session, shop_name=f"Tambahan {n}", kecamatan_code="35.05.17")
        product = factories.make_product(session, seller=extra, category=world["crafts"], price=1_000 + n)
        online_order(session, buyer=None, email=f"tamu{n}@example.id", confirmed=utc(2026, 1, 3 + n, 3),
                     parts=[(extra, DeliveryMethod.PICKUP, [(product, 1, 0)])])
        offline(session, extra, date(2026, 1, 4 + n), 2_000, officer=officer)
    assert _count_queries(client, url) == before


# ---- producers table and one producer's page ----------------------------------------------

def test_producers_table_for_january(officer_client, world):
    response = officer_client.get("/petugas/indikator/penjual?preset=last_month")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    rows = re.findall(r"<tr>\s*<th scope=\"row\">(.*?)</tr>", html, re.DOTALL)
    names = [re.search(r">([^<]+)</a>", row).group(1) for row in rows]
    # Highest value first: Tani 126.000, Jahit 95.000 (December 100.000), Baru 30.000.
    assert names == ["Tani", "Jahit", "Baru"]
    tani = " ".join(rows[0].split())
    assert rp(126_000) in tani and "1 Januari 2026" in tani and "31 Januari 2026" in tani
    assert "+1.160,0" in tani          # 10.000 -> 126.000
    jahit = " ".join(rows[1].split())
    assert "-5,0" in jahit             # 100.000 -> 95.000


def test_producers_table_sorts_by_name_and_refuses_unknown_sorts(officer_client, world, in_english):
    html = officer_client.get("/petugas/indikator/penjual?preset=last_month&sort=name").get_data(as_text=True)
    assert html.index(">Baru<") < html.index(">Jahit<") < html.index(">Tani<")
    response = officer_client.get("/petugas/indikator/penjual?preset=last_month&sort=drop-table")
    assert response.status_code == 400
    assert "Choose how to sort the table from the list." in response.get_data(as_text=True)
    assert officer_client.get("/petugas/indikator/penjual?preset=last_month&page=9").status_code == 404
    assert officer_client.get("/petugas/indikator/penjual?preset=custom&end=x").status_code == 400


def test_one_producers_page_has_monthly_sales_and_before_after(officer_client, session, world, in_english):
    s1 = world["s1"]
    html = officer_client.get(f"/petugas/indikator/penjual/{s1.id}?start=2025-12-01&end=2026-01-31").get_data(
        as_text=True)
    assert "Jahit" in html
    assert rp(100_000) in html and rp(95_000) in html
    assert '<tr><th scope="row">2025-12</th><td class="number">Rp 100.000</td></tr>' in html
    assert "Before and after training" in html
    comparisons = before_after(session, s1.id, today=TODAY)
    assert len(comparisons) == 2 and all(item.enough_data for item in comparisons)
    for item in comparisons:
        assert f"<dd>{rp(item.average_before)}</dd>" in html and f"<dd>{rp(item.average_after)}</dd>" in html
    assert officer_client.get("/petugas/indikator/penjual/999999").status_code == 404


def test_the_monthly_chart_shows_months_without_sales_as_zero(officer_client, world, in_english):
    html = officer_client.get(f"/petugas/indikator/penjual/{world['s1'].id}?start=2025-06-01&end=2026-01-31"
                              ).get_data(as_text=True)
    for month in ("2025-06", "2025-07", "2025-08", "2025-09", "2025-10", "2025-11"):
        assert f'<tr><th scope="row">{month}</th><td class="number">{rp(0)}</td></tr>' in html
    assert html.count('class="chart-dot"') == 8


def test_a_producer_without_a_completed_training_has_no_comparison(officer_client, world, in_english):
    html = officer_client.get(f"/petugas/indikator/penjual/{world['s3'].id}").get_data(as_text=True)
    assert "has not completed a training" in html


def test_producers_table_dates_follow_the_category_filter(officer_client, world):
    html = officer_client.get(f"/petugas/indikator/penjual?preset=last_month&category={world['crafts'].id}"
                              ).get_data(as_text=True)
    rows = re.findall(r"<tr>\s*<th scope=\"row\">(.*?)</tr>", html, re.DOTALL)
    jahit = " ".join(next(row for row in rows if ">Jahit<" in row).split())
    # Jahit's only crafts sale in January is O3 (Jan 1 WIB); O8 (Jan 15) was food, F2 (Jan 5) had no product.
    assert rp(40_000) in jahit
    assert jahit.count("<td>1 Januari 2026</td>") == 2


@pytest.mark.parametrize("page", ["²", "99999999999999999999", "0", "-1"])
def test_a_producers_table_page_that_cannot_exist_is_not_found(officer_client, page):
    assert officer_client.get(f"/petugas/indikator/penjual?page={page}").status_code == 404
