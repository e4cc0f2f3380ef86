"""The officers' PDF summary report of the programme indicators: it holds the dashboard's figures
for the chosen period and filters, in the reader's language, is for officers only, refuses bad
input like the other exports, and is written to the audit log."""
import io
import json
import re
from datetime import date

import pytest
from flask_babel import force_locale
from flask_babel import gettext as _
from pypdf import PdfReader
from sqlalchemy import select

from marketplace.admin.exhibition_forms import INDICATOR_MESSAGES
from marketplace.admin.indicator_forms import CHANNEL_LABELS, DIMENSION_LABELS, INDICATOR_LABELS
from marketplace.formatting import format_rupiah
from marketplace.models import AuditLog
from marketplace.regions import kecamatan_name
from marketplace.services import indicator_exports as exports
from marketplace.services.indicators import Filters, Period, breakdown, indicators
from tests import factories
from tests import test_indicators_exact as dataset
from tests.test_catalog_listing import count_queries

world = dataset.world      # the hand-computed dataset of tests/test_indicators_exact.py, as a fixture

JANUARY = Period(date(2026, 1, 1), date(2026, 1, 31))
URL = "/petugas/indikator/laporan.pdf"
QUERY = "start=2026-01-01&end=2026-01-31"


def pdf_lines(response) -> list[str]:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    return [line.strip() for page in reader.pages for line in page.extract_text().splitlines()]


def words(app, locale="id", **msgids):
    """Translated words, as the report's request would produce them."""
    with app.test_request_context(), force_locale(locale):
        return {key: str(value() if callable(value) else _(value)) for key, value in msgids.items()}


def rp(amount: int) -> str:
    return format_rupiah(amount, "id")


def table_line(label: str, row) -> str:
    return (f"{label} {rp(row.gmv)} {rp(row.gmv_online)} {rp(row.gmv_offline)} {row.transactions} "
            f"{row.sellers_active}")


def test_the_report_holds_the_indicators_with_the_previous_period(app, officer_client, session, world):
    response = officer_client.get(f"{URL}?{QUERY}")
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="laporan-indikator-2026-01-01_2026-01-31.pdf"')
    lines = pdf_lines(response)
    label = words(app, **{key: (lambda key=key: INDICATOR_LABELS[key]) for key in INDICATOR_LABELS})
    now, before = indicators(session, JANUARY), indicators(session, JANUARY.previous())
    assert (now.gmv, before.gmv) == (251_000, 110_000)
    # The change is (251.000 - 110.000) / 110.000 = +128,2 %, written the Indonesian way.
    assert f'{label["gmv"]} Rp 251.000 Rp 110.000 +128,2%' in lines
    assert f'{label["gmv_offline"]} Rp 61.000 Rp 10.000 +510,0%' in lines
    assert f'{label["sellers_registered"]} 4 3 +33,3%' in lines
    assert f'{label["sellers_active"]} 3 2 +50,0%' in lines
    assert f'{label["active_rate"]} 75,0% 66,7% +12,5%' in lines
    assert f'{label["repeat_buyers"]} 2 0 -' in lines           # no base to compare with: no change shown
    assert f'{label["sellers_growing_share"]} 50,0% - -' in lines


def test_the_title_block_names_the_period_filters_officer_and_pages(app, officer_client, officer, world):
    lines = pdf_lines(officer_client.get(f"{URL}?{QUERY}"))
    text = "\n".join(lines)
    said = words(app, period="Period", compared="Compared with", filters="Filters", issued="Issued by",
                 none="None: every producer and every sale", title="Programme indicators report",
                 page="Page %(page)s of %(pages)s")
    assert lines[0] == "Pasar Lokal Blitar" and lines[1] == said["title"]
    assert f'{said["period"]} 1 Januari 2026 - 31 Januari 2026' in lines
    assert f'{said["compared"]} 1 Desember 2025 - 31 Desember 2025' in lines
    assert f'{said["filters"]} {said["none"]}' in lines
    assert f'{said["issued"]} {officer.name}' in lines
    assert re.search(r"\d{1,2} \w{3} 20\d\d \d\d\.\d\d WIB", text)       # generated at, in WIB
    pages = len(PdfReader(io.BytesIO(officer_client.get(f"{URL}?{QUERY}").data)).pages)
    assert pages >= 2
    for number in range(1, pages + 1):
        assert said["page"].replace("%(page)s", str(number)).replace("%(pages)s", str(pages)) in text


def test_every_breakdown_is_a_table_with_its_total(app, officer_client, session, world):
    lines = pdf_lines(officer_client.get(f"{URL}?{QUERY}"))
    labels = exports.load_labels(session, "id")
    total = words(app, total="Total")["total"]
    for dimension in ("channel", "training_type", "cohort", "kecamatan", "category"):
        result = breakdown(session, JANUARY, None, dimension)
        assert result.rows
        for row in result.rows:
            if row.key is None:
                continue
            name = words(app, name=lambda: CHANNEL_LABELS[row.key])["name"] if dimension == "channel" \
                else labels.of(dimension, row.key)
            assert table_line(name, row) in lines, (dimension, row)
        assert table_line(total, result.total) in lines
    assert table_line("Kanigoro", breakdown(session, JANUARY, Filters(kecamatan_code="35.05.10"), "month").total) \
        in lines and kecamatan_name("35.05.10") == "Kanigoro"
    month = breakdown(session, JANUARY, None, "month").rows[0]
    assert table_line("Januari 2026", month) in lines


def test_the_charts_and_the_producers_table(app, officer_client, session, world):
    lines = pdf_lines(officer_client.get(f"{URL}?{QUERY}"))
    said = words(app, month="Sales value by month", transactions="Transactions by month",
                 kecamatan="Sales value by kecamatan", channel="Sales value online and at exhibitions",
                 training="Sales value by training type", online=lambda: CHANNEL_LABELS["online"])
    for title in ("month", "transactions", "kecamatan", "channel", "training"):
        assert said[title] in lines
    # Chart bars are labelled with their group and value.
    assert f"{kecamatan_name('35.72.01')} Rp 126.000" in lines
    assert f'{said["online"]} Rp 190.000' in lines
    # Producers by sales value, highest first: Tani 126.000 (Dec 10.000), Jahit 95.000 (Dec 100.000), Baru 30.000.
    producers = [line for line in lines if line.startswith(("Tani ", "Jahit ", "Baru "))
                 and line.endswith((" 4", " 3", " 1")) and "Rp" in line]
    assert producers == ["Tani Kepanjenkidul Rp 126.000 Rp 10.000 +1.160,0% 4",
                         "Jahit Kanigoro Rp 95.000 Rp 100.000 -5,0% 3",
                         "Baru Kanigoro Rp 30.000 Rp 0 - 1"]


def test_the_producers_table_reuses_the_reports_sales_figures(app, officer_client, world):
    with count_queries() as statements:
        pdf_lines(officer_client.get(f"{URL}?{QUERY}"))

    # From the monthly summaries, as no producer or category is chosen: the period's figures and the
    # previous period's, each read once for the report and its table, and the sales per producer of
    # the period before (for the previous period's growth).
    assert len([statement for statement in statements if "monthly_seller_sales" in statement]) == 3
    assert not [statement for statement in statements if "WITH transactions" in statement]


@pytest.mark.parametrize("query, filter_key, value_of, gmv", [
    ("channel=offline", "channel", lambda w: CHANNEL_LABELS["offline"], 61_000),
    ("kecamatan=35.72.01", "kecamatan", lambda w: kecamatan_name("35.72.01"), 126_000),
    ("training_type={menjahit}", "training_type", lambda w: "Menjahit", 95_000),
])
def test_filters_change_the_figures_and_are_described(app, officer_client, session, world, query, filter_key,
                                                      value_of, gmv):
    query = query.format(menjahit=world["menjahit"].id)
    lines = pdf_lines(officer_client.get(f"{URL}?{QUERY}&{query}"))
    said = words(app, filters="Filters", gmv=lambda: INDICATOR_LABELS["gmv"],
                 name=lambda: DIMENSION_LABELS[filter_key], value=lambda: value_of(None))
    assert f'{said["filters"]} {said["name"]}: {said["value"]}' in lines
    gmv_line = next(line for line in lines if line.startswith(f'{said["gmv"]} Rp'))
    assert gmv_line.startswith(f'{said["gmv"]} {rp(gmv)} ')
    assert gmv != 251_000
    if filter_key == "kecamatan":
        assert not any("Kanigoro" in line for line in lines)
        assert not any(line.startswith("Jahit ") for line in lines)


def test_large_amounts_odd_names_and_an_empty_period(app, officer_client, session, officer):
    seller = factories.make_seller(session, shop_name="Kue Ṣari ☕ “Bu Endang”", kecamatan_code="35.05.17")
    dataset.offline(session, seller, date(2026, 2, 10), 1_234_567, officer=officer)
    lines = pdf_lines(officer_client.get(f"{URL}?start=2026-02-01&end=2026-02-28"))
    gmv = words(app, gmv=lambda: INDICATOR_LABELS["gmv"])["gmv"]
    assert f"{gmv} Rp 1.234.567 Rp 0 -" in lines
    assert any(line.startswith('Kue Sari ? "Bu Endang" ') and "Rp 1.234.567" in line for line in lines)
    empty = pdf_lines(officer_client.get(f"{URL}?start=2025-02-01&end=2025-02-28"))
    nothing = words(app, none="No sales in this period.")["none"]
    assert f"{gmv} Rp 0 Rp 0 -" in empty
    assert nothing in empty


def test_the_report_follows_the_reader_language(app, officer_client, session, officer, world):
    officer.preferred_language = "en"
    session.commit()
    lines = pdf_lines(officer_client.get(f"{URL}?{QUERY}"))
    assert "Period 1 January 2026 - 31 January 2026" in lines
    assert "Sales value Rp 251.000 Rp 110.000 +128.2%" in lines
    assert any(line.endswith("Page 1 of " + str(len(PdfReader(io.BytesIO(
        officer_client.get(f"{URL}?{QUERY}").data)).pages))) for line in lines)


def test_the_report_is_for_officers_only(client, buyer_client, seller_client, admin_client, world):
    for other in (buyer_client, seller_client):
        assert other.get(f"{URL}?{QUERY}").status_code == 403
    anonymous = client.get(f"{URL}?{QUERY}")
    assert anonymous.status_code == 302 and "/akun/masuk" in anonymous.headers["Location"]
    assert admin_client.get(f"{URL}?{QUERY}").status_code == 200


@pytest.mark.parametrize("query, code", [
    ("start=2026-02-01&end=2026-01-01", "end_before_start"),
    ("start=2026-13-01&end=2026-01-31", "invalid_date"),
    ("start=2026-01-01&end=2026-01-31&cohort=99999", "unknown_cohort"),
    ("start=2026-01-01&end=2026-01-31&kecamatan=99.99", "unknown_kecamatan"),
    ("start=2026-01-01&end=2026-01-31&channel=radio", "unknown_channel"),
])
def test_bad_dates_and_filters_are_400_with_a_message_and_not_logged(app, officer_client, session, world,
                                                                       query, code):
    response = officer_client.get(f"{URL}?{query}")
    assert response.status_code == 400
    message = words(app, message=lambda: INDICATOR_MESSAGES[code])["message"]
    assert message in response.get_data(as_text=True)
    assert session.scalars(select(AuditLog).where(AuditLog.action.like("export.%"))).all() == []


def test_the_download_is_written_to_the_audit_log(officer_client, session, officer, world):
    pdf_lines(officer_client.get(f"{URL}?{QUERY}&kecamatan=35.72.01"))
    entry = session.scalars(select(AuditLog).where(AuditLog.action.like("export.%"))).one()
    assert (entry.action, entry.actor_id, entry.subject_type) == ("export.indicators", officer.id, "report")
    assert json.loads(entry.details) == {"format": "pdf", "start": "2026-01-01", "end": "2026-01-31",
                                         "kecamatan_code": "35.72.01"}


def test_the_dashboard_links_to_the_report_with_its_period_and_filters(officer_client, world):
    page = officer_client.get(f"/petugas/indikator?{QUERY}&channel=online").get_data(as_text=True)
    link = re.search(r'href="(/petugas/indikator/laporan\.pdf\?[^"]+)"', page)
    assert link
    href = link.group(1).replace("&amp;", "&")
    assert "start=2026-01-01" in href and "end=2026-01-31" in href and "channel=online" in href
    lines = pdf_lines(officer_client.get(href))
    assert any(line.endswith("Rp 190.000 Rp 100.000 +90,0%") for line in lines)


def test_a_period_whose_comparison_starts_before_2000_is_refused_not_a_server_error(app, officer_client, session):
    message = words(app, message="The comparison period before these dates would start before the year 2000. "
                                 "Choose a later start date or a shorter period.")["message"]
    for url in (f"{URL}?start=2016-03-01&end=2026-03-01", "/petugas/indikator?start=2016-03-01&end=2026-03-01",
                "/petugas/indikator/ekspor.json?start=2000-01-01&end=2000-01-31"):
        response = officer_client.get(url)
        assert response.status_code == 400, url
        assert message in response.get_data(as_text=True)
    assert officer_client.get(f"{URL}?start=2000-05-01&end=2000-05-31").status_code == 200


def test_the_producers_table_shows_the_top_n_by_sales_value(app, session, world):
    from marketplace.services.indicator_report import render_report

    report = exports.build_report(session, JANUARY, Filters())
    labels = exports.load_labels(session, "id")
    sellers = exports.seller_table(session, JANUARY, Filters(), "-value")
    with app.test_request_context(), force_locale("id"):
        body = render_report(report, labels, sellers, indicator_labels=INDICATOR_LABELS,
                             dimension_labels=DIMENSION_LABELS, channel_labels=CHANNEL_LABELS,
                             programme="Pasar Lokal Blitar", issued_by="Rina Petugas",
                             generated_at=dataset.utc(2026, 2, 3, 2, 5), locale="id", top_sellers=2)
        note = _("%(shown)s of %(total)s producers with sales in this period or the previous one.",
                 shown=2, total=3)
    lines = [line.strip() for page in PdfReader(io.BytesIO(body)).pages for line in page.extract_text().splitlines()]
    assert any(line.startswith("Tani Kepanjenkidul Rp 126.000") for line in lines)
    assert any(line.startswith("Jahit Kanigoro Rp 95.000") for line in lines)
    assert not any(line.startswith("Baru Kanigoro") for line in lines)
    assert note in lines
    assert any(line.endswith("Rina Petugas") for line in lines)
    assert any(line.endswith("3 Feb 2026 09.05 WIB") for line in lines)
