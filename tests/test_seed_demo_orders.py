"""`flask seed-demo` order history: placed and moved through the real order services, in every state."""
from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from marketplace.models import (
    AuditLog, DeliveryMethod, LedgerEntry, Order, OrderEvent, OrderLine, OrderStatus, PartStatus, Payment,
    PaymentMethod, PaymentStatus, Product, Review, SellerOrder, User,
)
from marketplace.services import demo_data, ledger
from marketplace.services.storage import get_storage
from tests.conftest import _empty_all_tables, login

NOW = datetime(2026, 10, 1, 3, tzinfo=timezone.utc)  # well before the wall clock: leaks of it would show


def load(session, *, commission_bps: int = 0, products: int = 60, orders: int = demo_data.DEMO_ORDER_COUNT,
         seed: int = demo_data.DEFAULT_SEED):
    if commission_bps:
        ledger.save_settings(session, commission_bps=commission_bps, hold_until_delivered=False, payout_minimum=0,
                             actor_id=None)
        session.commit()
    return demo_data.seed_demo(session, get_storage(), hash_method="pbkdf2:sha256:1000", products=products,
                               orders=orders, now=NOW, seed=seed,
                               images=demo_data.ImageSettings(widths=(320,)))


@pytest.fixture
def demo(session):
    return load(session, commission_bps=250)


def test_the_demo_market_has_orders_in_every_state_method_and_region(demo, session):
    assert demo.orders >= 110
    assert session.scalar(select(func.count()).select_from(Order)) == demo.orders
    order_states = {s for s in session.scalars(select(Order.status))}
    assert order_states == set(OrderStatus)
    part_states = {s for s in session.scalars(select(SellerOrder.status))}
    assert part_states == set(PartStatus)
    assert {m for m in session.scalars(select(Order.payment_method))} == set(PaymentMethod)
    assert {d for d in session.scalars(select(SellerOrder.delivery_method))} == set(DeliveryMethod)
    regions = {r for r in session.scalars(select(Order.regency_code))}
    assert {"35.05", "35.72", "35", ""} <= regions  # Blitar, elsewhere in Jawa Timur, outside
    shipped = session.scalars(select(SellerOrder).where(SellerOrder.delivery_method == DeliveryMethod.COURIER,
                                                         SellerOrder.status == PartStatus.SHIPPED)).all()
    assert shipped and all(p.courier_name in ("JNE", "J&T") and p.tracking_number for p in shipped)
    ready = session.scalars(select(SellerOrder).where(SellerOrder.status == PartStatus.READY_FOR_PICKUP)).all()
    assert ready and all(p.delivery_method == DeliveryMethod.PICKUP for p in ready)
    line_amount = OrderLine.unit_price * OrderLine.quantity
    partly = session.scalars(select(OrderLine).where(OrderLine.refunded_amount > 0,
                                                     OrderLine.refunded_amount < line_amount)).all()
    assert partly and all(line.part.status == PartStatus.COMPLETED for line in partly)
    assert session.scalar(select(func.count()).where(Payment.status == PaymentStatus.PARTIALLY_REFUNDED)) >= 1
    # Card payments are confirmed as the webhook would, so none is left waiting.
    assert not session.scalars(select(Order).where(Order.payment_method == PaymentMethod.CARD,
                                                   Order.status == OrderStatus.AWAITING_PAYMENT)).all()


def test_demo_buyer_and_returning_guests_place_the_orders(demo, session):
    buyer = session.scalar(select(User).where(User.email == demo_data.DEMO_LOGINS[0].email))
    assert session.scalar(select(func.count()).where(Order.buyer_id == buyer.id)) >= 10
    guests = Counter(session.scalars(select(Order.buyer_email).where(Order.buyer_id.is_(None))))
    assert len(guests) >= 8
    assert max(guests.values()) >= 3  # some guests come back
    assert session.scalar(select(func.count()).select_from(User)) == 33  # guests have no accounts


def test_demo_order_totals_add_up_and_stock_never_goes_negative(demo, session):
    for order in session.scalars(select(Order)):
        assert order.subtotal == sum(part.subtotal for part in order.parts)
        assert order.shipping_total == sum(part.delivery_fee for part in order.parts)
        assert order.total == order.subtotal + order.shipping_total + order.unique_code
        assert (order.unique_code > 0) == (order.payment_method == PaymentMethod.TRANSFER)
        for part in order.parts:
            assert part.subtotal == sum(line.unit_price * line.quantity for line in part.lines)
        if order.payment_method != PaymentMethod.CASH:
            assert [p.amount for p in order.payments] == [order.total]
    assert session.scalar(select(func.min(Product.stock))) >= 0


def test_reviews_are_only_on_completed_lines_after_completion(demo, session):
    found = session.scalars(select(Review)).all()
    assert len(found) == demo.reviews > 10
    for review in found:
        line = session.get(OrderLine, review.order_line_id)
        assert line.part.status == PartStatus.COMPLETED
        assert review.product_id == line.product_id
        completed = session.scalar(select(OrderEvent.created_at).where(
            OrderEvent.seller_order_id == line.part.id, OrderEvent.to_status == PartStatus.COMPLETED.value))
        assert completed <= review.created_at <= NOW


def test_demo_history_spans_fourteen_months_and_nothing_is_stamped_after_now(demo, session):
    first, last = session.execute(select(func.min(Order.created_at), func.max(Order.created_at))).one()
    assert NOW - timedelta(days=430) <= first <= NOW - timedelta(days=365)
    assert last <= NOW
    for model in (OrderEvent, LedgerEntry, AuditLog, Review, SellerOrder):
        assert session.scalar(select(func.max(model.created_at))) <= NOW, model.__name__
    assert session.scalar(select(func.max(SellerOrder.updated_at))) <= NOW
    # Every part's history starts with the checkout and ends in its current state.
    for part in session.scalars(select(SellerOrder)):
        events = session.scalars(select(OrderEvent).where(OrderEvent.seller_order_id == part.id)
                                 .order_by(OrderEvent.id)).all()
        assert events[0].from_status == "" and events[-1].to_status == part.status.value


def test_demo_ledger_matches_the_settlement_rules(demo, session):
    """Each paid card/transfer part is owed its final goods value plus delivery, less 2.5% commission."""
    expected: Counter = Counter()
    for part in session.scalars(select(SellerOrder).where(SellerOrder.payment_confirmed_at.is_not(None))):
        if part.order.payment_method == PaymentMethod.CASH:
            continue
        goods = sum(line.value for line in part.lines)
        fee = 0 if part.status == PartStatus.REFUNDED else part.delivery_fee
        expected[part.seller_id] += goods + fee - ledger.commission_on(goods, 250)
    balances = ledger.balances(session)

    assert expected and {sid: b.total for sid, b in balances.items()} == dict(expected)
    cash_parts = select(SellerOrder.id).join(Order).where(Order.payment_method == PaymentMethod.CASH)
    assert session.scalar(select(func.count()).where(LedgerEntry.seller_order_id.in_(cash_parts))) == 0


def test_demo_buyer_opens_their_order_history_and_an_order(demo, app, session):
    buyer = session.scalar(select(User).where(User.email == demo_data.DEMO_LOGINS[0].email))
    mine = session.scalars(select(Order).where(Order.buyer_id == buyer.id).order_by(Order.created_at.desc())).all()
    client = app.test_client()
    login(client, buyer)

    page = client.get("/pesanan/")

    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert all(order.number in text for order in mine)
    assert client.get(f"/pesanan/o/{mine[0].access_token}").status_code == 200


def test_demo_orders_are_the_same_for_the_same_seed(session):
    def snapshot():
        load(session, products=30, orders=40, seed=11)
        rows = session.execute(
            select(Order.number, Order.status, Order.payment_method, Order.subtotal, Order.shipping_total,
                   Order.buyer_email, Order.created_at).order_by(Order.number)).all()
        lines = session.execute(select(OrderLine.product_name, OrderLine.quantity, OrderLine.refunded_amount)
                                .order_by(OrderLine.id)).all()
        _empty_all_tables()
        return rows, lines

    first = snapshot()
    assert first[0] and first == snapshot()


def test_seed_demo_command_reports_the_orders(app, session, monkeypatch):
    monkeypatch.setitem(app.config, "IMAGE_WIDTHS", (320,))

    result = app.test_cli_runner().invoke(args=["seed-demo", "--products", "20", "--orders", "25"])

    assert result.exit_code == 0, result.output
    placed = session.scalar(select(func.count()).select_from(Order))
    assert 20 <= placed <= 25
    assert f"{placed} orders" in result.output
