"""Order lifecycle: payment confirmation, fulfilment transitions, cash, cancellation and expiry."""
from datetime import timedelta

import pytest

from marketplace.models import (
    DeliveryMethod, Order, OrderEvent, OrderStatus, PartStatus, PaymentStatus, Product, SellerOrder, utcnow,
)
from marketplace.services import orders
from marketplace.services.order_states import (
    BUYER, OFFICER, SELLER, SYSTEM, TransitionRefused, allowed_targets, check_part_transition,
)
from tests import factories


@pytest.fixture
def product(session):
    seller = factories.make_seller(session, shop_name="Anyaman Bu Sri")
    factories.set_delivery(session, seller, local_fee=5_000)
    return factories.make_product(session, seller=seller, price=50_000, stock=5)


def _stock(session, product_id):
    session.expire_all()
    return session.get(Product, product_id).stock


def test_confirming_payment_moves_every_part_to_new_once(session, product):
    order = factories.place_order(session, [(product, 2)], payment="transfer")

    assert orders.confirm_payment(session, order.id, actor_id=None, actor_role=OFFICER) is True
    assert orders.confirm_payment(session, order.id, actor_id=None, actor_role=OFFICER) is False

    session.expire_all()
    order = session.get(Order, order.id)
    assert order.status == OrderStatus.PAID
    assert order.parts[0].status == PartStatus.NEW
    assert order.parts[0].payment_confirmed_at is not None
    assert order.payments[0].status == PaymentStatus.SUCCEEDED
    assert [e.to_status for e in order.events] == ["awaiting_payment", "awaiting_payment", "new", "paid"]


def test_producer_fulfils_to_completion_and_timeline_records_everything(session, product):
    order = factories.place_order(session, [(product, 1)], payment="transfer",
                                  deliveries={product.seller_id: DeliveryMethod.LOCAL})
    orders.confirm_payment(session, order.id, actor_id=None, actor_role=SYSTEM)
    part_id = order.parts[0].id
    seller_user = product.seller.user_id

    orders.advance_part(session, part_id, PartStatus.PACKING, actor_role=SELLER, actor_id=seller_user)
    orders.advance_part(session, part_id, PartStatus.SHIPPED, actor_role=SELLER, actor_id=seller_user,
                        courier_name="Diantar sendiri", tracking_number="")
    orders.advance_part(session, part_id, PartStatus.DELIVERED, actor_role=SELLER, actor_id=seller_user)
    orders.advance_part(session, part_id, PartStatus.COMPLETED, actor_role=BUYER, actor_id=None)

    session.expire_all()
    order = session.get(Order, order.id)
    assert order.status == OrderStatus.COMPLETED
    part_events = [(e.from_status, e.to_status, e.actor_role) for e in order.events if e.seller_order_id]
    assert part_events == [
        ("", "awaiting_payment", "buyer"),
        ("awaiting_payment", "new", "system"),
        ("new", "packing", "seller"),
        ("packing", "shipped", "seller"),
        ("shipped", "delivered", "seller"),
        ("delivered", "completed", "buyer"),
    ]


def test_pickup_part_is_made_ready_not_shipped(session, product):
    order = factories.place_order(session, [(product, 1)], payment="cash")
    part_id = order.parts[0].id
    orders.advance_part(session, part_id, PartStatus.PACKING, actor_role=SELLER, actor_id=None)
    with pytest.raises(TransitionRefused) as refused:
        orders.advance_part(session, part_id, PartStatus.SHIPPED, actor_role=SELLER, actor_id=None)
    assert refused.value.code == "wrong_delivery"
    orders.advance_part(session, part_id, PartStatus.READY_FOR_PICKUP, actor_role=SELLER, actor_id=None)
    assert session.get(SellerOrder, part_id).status == PartStatus.READY_FOR_PICKUP


def test_cash_part_completes_only_after_cash_is_recorded(session, product):
    order = factories.place_order(session, [(product, 1)], payment="cash")
    part_id = order.parts[0].id
    for status in (PartStatus.PACKING, PartStatus.READY_FOR_PICKUP, PartStatus.DELIVERED):
        orders.advance_part(session, part_id, status, actor_role=SELLER, actor_id=None)
    with pytest.raises(orders.OrderActionRefused) as refused:
        orders.advance_part(session, part_id, PartStatus.COMPLETED, actor_role=BUYER, actor_id=None)
    assert refused.value.code == "cash_not_recorded"

    orders.record_cash_received(session, part_id, actor_id=product.seller.user_id)
    with pytest.raises(orders.OrderActionRefused):
        orders.record_cash_received(session, part_id, actor_id=product.seller.user_id)
    orders.advance_part(session, part_id, PartStatus.COMPLETED, actor_role=BUYER, actor_id=None)
    session.expire_all()
    assert session.get(Order, order.id).status == OrderStatus.COMPLETED


def test_cancelling_returns_stock_and_records_reason(session, product):
    order = factories.place_order(session, [(product, 3)], payment="cash")
    assert _stock(session, product.id) == 2
    orders.advance_part(session, order.parts[0].id, PartStatus.CANCELLED, actor_role=SELLER, actor_id=None,
                        note="Bahan habis")
    assert _stock(session, product.id) == 5
    session.expire_all()
    order = session.get(Order, order.id)
    assert order.status == OrderStatus.CANCELLED
    assert order.parts[0].cancel_reason == "Bahan habis"


def test_buyer_cannot_cancel_after_shipping(session, product):
    order = factories.place_order(session, [(product, 1)], payment="cash",
                                  deliveries={product.seller_id: DeliveryMethod.LOCAL})
    part_id = order.parts[0].id
    orders.advance_part(session, part_id, PartStatus.PACKING, actor_role=SELLER, actor_id=None)
    orders.advance_part(session, part_id, PartStatus.SHIPPED, actor_role=SELLER, actor_id=None)
    with pytest.raises(TransitionRefused) as refused:
        orders.advance_part(session, part_id, PartStatus.CANCELLED, actor_role=BUYER, actor_id=None)
    assert refused.value.code == "not_allowed"
    assert _stock(session, product.id) == 4


def test_expiry_releases_stock_once_even_when_run_twice(session, product):
    order = factories.place_order(session, [(product, 4)], payment="card")
    assert _stock(session, product.id) == 1
    later = utcnow() + timedelta(minutes=31)

    assert orders.expire_orders(session, now=utcnow()) == []
    assert orders.expire_orders(session, now=later) == [order.id]
    assert orders.expire_orders(session, now=later) == []

    assert _stock(session, product.id) == 5
    order = session.get(Order, order.id)
    assert order.status == OrderStatus.EXPIRED
    assert order.parts[0].status == PartStatus.CANCELLED
    assert order.payments[0].status == PaymentStatus.CANCELLED


def test_late_payment_revives_an_expired_order_when_stock_remains(session, product):
    order = factories.place_order(session, [(product, 2)], payment="card")
    orders.expire_orders(session, now=utcnow() + timedelta(minutes=31))
    assert _stock(session, product.id) == 5

    assert orders.confirm_payment(session, order.id, actor_id=None, actor_role=SYSTEM)

    session.expire_all()
    order = session.get(Order, order.id)
    assert order.status == OrderStatus.PAID
    assert order.parts[0].status == PartStatus.NEW
    assert _stock(session, product.id) == 3
    # The payment that expiry had cancelled is the one that came in.
    assert order.payments[0].status == PaymentStatus.SUCCEEDED and order.payments[0].confirmed_at is not None


@pytest.mark.parametrize("source,target,actor,allowed", [
    (PartStatus.NEW, PartStatus.PACKING, SELLER, True),
    (PartStatus.NEW, PartStatus.PACKING, BUYER, False),
    (PartStatus.AWAITING_PAYMENT, PartStatus.PACKING, SELLER, False),
    (PartStatus.DELIVERED, PartStatus.COMPLETED, BUYER, True),
    (PartStatus.COMPLETED, PartStatus.NEW, OFFICER, False),
    (PartStatus.CANCELLED, PartStatus.NEW, SELLER, False),
    (PartStatus.PACKING, PartStatus.CANCELLED, BUYER, True),
    (PartStatus.SHIPPED, PartStatus.CANCELLED, SELLER, False),
])
def test_state_machine_allows_only_listed_transitions(source, target, actor, allowed):
    if allowed:
        check_part_transition(source, target, actor)
    else:
        with pytest.raises(TransitionRefused):
            check_part_transition(source, target, actor)


def test_allowed_targets_offer_the_right_buttons():
    assert allowed_targets(PartStatus.PACKING, SELLER, DeliveryMethod.PICKUP) == [
        PartStatus.READY_FOR_PICKUP, PartStatus.CANCELLED]
    assert allowed_targets(PartStatus.PACKING, SELLER, DeliveryMethod.COURIER) == [
        PartStatus.SHIPPED, PartStatus.CANCELLED]


def test_every_transition_is_stored_as_an_event(session, product):
    order = factories.place_order(session, [(product, 1)], payment="cash")
    orders.advance_part(session, order.parts[0].id, PartStatus.PACKING, actor_role=SELLER, actor_id=None)
    # placed (order) + new (part) + packing (part)
    assert session.query(OrderEvent).filter_by(order_id=order.id).count() == 3


def test_expire_orders_command_expires_and_mails_the_buyer(app, session, product, mail_outbox):
    order = factories.place_order(session, [(product, 2)], payment="transfer",
                                  now=utcnow() - timedelta(days=2))
    result = app.test_cli_runner().invoke(args=["expire-orders"])
    assert result.exit_code == 0, result.output
    assert "Expired 1" in result.output
    session.expire_all()
    assert session.get(Order, order.id).status == OrderStatus.EXPIRED
    assert _stock(session, product.id) == 5
    assert any(m.to == order.buyer_email for m in mail_outbox)


def test_sold_count_follows_paid_sales_for_most_sold_sorting(session, product):
    transfer = factories.place_order(session, [(product, 2)], payment="transfer")
    cash = factories.place_order(session, [(product, 1)], payment="cash")
    assert session.get(Product, product.id).sold_count == 0  # nothing paid yet

    orders.confirm_payment(session, transfer.id, actor_id=None, actor_role=OFFICER)
    orders.record_cash_received(session, cash.parts[0].id, actor_id=None)
    session.expire_all()
    assert session.get(Product, product.id).sold_count == 3

    orders.advance_part(session, transfer.parts[0].id, PartStatus.CANCELLED, actor_role=SELLER, actor_id=None,
                        note="Stok rusak")
    session.expire_all()
    assert session.get(Product, product.id).sold_count == 1


def test_producer_cancelling_a_paid_part_mails_the_buyer_the_refund(seller_client, session, seller, mail_outbox):
    own = factories.make_product(session, seller=seller, price=60_000, stock=5)
    order = factories.place_order(session, [(own, 2)], payment="transfer")
    order.language = "en"
    session.commit()
    orders.confirm_payment(session, order.id, actor_id=None, actor_role=OFFICER)
    mail_outbox.clear()

    response = seller_client.post(f"/pesanan/penjual/{order.parts[0].id}/batal", data={"reason": "Stok rusak"})

    assert response.status_code == 303
    session.expire_all()
    order = session.get(Order, order.id)
    assert order.parts[0].status == PartStatus.REFUNDED
    to_buyer = {mail.subject: mail.body for mail in mail_outbox if mail.to == order.buyer_email}
    assert set(to_buyer) == {f"Order {order.number} was cancelled", f"Refund for order {order.number}"}
    refund = to_buyer[f"Refund for order {order.number}"]
    assert "Amount refunded: Rp 120.000" in refund and "transfers the money back" in refund


def test_late_transfer_for_goods_sold_meanwhile_is_recorded_as_owed_back(session, product, officer, mail_outbox):
    from marketplace.formatting import format_rupiah
    from marketplace.models import AuditLog, LedgerEntry
    from marketplace.services import notifications, payments

    order = factories.place_order(session, [(product, 2)], payment="transfer")
    order.language = "en"
    session.commit()
    orders.expire_orders(session, now=utcnow() + timedelta(days=2))
    factories.place_order(session, [(product, 4)], payment="cash")
    before = notifications.latest_event_id(session, order.id)

    assert payments.confirm_transfer(session, session.get(Order, order.id), actor_id=officer.id,
                                     actor_role=OFFICER) is True
    notifications.notify_events(session, order.id, before)

    session.expire_all()
    order = session.get(Order, order.id)
    payment = order.payments[0]
    assert order.status == OrderStatus.REFUNDED and order.parts[0].status == PartStatus.REFUNDED
    assert (payment.status, payment.refunded_amount) == (PaymentStatus.REFUNDED, order.total)
    assert session.query(LedgerEntry).count() == 0
    assert session.query(AuditLog).filter_by(action="order.late_payment_refunded", subject_id=order.id).count() == 1
    (mail,) = [mail for mail in mail_outbox if mail.to == order.buyer_email]
    assert f"Amount refunded: {format_rupiah(order.total)}" in mail.body
    assert "no longer available" in mail.body and "transfers the money back" in mail.body
