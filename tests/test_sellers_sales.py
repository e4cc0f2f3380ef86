"""The producer's own sales page: figures equal the indicator engine's, periods, bad input, privacy."""
from __future__ import annotations

import pytest

from marketplace.formatting import format_rupiah
from marketplace.models import SellerStatus
from marketplace.services.indicators import Filters, breakdown, indicators
from tests import factories
from tests.conftest import login
from tests.test_statements_data import JAN_FEB, build


@pytest.fixture
def history(session, seller, other_seller, officer):
    return build(session, seller, other_seller, officer)


def rp(amount: int) -> str:
    return format_rupiah(amount, "id")


def test_the_page_shows_the_producers_figures_as_the_indicator_engine_computes_them(
        session, seller_client, seller, history):
    response = seller_client.get("/penjual/penjualan?from=2026-01-01&to=2026-02-28")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    figures = indicators(session, JAN_FEB, Filters(seller_id=seller.id))
    assert f'<dd id="sales-value">{rp(figures.gmv)}</dd>' in page
    assert f'<dd id="sales-transactions">{figures.transactions}</dd>' in page
    for row in breakdown(session, JAN_FEB, Filters(seller_id=seller.id), "month").rows:
        assert f'<th scope="row">{row.key}</th><td class="num">{rp(row.gmv)}</td>' in page
    assert "<svg" in page and page.count('class="sales-chart-bar"') == 2
    assert "style=" not in page and "<script>" not in page


def test_months_without_sales_are_shown_as_zero(seller_client, history):
    page = seller_client.get("/penjual/penjualan?from=2025-12-01&to=2026-02-28").get_data(as_text=True)
    assert f'<th scope="row">2025-12</th><td class="num">{rp(0)}</td>' in page
    assert page.count('class="sales-chart-bar"') == 3


def test_a_period_without_sales_says_so(seller_client, history):
    page = seller_client.get("/penjual/penjualan?from=2025-06-01&to=2025-06-30").get_data(as_text=True)
    assert "<svg" not in page
    assert f'<dd id="sales-value">{rp(0)}</dd>' in page


def test_top_products_are_the_producers_own_best_sellers(seller_client, history):
    page = seller_client.get("/penjual/penjualan?from=2026-01-01&to=2026-02-28").get_data(as_text=True)
    # Tas 100.000 (the cancelled one does not count), Sambal 20.000 online + 30.000 at the stall.
    assert f'<th scope="row">Tas</th><td class="num">{rp(100_000)}</td><td class="num">2</td>' in page
    assert f'<th scope="row">Sambal</th><td class="num">{rp(50_000)}</td><td class="num">3</td>' in page
    assert page.index(">Tas<") < page.index(">Sambal<")
    assert "Beras Organik" not in page and rp(70_000) not in page


@pytest.mark.parametrize("preset", ["30d", "this_month", "last_month", "12m", "this_year"])
def test_every_preset_period_works(seller_client, history, preset):
    response = seller_client.get(f"/penjual/penjualan?preset={preset}")
    assert response.status_code == 200
    assert 'aria-current="true"' in response.get_data(as_text=True)


@pytest.mark.parametrize("query", [
    "from=2026-02-28&to=2026-01-01",
    "from=2026-13-01&to=2026-12-31",
    "from=kemarin&to=2026-01-01",
    "from=1990-01-01&to=2026-01-01",
    "preset=forever",
])
def test_bad_periods_are_a_400_with_a_message(seller_client, history, query):
    response = seller_client.get(f"/penjual/penjualan?{query}")
    assert response.status_code == 400
    assert 'class="form-errors" role="alert"' in response.get_data(as_text=True)


def test_the_page_is_for_approved_producers_only(app, session, client, buyer_client):
    assert client.get("/penjual/penjualan").status_code == 302
    assert buyer_client.get("/penjual/penjualan").status_code == 403
    pending = factories.make_seller(session, shop_name="Menunggu", status=SellerStatus.PENDING)
    pending_client = app.test_client()
    login(pending_client, pending.user)
    assert pending_client.get("/penjual/penjualan").status_code == 403


def test_the_dashboard_links_to_the_sales_page(seller_client):
    assert 'href="/penjual/penjualan"' in seller_client.get("/penjual/").get_data(as_text=True)


def test_another_producer_sees_none_of_these_sales(app, other_seller, history):
    other = app.test_client()
    login(other, other_seller.user)
    page = other.get("/penjual/penjualan?from=2026-01-01&to=2026-02-28").get_data(as_text=True)
    assert f'<dd id="sales-value">{rp(70_000)}</dd>' in page
    assert ">Tas<" not in page and ">Sambal<" not in page
