"""The monthly sales summaries and paid parts' links (services/sales_summary.py): every change of
a sale keeps them exact, and the indicators read from them equal those read from the sales."""
import random
from datetime import date, timedelta

import pytest
from sqlalchemy import select, text

from marketplace.models import (
    DeliveryMethod,
    MonthlySellerCategorySales,
    MonthlySellerSales,
    OfflineSale,
    Order,
    PaidPartLink,
    PartStatus,
    PaymentMethod,
    Product,
)
from marketplace.services import checkout, offline_sales, orders, payments, sales_summary
from marketplace.services import indicators as indicator_service
from marketplace.services.indicators import DIMENSIONS, Filters, Period, breakdown, indicators
from marketplace.services.order_states import OFFICER
from tests import factories
from tests import test_indicators_exact as dataset
from tests.test_ledger_sums import no_stripe

world = dataset.world      # the hand-computed dataset of tests/test_indicators_exact.py, as a fixture


def summaries(session):
    """The three tables' rows."""
    sales_summary.apply_pending(session)
    def rows(model):
        return sorted(tuple(row) for row in session.execute(select(model.__table__)))
    return rows(MonthlySellerSales), rows(MonthlySellerCategorySales), rows(PaidPartLink)


def assert_exact(session):
    """What the hooks kept equals what a rebuild from the sales gives."""
    kept = summaries(session)
    sales_summary.rebuild_all(session.connection())
    rebuilt = summaries(session)
    session.rollback()
    assert kept == rebuilt


def dataset_products(session, world):
    """P1 "Tas" of S1 and P3 "Beras" of S2 from the hand-computed dataset."""
    tas = session.scalar(select(Product).where(Product.seller_id == world["s1"].id, Product.name == "Tas"))
    beras = session.scalar(select(Product).where(Product.seller_id == world["s2"].id, Product.name == "Beras"))
    return tas, beras


def from_the_sales(monkeypatch):
    """Make the indicators read the sales themselves, as they do under a seller or category filter."""
    monkeypatch.setattr(indicator_service, "_summarised", lambda *args: False)


def test_the_hand_computed_dataset_leaves_exact_summaries(session, world):
    s1 = world["s1"]
    # January 2026 (WIB) of S1: O3's part 40.000 and O8's 40.000, both delivered outside Blitar; F2 15.000.
    row = session.get(MonthlySellerSales, ("2026-01", s1.id))
    assert row.online_value == 80_000
    assert (row.online_transactions, row.offline_value, row.offline_transactions, row.outside_value) == (
        2, 15_000, 1, 80_000)
    # O1 (Dec 20) is S1's December; F4 (voided) and O6 (cancelled) count nowhere.
    assert session.get(MonthlySellerSales, ("2025-12", s1.id)).online_value == 100_000
    assert_exact(session)


def test_each_change_of_a_sale_keeps_the_summaries_exact(session, world, officer):
    s1, s2 = world["s1"], world["s2"]
    tas, beras = dataset_products(session, world)
    buyer = factories.make_user(session, name="Pembeli Baru")
    factories.set_delivery(session, s1, courier=(8_000, 12_000, 20_000))

    order = factories.place_order(session, [(tas, 1), (beras, 2)], buyer_user=buyer,
                                  deliveries={s1.id: DeliveryMethod.COURIER},
                                  address=checkout.Address(recipient_name="Sri", street="Jl. Merdeka 1",
                                                           kecamatan="Lowokwaru", regency_code="35",
                                                           regency_name="Kota Malang", postal_code="65141"))
    assert_exact(session)                                # placed, not paid: nothing counts yet
    payments.confirm_transfer(session, order, actor_id=officer.id, actor_role=OFFICER)
    assert_exact(session)
    part_of_s1 = next(part for part in order.parts if part.seller_id == s1.id)
    payments.refund_part(session, part_of_s1, amount=7_000, actor_id=officer.id, settings=no_stripe())
    assert_exact(session)
    part_of_s2 = next(part for part in order.parts if part.seller_id == s2.id)
    payments.cancel_part(session, part_of_s2.id, actor_role=OFFICER, actor_id=officer.id, reason="habis",
                         settings=no_stripe())
    assert_exact(session)

    cash = factories.place_order(session, [(beras, 1)], payment="cash", guest_email="Tamu.Baru@example.id")
    orders.record_cash_received(session, cash.parts[0].id, actor_id=officer.id)
    assert_exact(session)

    sale = dataset.offline(session, s2, date(2026, 2, 3), 9_000, product=beras, officer=officer)
    assert_exact(session)
    corrected = offline_sales.correct_sale(session, actor_id=officer.id, sale=sale, reason="Salah bulan",
                                           today=date(2026, 3, 15),
                                           data=offline_sales.SaleInput(sale_date=date(2026, 1, 28), value=9_500,
                                                                        product_id=beras.id))
    assert_exact(session)
    offline_sales.void_sale(session, actor_id=officer.id, sale=corrected, reason="Batal")
    assert_exact(session)

    tas.category_id = world["food"].id                   # a product moved to another category
    session.commit()
    assert_exact(session)
    order.regency_code = "35.05"                         # an address corrected into Blitar
    session.commit()
    assert_exact(session)


def test_the_indicators_see_sales_not_yet_committed(session, world):
    before = indicators(session, dataset.JANUARY).gmv
    session.add(OfflineSale(seller_id=world["s3"].id, sale_date=date(2026, 1, 9), value=4_000))

    assert indicators(session, dataset.JANUARY).gmv == before + 4_000
    session.rollback()
    assert indicators(session, dataset.JANUARY).gmv == before
    assert_exact(session)


PERIODS = [
    dataset.JANUARY,                                     # whole months only
    Period(date(2025, 12, 15), date(2026, 1, 20)),       # parts of two months
    Period(date(2026, 1, 1), date(2026, 1, 1)),          # one day: O3, confirmed Dec 31 UTC
    Period(date(2025, 4, 1), date(2026, 2, 28)),         # previous period without sales
    Period(date(2025, 12, 31), date(2026, 2, 1)),        # a day at each end
]


@pytest.mark.parametrize("period", PERIODS, ids=str)
@pytest.mark.parametrize("channel", [None, "online", "offline"])
def test_the_summaries_give_the_figures_the_sales_give(session, world, monkeypatch, period, channel):
    filters = Filters(channel=channel)
    summarised = indicators(session, period, filters)
    rows = {dimension: breakdown(session, period, filters, dimension, with_buyers=False) for dimension in DIMENSIONS}
    from_the_sales(monkeypatch)

    assert indicators(session, period, filters) == summarised
    for dimension in DIMENSIONS:
        assert breakdown(session, period, filters, dimension, with_buyers=False) == rows[dimension], dimension


def test_orders_buyers_and_repeat_buyers_from_the_links_equal_the_sales(session, world, monkeypatch):
    """Random orders of a few buyers, some split into parts paid at different moments (cash
    recorded by each producer), some at the very same moment, some cancelled later."""
    rng = random.Random(7)
    sellers = [world["s1"], world["s2"], world["s3"]]
    tas, beras = dataset_products(session, world)
    products = {world["s1"].id: tas, world["s2"].id: beras, world["s3"].id: tas}
    accounts = [factories.make_user(session, name=f"Pembeli {n}") for n in range(4)]
    start = dataset.utc(2025, 11, 1)
    for _ in range(40):
        chosen = rng.sample(sellers, rng.randint(1, 3))
        buyer = rng.choice(accounts + [None])
        moment = start + timedelta(hours=rng.randrange(0, 24 * 120))
        order = dataset.online_order(session, buyer=buyer, email=rng.choice(["a@example.id", "b@example.id"]),
                                     confirmed=moment,
                                     parts=[(seller, DeliveryMethod.PICKUP, [(products[seller.id], 1, 0)])
                                            for seller in chosen])
        for part in order.parts[1:]:
            if rng.random() < 0.4:
                part.payment_confirmed_at = moment + timedelta(hours=rng.randrange(0, 24 * 20))
        if rng.random() < 0.15:
            rng.choice(order.parts).status = PartStatus.CANCELLED
        session.commit()
    assert_exact(session)
    periods = []
    for _ in range(25):
        first = date(2025, 11, 1) + timedelta(days=rng.randrange(0, 150))
        periods.append(Period(first, first + timedelta(days=rng.randrange(0, 60))))
    summarised = [indicators(session, period) for period in periods]
    from_the_sales(monkeypatch)

    for period, figures in zip(periods, summarised):
        expected = indicators(session, period)
        assert (figures.orders, figures.buyers, figures.repeat_buyers) == (
            expected.orders, expected.buyers, expected.repeat_buyers), period
    assert any(figures.repeat_buyers for figures in summarised)


def test_rebuilding_takes_in_sales_written_with_plain_sql(app, session, world):
    session.execute(text("DELETE FROM monthly_seller_sales"))
    session.execute(OfflineSale.__table__.insert().values(seller_id=world["s3"].id, sale_date=date(2026, 1, 9),
                                                          value=4_000, note="", void_reason=""))
    session.commit()

    result = app.test_cli_runner().invoke(args=["rebuild-sales-summaries"])

    assert result.exit_code == 0, result.output
    assert "Rebuilt the sales summaries" in result.output
    session.expire_all()
    assert session.get(MonthlySellerSales, ("2026-01", world["s3"].id)).offline_value == 4_000
    assert session.get(MonthlySellerSales, ("2026-01", world["s1"].id)).online_value == 80_000
    assert_exact(session)


def test_a_buyer_changed_on_an_order_moves_its_links(session, world):
    order = session.scalar(select(Order).where(Order.guest_buyer_id.is_not(None)).order_by(Order.id))
    account = factories.make_user(session, name="Akun Baru")
    order.buyer_id, order.guest_buyer_id = account.id, None
    session.commit()

    keys = set(session.scalars(select(PaidPartLink.buyer_key).where(PaidPartLink.order_id == order.id)))
    assert keys == {account.id}
    assert_exact(session)


def test_a_cash_part_is_linked_once_the_cash_is_received(session, world, officer):
    tas, _ = dataset_products(session, world)
    cash = factories.place_order(session, [(tas, 1)], payment="cash")
    assert cash.payment_method == PaymentMethod.CASH
    assert session.get(PaidPartLink, cash.parts[0].id) is None

    orders.record_cash_received(session, cash.parts[0].id, actor_id=officer.id)

    link = session.get(PaidPartLink, cash.parts[0].id)
    assert link is not None and link.order_id == cash.id and link.prev_order_at is None
