"""`flask seed-bench --orders N`: exactly N orders in every state, bulk-inserted yet following the order and
ledger rules."""
from __future__ import annotations

import re
from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from marketplace.models import (
    EntryKind, ExhibitionEvent, GuestBuyer, LedgerEntry, OfflineSale, Order, OrderEvent, OrderLine, OrderNumberCounter,
    OrderStatus, PartStatus, Payment, PaymentMethod, Product, Review, SellerOrder, SellerProfile, SellerStatus,
)
from marketplace.services import bench_data, ledger
from marketplace.services.storage import get_storage
from tests import factories

NOW = datetime(2026, 10, 1, 3, tzinfo=timezone.utc)


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def seed_market(session, *, sellers: int = 12, products: int = 150) -> None:
    bench_data.seed_bench(session, get_storage(), sellers=sellers, products=products,
                          hash_method="pbkdf2:sha256:1000", now=NOW)


def test_seed_bench_orders_creates_exactly_n_orders_and_prints_the_time(app, session):
    result = app.test_cli_runner().invoke(
        args=["seed-bench", "--sellers", "5", "--products", "60", "--orders", "240"])

    assert result.exit_code == 0, result.output
    assert re.search(r"Added 240 orders \(.*\) in \d+\.\d s", result.output)
    assert count(session, Order) == 240
    assert count(session, SellerOrder) >= 240
    assert count(session, OrderLine) >= count(session, SellerOrder)


@pytest.mark.parametrize("value", ["0", "-5", "lots", "1.5", ""])
def test_orders_option_refuses_values_that_are_not_a_positive_whole_number(app, session, value):
    result = app.test_cli_runner().invoke(
        args=["seed-bench", "--sellers", "2", "--products", "5", "--orders", value])

    assert result.exit_code == 2
    assert "--orders" in result.output
    assert "give a whole number from 1 to 10000000" in result.output
    assert count(session, Product) == 0 and count(session, Order) == 0


def test_orders_need_something_to_order(app, session):
    result = app.test_cli_runner().invoke(args=["seed-bench", "--sellers", "1", "--products", "0", "--orders", "5"])

    assert result.exit_code == 1
    assert "no published products" in result.output
    assert count(session, Order) == 0


def test_bench_orders_are_in_every_state_over_two_years_with_consistent_totals(app, session):
    seed_market(session)
    summary = bench_data.seed_bench_orders(session, orders=1_500, now=NOW)

    assert summary.orders == count(session, Order) == 1_500
    assert {s for s in session.scalars(select(Order.status))} == set(OrderStatus)
    assert {s for s in session.scalars(select(SellerOrder.status))} == set(PartStatus)
    assert {m for m in session.scalars(select(Order.payment_method))} == set(PaymentMethod)
    first, last = session.execute(select(func.min(Order.created_at), func.max(Order.created_at))).one()
    assert (last - first).days > 600 and last <= NOW
    for order in session.scalars(select(Order).order_by(Order.id).limit(300)):
        assert order.subtotal == sum(part.subtotal for part in order.parts)
        assert order.shipping_total == sum(part.delivery_fee for part in order.parts)
        assert order.total == order.subtotal + order.shipping_total + order.unique_code
        for part in order.parts:
            assert part.subtotal == sum(line.unit_price * line.quantity for line in part.lines)
            assert all(0 <= line.refunded_amount <= line.unit_price * line.quantity for line in part.lines)
            events = session.scalars(select(OrderEvent).where(OrderEvent.seller_order_id == part.id)
                                     .order_by(OrderEvent.id)).all()
            assert events and events[-1].to_status == part.status.value
            # the placement first, then (when the part moved on) one step to where it is now
            assert events[0].from_status == "" and all(event.from_status for event in events[1:])
            assert (part.payment_confirmed_at is not None) == (
                part.status in (PartStatus.COMPLETED, PartStatus.DELIVERED) or
                (order.payment_method != PaymentMethod.CASH and order.paid_at is not None))
        assert len(order.payments) == (0 if order.payment_method == PaymentMethod.CASH else 1)
        assert all(p.amount == order.total for p in order.payments)
    assert session.scalar(select(func.count()).where(OrderLine.refunded_amount > 0)) > 0


def test_bench_reviews_are_only_on_completed_lines(app, session):
    seed_market(session)
    bench_data.seed_bench_orders(session, orders=600, now=NOW)

    statuses = session.execute(select(SellerOrder.status).join(OrderLine, OrderLine.seller_order_id == SellerOrder.id)
                               .join(Review, Review.order_line_id == OrderLine.id)).scalars().all()
    assert statuses and set(statuses) == {PartStatus.COMPLETED}


def test_bench_ledger_balances_equal_what_the_ledger_rules_give(app, session):
    seed_market(session)
    special = session.scalar(select(SellerProfile).order_by(SellerProfile.id))
    special.commission_bps = 500  # one producer with a rate of their own
    ledger.save_settings(session, commission_bps=250, hold_until_delivered=False, payout_minimum=0, actor_id=None)
    session.commit()
    bench_data.seed_bench_orders(session, orders=800, now=NOW)

    expected: Counter = Counter()
    for part in session.scalars(select(SellerOrder).where(SellerOrder.payment_confirmed_at.is_not(None))):
        if part.order.payment_method == PaymentMethod.CASH:
            continue
        rate = 500 if part.seller_id == special.id else 250
        goods = sum(line.value for line in part.lines)
        fee = 0 if part.status == PartStatus.REFUNDED else part.delivery_fee
        expected[part.seller_id] += goods + fee - ledger.commission_on(goods, rate)
    found = ledger.balances(session, hold_until_delivered=False)

    assert expected and {sid: b.total for sid, b in found.items()} == dict(expected)
    # Paid parts that were cancelled are refunded in full, so nothing is held back.
    assert all(b.pending == 0 for b in found.values())
    sales = session.scalar(select(func.count()).where(LedgerEntry.kind == EntryKind.SALE))
    assert sales == session.scalar(select(func.count()).select_from(SellerOrder).join(Order).where(
        SellerOrder.payment_confirmed_at.is_not(None), Order.payment_method != PaymentMethod.CASH))
    assert session.scalar(select(func.count()).where(LedgerEntry.kind == EntryKind.REVERSAL)) > 0


def test_bench_orders_count_paid_units_as_sold(app, session):
    seed_market(session)
    bench_data.seed_bench_orders(session, orders=400, now=NOW)

    paid_units = dict(session.execute(
        select(OrderLine.product_id, func.sum(OrderLine.quantity))
        .join(SellerOrder, SellerOrder.id == OrderLine.seller_order_id)
        .where(SellerOrder.payment_confirmed_at.is_not(None),
               SellerOrder.status.not_in([PartStatus.CANCELLED, PartStatus.REFUNDED]))
        .group_by(OrderLine.product_id)).all())
    sold = dict(session.execute(select(Product.id, Product.sold_count).where(Product.sold_count > 0)).all())
    assert paid_units and sold == paid_units


def test_orders_after_the_bench_get_the_next_number_and_id(app, session):
    seed_market(session, sellers=3, products=20)
    bench_data.seed_bench_orders(session, orders=50, now=datetime.now(timezone.utc) - timedelta(days=1))
    buyer = factories.make_user(session, email="pembeli.baru@example.id")
    product = session.scalar(select(Product).join(Product.seller).where(
        Product.status == "published", SellerProfile.status == "approved", Product.stock > 0))
    product.stock = 5
    session.commit()

    order = factories.place_order(session, [(product, 1)], buyer_user=buyer)

    assert order.id > max(session.scalars(select(Order.id).where(Order.id != order.id)))
    year = int(order.number.split("-")[1])
    counter = session.get(OrderNumberCounter, year)
    assert order.number == f"PLB-{year}-{counter.last_number:06d}"
    assert count(session, Order) == 51
    payment_ids = session.scalars(select(Payment.id)).all()
    assert len(payment_ids) == len(set(payment_ids))


def test_guest_buyers_come_back(app, session):
    seed_market(session)
    bench_data.seed_bench_orders(session, orders=600, now=NOW)

    orders_per_buyer = Counter(session.scalars(select(Order.buyer_email)))
    assert len(orders_per_buyer) <= 600 // bench_data.BENCH_ORDERS_PER_BUYER
    assert sum(1 for orders in orders_per_buyer.values() if orders >= 2) >= 50
    people: dict[str, set] = {}
    for email, name, phone in session.execute(select(Order.buyer_email, Order.buyer_name, Order.buyer_phone)):
        people.setdefault(email, set()).add((name, phone))
    assert all(len(person) == 1 for person in people.values())      # one person behind each address


def test_every_bench_address_is_one_guest_buyer_also_in_a_second_run(app, session):
    seed_market(session)
    bench_data.seed_bench_orders(session, orders=300, now=NOW)
    bench_data.seed_bench_orders(session, orders=300, now=NOW, seed=bench_data.DEFAULT_SEED + 1)

    guests = dict(session.execute(select(GuestBuyer.id, GuestBuyer.email)).all())
    pairs = session.execute(select(Order.guest_buyer_id, Order.buyer_email)).all()
    assert all(guests[guest_id] == email for guest_id, email in pairs)
    assert len(guests) == len({email for _, email in pairs})


def test_bench_offline_sales_follow_the_recording_rules(app, session):
    seed_market(session, sellers=60, products=300)
    summary = bench_data.seed_bench_offline(session, now=NOW)

    today = NOW.date()
    events = {event.id: event for event in session.scalars(select(ExhibitionEvent))}
    sales = session.scalars(select(OfflineSale)).all()
    assert summary.events == len(events) >= 40 and summary.sales == len(sales) > 500
    assert {sale.event_id is None for sale in sales} == {True, False}    # exhibitions and market stalls
    for sale in sales:
        assert today - timedelta(days=bench_data.HISTORY_DAYS) <= sale.sale_date <= today
        assert sale.value > 0 and sale.seller.status == SellerStatus.APPROVED
        if sale.event_id is not None:
            event = events[sale.event_id]
            assert event.start_date <= sale.sale_date <= event.end_date <= today
        if sale.product_id is not None:
            product = session.get(Product, sale.product_id)
            assert product.seller_id == sale.seller_id
            assert sale.value == product.price * sale.quantity or sale.corrected_from_id is not None
        if sale.voided_at is not None:
            assert sale.void_reason and sale.voided_at <= NOW
        if sale.corrected_from_id is not None:
            assert session.get(OfflineSale, sale.corrected_from_id).voided_at is not None
    assert summary.voided == sum(sale.voided_at is not None for sale in sales)
    assert summary.corrected == sum(sale.corrected_from_id is not None for sale in sales) <= summary.voided


def test_seed_bench_with_orders_also_records_offline_sales(app, session):
    result = app.test_cli_runner().invoke(
        args=["seed-bench", "--sellers", "5", "--products", "60", "--orders", "50"])

    assert result.exit_code == 0, result.output
    assert re.search(r"Added \d+ exhibitions and \d+ offline sales \(\d+ voided, \d+ of them corrected\)",
                     result.output)
    assert count(session, OfflineSale) > 0


def test_bulk_inserted_sales_get_their_summaries(app, session):
    from marketplace.models import MonthlySellerSales, PaidPartLink
    from marketplace.services.sales_summary import counted_part

    seed_market(session)
    bench_data.seed_bench_orders(session, orders=300, now=NOW)
    bench_data.seed_bench_offline(session, now=NOW)

    counted = session.scalar(select(func.count()).select_from(SellerOrder).where(*counted_part()))
    offline = session.scalar(select(func.count()).where(OfflineSale.voided_at.is_(None)))
    assert counted > 0 and count(session, PaidPartLink) == counted
    assert session.scalar(select(func.sum(MonthlySellerSales.online_transactions))) == counted
    assert session.scalar(select(func.sum(MonthlySellerSales.offline_transactions))) == offline
