"""The programme indicators, checked to the rupiah against a small hand-computed dataset.

The dataset (period under test: January 2026 in WIB; previous period: December 2025):

Sellers (approved_at in WIB)       cohorts                 kecamatan
  S1 Jahit   2025-05-01            A1 (menjahit), B1 (organik)   35.05.10
  S2 Tani    2025-11-01            B1, B2 (both organik)         35.72.01
  S3 Baru    2026-01-31 23:30      none                          35.05.10
  S4 Besok   2026-02-01 00:30      none  (16:30+1h UTC on Jan 31: not yet registered in January)
  S5 Diam    2025-01-01            A1, no sales                  35.05.17
Products: P1 S1 Crafts 50.000, P2 S1 Food 20.000, P3 S2 Food 10.000, P4 S3 Crafts 30.000,
          P5 S3 Keripik (a sub-category of Food), never sold.

Online (confirmed UTC -> WIB date)                                       value
  O1 U1   2025-12-20 10:00 -> Dec 20   S1 P1x2 pickup                       100.000
  O2 U1   2026-01-31 18:00 -> Feb 1    S1 P2x1 pickup                        20.000  (February in WIB)
  O3 U2   2025-12-31 17:30 -> Jan 1    S1 P1x1 - refund 10.000, courier "35"  40.000  outside
                                       S2 P3x3, courier "35"                  30.000  outside
  O4 guest " Tamu@Example.ID" Jan 10   S2 P3x5 pickup, no regency             50.000  (pickup = inside)
  O5 guest "tamu@example.id"  Jan 20   S3 P4x1 local, "35.72"                 30.000
  O6 U2   Jan 5  cancelled             S1 P1x1                                excluded
  O7 U1   unpaid                       S2 P3x1                                excluded
  O8 U1   Jan 15                       S1 P2x2 courier, outside Jawa Timur     40.000  outside
Offline
  F0a S1 2025-04-30 6.000   F0b S1 2025-05-10 12.000   F3 S2 2025-12-15 10.000
  F1 S2 2026-01-31 25.000 P3 at an exhibition   F2 S1 2026-01-05 15.000 (no product)
  F4 S1 2026-01-07 99.000 voided   F5 S3 2026-02-01 5.000
  F6 S2 2026-01-12 12.000, corrected to 21.000 (only 21.000 counts)
"""
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import event

from marketplace.extensions import db
from marketplace.models import (
    DeliveryMethod,
    Order,
    OrderLine,
    OrderStatus,
    PartStatus,
    PaymentMethod,
    SellerOrder,
)
from marketplace.services import offline_sales
from marketplace.services.indicators import (
    DIMENSIONS,
    Filters,
    IndicatorError,
    Period,
    before_after,
    breakdown,
    check_filters,
    indicators,
    prefetch,
    shared_results,
)
from tests import factories

JANUARY = Period(date(2026, 1, 1), date(2026, 1, 31))
_numbers = iter(range(1, 10_000))


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def online_order(session, *, parts, buyer=None, email=None, confirmed=None, regency="35.05",
                 status=PartStatus.NEW):
    """An order with one part per (seller, delivery, [(product, qty, refunded)]) paid at `confirmed` (UTC)."""
    n = next(_numbers)
    order = Order(number=f"PLB-T-{n:06d}", buyer_id=buyer.id if buyer else None, buyer_name="Pembeli",
                  buyer_email=email or (buyer.email if buyer else "x@example.id"), buyer_phone="+6281234567890",
                  access_token=f"token-{n}", payment_method=PaymentMethod.TRANSFER,
                  status=OrderStatus.PAID if confirmed else OrderStatus.AWAITING_PAYMENT,
                  regency_code=regency, subtotal=0, total=0, paid_at=confirmed)
    for seller, delivery, lines in parts:
        part = SellerOrder(seller_id=seller.id, status=status if confirmed else PartStatus.AWAITING_PAYMENT,
                           delivery_method=delivery, delivery_fee=7000, payment_confirmed_at=confirmed,
                           subtotal=sum(product.price * quantity for product, quantity, _ in lines))
        for product, quantity, refunded in lines:
            part.lines.append(OrderLine(product_id=product.id, product_name=product.name, unit=product.unit,
                                        unit_price=product.price, quantity=quantity, refunded_amount=refunded))
        order.parts.append(part)
    session.add(order)
    session.commit()
    return order


def offline(session, seller, day, value, *, product=None, event=None, officer):
    return offline_sales.record_sale(
        session, actor_id=officer.id, seller=seller, today=date(2026, 3, 15),
        data=offline_sales.SaleInput(sale_date=day, value=value, product_id=product.id if product else None,
                                     event_id=event.id if event else None))


@pytest.fixture
def world(session, officer):
    a1 = factories.make_training(session, slug="menjahit", name_id="Menjahit", name_en="Sewing",
                                 cohort_name="A1", start=date(2025, 6, 1), end=date(2025, 6, 15))
    b1 = factories.make_training(session, slug="pertanian-organik", cohort_name="B1",
                                 start=date(2025, 9, 1), end=date(2025, 9, 10))
    b2 = factories.make_training(session, slug="pertanian-organik", cohort_name="B2",
                                 start=date(2025, 11, 1), end=date(2025, 11, 20))
    crafts = factories.make_category(session, name_id="Kerajinan", name_en="Crafts")
    food = factories.make_category(session, name_id="Pangan", name_en="Food")
    snacks = factories.make_category(session, name_id="Keripik", name_en="Snacks", parent=food)

    def seller(name, approved_utc, kecamatan):
        profile = factories.make_seller(session, shop_name=name, kecamatan_code=kecamatan)
        profile.approved_at = approved_utc
        session.commit()
        return profile

    s1 = seller("Jahit", utc(2025, 4, 30, 17), "35.05.10")
    s2 = seller("Tani", utc(2025, 10, 31, 17), "35.72.01")
    s3 = seller("Baru", utc(2026, 1, 31, 16, 30), "35.05.10")
    s4 = seller("Besok", utc(2026, 1, 31, 17, 30), "35.05.10")
    s5 = seller("Diam", utc(2024, 12, 31, 17), "35.05.17")
    factories.enrol(session, s1, a1)
    factories.enrol(session, s1, b1)
    factories.enrol(session, s2, b1)
    factories.enrol(session, s2, b2)
    factories.enrol(session, s5, a1)
    p1 = factories.make_product(session, seller=s1, category=crafts, name="Tas", price=50_000)
    p2 = factories.make_product(session, seller=s1, category=food, name="Sambal", price=20_000)
    p3 = factories.make_product(session, seller=s2, category=food, name="Beras", price=10_000)
    p4 = factories.make_product(session, seller=s3, category=crafts, name="Dompet", price=30_000)
    factories.make_product(session, seller=s3, category=snacks, name="Keripik", price=8_000)
    u1 = factories.make_user(session, name="U1")
    u2 = factories.make_user(session, name="U2")

    pickup, courier, local = DeliveryMethod.PICKUP, DeliveryMethod.COURIER, DeliveryMethod.LOCAL
    online_order(session, buyer=u1, confirmed=utc(2025, 12, 20, 10), parts=[(s1, pickup, [(p1, 2, 0)])])
    online_order(session, buyer=u1, confirmed=utc(2026, 1, 31, 18), parts=[(s1, pickup, [(p2, 1, 0)])])
    online_order(session, buyer=u2, confirmed=utc(2025, 12, 31, 17, 30), regency="35",
                 parts=[(s1, courier, [(p1, 1, 10_000)]), (s2, courier, [(p3, 3, 0)])])
    online_order(session, email=" Tamu@Example.ID", confirmed=utc(2026, 1, 10, 3), regency="",
                 parts=[(s2, pickup, [(p3, 5, 0)])])
    online_order(session, email="tamu@example.id", confirmed=utc(2026, 1, 20, 5), regency="35.72",
                 parts=[(s3, local, [(p4, 1, 0)])])
    online_order(session, buyer=u2, confirmed=utc(2026, 1, 5, 1), status=PartStatus.CANCELLED,
                 parts=[(s1, pickup, [(p1, 1, 0)])])
    online_order(session, buyer=u1, confirmed=None, parts=[(s2, pickup, [(p3, 1, 0)])])
    online_order(session, buyer=u1, confirmed=utc(2026, 1, 15, 2), regency="",
                 parts=[(s1, courier, [(p2, 2, 0)])])

    fair = offline_sales.save_event(session, actor_id=officer.id, name="Pameran UMKM", place="Alun-alun",
                                    start_date=date(2026, 1, 30), end_date=date(2026, 2, 1))
    offline(session, s1, date(2025, 4, 30), 6_000, officer=officer)
    offline(session, s1, date(2025, 5, 10), 12_000, officer=officer)
    offline(session, s2, date(2025, 12, 15), 10_000, officer=officer)
    offline(session, s2, date(2026, 1, 31), 25_000, product=p3, event=fair, officer=officer)
    offline(session, s1, date(2026, 1, 5), 15_000, officer=officer)
    f4 = offline(session, s1, date(2026, 1, 7), 99_000, officer=officer)
    offline_sales.void_sale(session, actor_id=officer.id, sale=f4, reason="Recorded twice")
    offline(session, s3, date(2026, 2, 1), 5_000, officer=officer)
    f6 = offline(session, s2, date(2026, 1, 12), 12_000, officer=officer)
    offline_sales.correct_sale(session, actor_id=officer.id, sale=f6, reason="Typo in the value", today=date(2026, 3, 15),
                               data=offline_sales.SaleInput(sale_date=date(2026, 1, 12), value=21_000))
    return {"s1": s1, "s2": s2, "s3": s3, "s4": s4, "s5": s5, "a1": a1, "b1": b1, "b2": b2, "crafts": crafts,
            "food": food, "snacks": snacks, "menjahit": a1.training_type, "organik": b1.training_type}


def by_key(result):
    return {row.key: row.gmv for row in result.rows}


def test_every_indicator_for_january(session, world):
    ind = indicators(session, JANUARY)
    # Online lines dated in January WIB: O3 40.000 + 30.000, O4 50.000, O5 30.000, O8 40.000 = 190.000
    # (O3 was confirmed on Dec 31 UTC, which is Jan 1 WIB; O2 on Jan 31 UTC is Feb 1 WIB and is out).
    # Offline: F1 25.000 + F2 15.000 + corrected F6 21.000 = 61.000 (F4 voided, F5 in February).
    assert ind.gmv_by_channel == {"online": 190_000, "offline": 61_000}
    assert ind.gmv == 251_000
    # Parts O3/S1, O3/S2, O4, O5, O8 plus three offline records.
    assert ind.transactions == 8
    assert ind.orders == 4                      # O3, O4, O5, O8
    assert ind.aov == 47_500                    # 190.000 / 4
    # U2 (O3), the guest (O4, O5: one buyer whatever the case and spaces), U1 (O8).
    assert ind.buyers == 3
    # The guest has two paid orders in January, U1 had O1 in December; U2's only other order was cancelled.
    assert ind.repeat_buyers == 2
    assert ind.repeat_buyer_rate == pytest.approx(2 / 3)
    # S1, S2, S5 and S3 (23:30 WIB on Jan 31); S4 was approved at 00:30 WIB on Feb 1.
    assert ind.sellers_registered == 4
    assert ind.sellers_new == 1
    assert ind.sellers_active == 3              # S1, S2, S3; S5 sold nothing
    assert ind.active_rate == pytest.approx(0.75)
    # O3's two parts (courier to "35") and O8 (outside Jawa Timur); O4 is pickup so inside.
    assert ind.value_outside_blitar == 110_000
    assert ind.reach_outside_blitar == pytest.approx(110_000 / 190_000)
    # December: S1 O1 100.000, S2 F3 10.000. January: S1 40+40+15 = 95.000 (< 115.000),
    # S2 30+50+25+21 = 126.000 (>= 11.500). So one of two sellers grew.
    assert ind.sellers_with_previous_sales == 2
    assert ind.sellers_growing == 1
    assert ind.sellers_growing_share == pytest.approx(0.5)


def test_month_breakdown_follows_wib_months_and_the_total_comes_from_the_unsplit_query(session, world):
    result = breakdown(session, Period(date(2025, 12, 1), date(2026, 2, 28)), None, "month")
    # Dec: O1 100.000 + F3 10.000; Jan: 251.000; Feb: O2 20.000 + F5 5.000.
    assert by_key(result) == {"2025-12": 110_000, "2026-01": 251_000, "2026-02": 25_000}
    assert [row.key for row in result.rows] == ["2025-12", "2026-01", "2026-02"]
    assert result.total.gmv == 386_000
    december = result.rows[0]
    assert (december.transactions, december.orders, december.buyers) == (2, 1, 1)


def test_channel_breakdown(session, world):
    result = breakdown(session, JANUARY, None, "channel")
    assert by_key(result) == {"online": 190_000, "offline": 61_000}
    assert {row.key: row.transactions for row in result.rows} == {"online": 5, "offline": 3}


def test_cohort_breakdown_counts_a_seller_in_each_of_their_cohorts(session, world):
    result = breakdown(session, JANUARY, None, "cohort")
    # A1: S1 95.000 (S5 sold nothing); B1: S1 + S2 = 221.000; B2: S2 126.000; no cohort: S3 30.000.
    assert by_key(result) == {world["a1"].id: 95_000, world["b1"].id: 221_000, world["b2"].id: 126_000,
                              None: 30_000}
    assert result.total.gmv == 251_000          # not 472.000, the sum of the rows
    b1 = next(row for row in result.rows if row.key == world["b1"].id)
    # S1: O3, O8, F2; S2: O3, O4, F1, F6 -> 7 transactions in 3 orders (O3 once) from 3 buyers.
    assert (b1.transactions, b1.orders, b1.buyers, b1.sellers_active) == (7, 3, 3, 2)


def test_training_type_breakdown_counts_two_cohorts_of_one_type_once(session, world):
    result = breakdown(session, JANUARY, None, "training_type")
    # Organik: S1 95.000 + S2 126.000 (S2 is in B1 and B2, counted once); menjahit: S1.
    assert by_key(result) == {world["menjahit"].id: 95_000, world["organik"].id: 221_000, None: 30_000}


def test_kecamatan_category_and_seller_breakdowns(session, world):
    assert by_key(breakdown(session, JANUARY, None, "kecamatan")) == {"35.05.10": 125_000, "35.72.01": 126_000}
    # Crafts: O3/S1 40.000 + O5 30.000; Food: O3/S2 30.000 + O4 50.000 + O8 40.000 + F1 25.000;
    # no product: F2 15.000 + F6 21.000.
    assert by_key(breakdown(session, JANUARY, None, "category")) == {
        world["crafts"].id: 70_000, world["food"].id: 145_000, None: 36_000}
    assert by_key(breakdown(session, JANUARY, None, "seller")) == {
        world["s1"].id: 95_000, world["s2"].id: 126_000, world["s3"].id: 30_000}


FILTER_CHOICES = [
    lambda w: Filters(),
    lambda w: Filters(channel="online"),
    lambda w: Filters(channel="offline"),
    lambda w: Filters(cohort_id=w["b1"].id),
    lambda w: Filters(category_id=w["food"].id),
    lambda w: Filters(training_type_id=w["menjahit"].id, kecamatan_code="35.05.10"),
    lambda w: Filters(cohort_id=w["b2"].id, category_id=w["food"].id, channel="online"),
]


@pytest.mark.parametrize("choose", FILTER_CHOICES)
def test_breakdowns_without_buyers_equal_the_full_ones_but_for_orders_and_buyers(session, world, choose):
    chosen = choose(world)
    period = Period(date(2025, 12, 1), date(2026, 2, 28))
    for dimension in DIMENSIONS:
        full = breakdown(session, period, chosen, dimension)
        with shared_results():
            prefetch(session, period, chosen, DIMENSIONS, with_buyers=False)
            lean = breakdown(session, period, chosen, dimension, with_buyers=False)

        assert lean.total == full.total
        assert lean.rows == [replace(row, orders=None, buyers=None) for row in full.rows], dimension
        assert all(row.aov is None for row in lean.rows)


def test_rows_added_up_from_sellers_count_a_seller_once_in_each_of_their_groups(session, world):
    cohorts = breakdown(session, JANUARY, None, "cohort", with_buyers=False)
    types = breakdown(session, JANUARY, None, "training_type", with_buyers=False)

    assert {row.key: (row.gmv, row.sellers_active) for row in cohorts.rows} == {
        row.key: (row.gmv, row.sellers_active) for row in breakdown(session, JANUARY, None, "cohort").rows}
    assert sum(row.gmv for row in cohorts.rows) > cohorts.total.gmv     # a seller in two cohorts
    assert {row.key: row.gmv for row in types.rows} == {
        row.key: row.gmv for row in breakdown(session, JANUARY, None, "training_type").rows}


@pytest.mark.parametrize("choose", FILTER_CHOICES)
def test_breakdowns_read_in_one_statement_equal_those_read_one_by_one(session, world, choose):
    chosen = choose(world)
    period = Period(date(2025, 12, 1), date(2026, 2, 28))
    apart = {dimension: breakdown(session, period, chosen, dimension) for dimension in DIMENSIONS}
    alone = indicators(session, period, chosen)
    previous_alone = indicators(session, period.previous(), chosen)
    statements = []

    def seen(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        with shared_results():
            prefetch(session, period, chosen, DIMENSIONS)
            prefetched = len(statements)
            together = {dimension: breakdown(session, period, chosen, dimension) for dimension in DIMENSIONS}
            assert indicators(session, period, chosen) == alone
            after = statements[prefetched:]
            assert indicators(session, period.previous(), chosen) == previous_alone
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    def reads_sales(statement: str) -> bool:
        return any(table in statement for table in ("seller_orders", "order_lines", "offline_sales",
                                                    "paid_part_links", "monthly_seller"))

    reading_sales = [statement for statement in statements[:prefetched] if reads_sales(statement)]
    # This period's figures, the previous period's, and both periods' repeat buyers: in one statement
    # from the sales, or in one per period from the paid parts' links when no seller or category is chosen.
    from_links = chosen in (Filters(), Filters(channel="online"))
    assert len(reading_sales) == (2 if chosen.channel == "offline" else 4 if from_links else 3)
    assert not [statement for statement in after if reads_sales(statement)]
    assert together == apart


def test_channel_filter_offline(session, world):
    ind = indicators(session, JANUARY, Filters(channel="offline"))
    assert (ind.gmv, ind.transactions, ind.orders, ind.aov, ind.buyers) == (61_000, 3, 0, None, 0)
    assert ind.repeat_buyer_rate is None and ind.reach_outside_blitar is None
    assert ind.sellers_active == 2              # S1 (F2) and S2 (F1, F6)
    assert ind.sellers_registered == 4          # the channel does not select sellers


def test_cohort_filter(session, world):
    ind = indicators(session, JANUARY, Filters(cohort_id=world["b2"].id))
    # Only S2: online 30.000 + 50.000, offline 25.000 + 21.000.
    assert (ind.gmv, ind.gmv_by_channel["online"], ind.orders, ind.aov) == (126_000, 80_000, 2, 40_000)
    assert ind.buyers == 2                      # U2 and the guest
    assert ind.repeat_buyers == 0               # the guest's second order was from S3, outside the filter
    assert (ind.sellers_registered, ind.sellers_new, ind.sellers_active) == (1, 0, 1)
    assert (ind.sellers_with_previous_sales, ind.sellers_growing) == (1, 1)


def test_combined_training_type_and_kecamatan_filter(session, world):
    ind = indicators(session, JANUARY, Filters(training_type_id=world["menjahit"].id, kecamatan_code="35.05.10"))
    assert ind.gmv == 95_000                    # S1 only (S5 of the same cohort lives in Wlingi)
    assert ind.sellers_registered == 1


def test_filters_no_seller_matches_give_zeros(session, world):
    # Organic farming was taught to S1 and S2; only S5 lives in Wlingi.
    chosen = Filters(training_type_id=world["organik"].id, kecamatan_code="35.05.17")
    ind = indicators(session, JANUARY, chosen)
    assert (ind.gmv, ind.transactions, ind.orders, ind.buyers, ind.sellers_registered, ind.sellers_active) == (
        0, 0, 0, 0, 0, 0)
    assert breakdown(session, JANUARY, chosen, "month").rows == []


def test_category_filter_includes_sub_categories_for_registered_sellers(session, world):
    ind = indicators(session, JANUARY, Filters(category_id=world["food"].id))
    # Food sales: O3/S2 30.000, O4 50.000, O8 40.000 online; F1 25.000 offline.
    assert (ind.gmv, ind.gmv_by_channel["online"], ind.orders, ind.aov) == (145_000, 120_000, 3, 40_000)
    # Sellers with a product in Food or its sub-category Keripik: S1, S2, S3.
    assert ind.sellers_registered == 3


def test_before_and_after_training(session, world):
    s1_results = before_after(session, world["s1"].id, today=date(2026, 3, 15))
    # Data start: F0a on 2025-04-30, so May 2025 is the first complete month with data.
    a1, b1 = s1_results
    # A1 completed 2025-06-15: before = May (12.000); after = Jul..Dec, S1 sold 100.000 in Dec -> 16.667.
    assert (a1.cohort_id, a1.months_before, a1.average_before) == (world["a1"].id, [(2025, 5)], 12_000)
    assert a1.months_after == [(2025, 7), (2025, 8), (2025, 9), (2025, 10), (2025, 11), (2025, 12)]
    assert a1.average_after == 16_667
    # B1 completed 2025-09-10: before May..Aug: 12.000 / 4 = 3.000; after Oct..Feb: (100+95+20) / 5 = 43.000.
    assert (b1.average_before, len(b1.months_before)) == (3_000, 4)
    assert (b1.average_after, b1.months_after[-1]) == (43_000, (2026, 2))
    assert a1.enough_data and b1.enough_data


def test_before_and_after_training_without_a_complete_month_after(session, world):
    b1, b2 = before_after(session, world["s2"].id, today=date(2025, 12, 1))
    # B1 completed 2025-09-10: October and November are over by December 1st; S2 sold nothing then.
    assert (b1.months_after, b1.average_after, b1.enough_data) == ([(2025, 10), (2025, 11)], 0, True)
    # B2 completed 2025-11-20: December is not over yet, so there is no month after it.
    assert b2.months_after == [] and b2.average_after is None and not b2.enough_data
    assert before_after(session, world["s3"].id, today=date(2026, 3, 15)) == []


def test_a_call_makes_a_fixed_number_of_queries(session, world):
    statements = []

    def count(*args, **kwargs):
        statements.append(1)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        indicators(session, JANUARY, Filters(category_id=world["food"].id, cohort_id=world["b1"].id))
        with_data = len(statements)
        statements.clear()
        indicators(session, Period(date(2020, 1, 1), date(2020, 1, 31)))
        without_data = len(statements)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert with_data <= 10     # the filters' sellers are looked up first, then each figure has its query
    assert without_data <= with_data


@pytest.mark.parametrize(("start", "end", "code"), [
    ("2026-02-01", "2026-01-01", "end_before_start"),
    ("2026-13-01", "2026-01-31", "invalid_date"),
    ("", "2026-01-31", "invalid_date"),
    ("1900-01-01", "1900-01-31", "out_of_range"),
    ("2001-01-01", "2026-01-31", "too_long"),
])
def test_bad_periods_are_refused_with_a_code(start, end, code):
    with pytest.raises(IndicatorError) as caught:
        Period.parse(start, end)
    assert caught.value.code == code


def test_previous_period_has_the_same_length():
    assert JANUARY.previous() == Period(date(2025, 12, 1), date(2025, 12, 31))
    assert Period(date(2026, 3, 1), date(2026, 3, 1)).previous() == Period(date(2026, 2, 28), date(2026, 2, 28))


def test_unknown_filter_values_are_refused(session, world):
    with pytest.raises(IndicatorError, match="unknown_channel"):
        Filters(channel="web")
    with pytest.raises(IndicatorError, match="unknown_kecamatan"):
        Filters(kecamatan_code="99.99.99")
    with pytest.raises(IndicatorError, match="unknown_cohort"):
        Filters(cohort_id=-1)
    with pytest.raises(IndicatorError) as caught:
        indicators(session, JANUARY, Filters(cohort_id=world["b2"].id + 1000))
    assert caught.value.code == "unknown_cohort"
    with pytest.raises(IndicatorError):
        check_filters(session, Filters(training_type_id=999_999))
    with pytest.raises(IndicatorError, match="unknown_dimension"):
        breakdown(session, JANUARY, None, "colour")


def test_one_producers_monthly_figures_for_a_statement(session, world):
    result = breakdown(session, Period(date(2025, 12, 1), date(2026, 2, 28)), Filters(seller_id=world["s1"].id),
                       "month")
    # S1: Dec O1 100.000; Jan O3 40.000 + O8 40.000 + F2 15.000; Feb O2 20.000.
    assert by_key(result) == {"2025-12": 100_000, "2026-01": 95_000, "2026-02": 20_000}
    assert result.total.gmv == 215_000
    with pytest.raises(IndicatorError, match="unknown_seller"):
        indicators(session, JANUARY, Filters(seller_id=world["s5"].id + 1000))


def test_every_indicator_error_code_has_a_message():
    import re
    from pathlib import Path

    from marketplace.admin.exhibition_forms import INDICATOR_MESSAGES

    source = Path(__file__).parents[1].joinpath("marketplace/services/indicators.py").read_text()
    codes = set(re.findall(r'IndicatorError\(f?"([a-z_]+)', source)) - {"unknown_"}
    codes |= {f"unknown_{name}" for name in ("training_type", "cohort", "category", "seller")}
    assert codes <= set(INDICATOR_MESSAGES)
