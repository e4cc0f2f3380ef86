"""Order lifecycle: payment confirmation, producer fulfilment, cancellation, expiry.

Every change goes through `_move_part`, which checks the state machine, stores the
transition and keeps the order's status in step; each public function commits once.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session, selectinload

from marketplace.formatting import format_rupiah, parse_rupiah
from marketplace.models import utcnow
from marketplace.models.orders import (
    Order, OrderEvent, OrderStatus, PartStatus, Payment, PaymentMethod, PaymentStatus, SellerOrder,
)
from marketplace.services import order_states as states
from marketplace.services import audit, ledger
from marketplace.services import stock


class OrderActionRefused(ValueError):
    """The action does not fit the order's state; `code` says why."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def _event(session, order, part, actor_id, actor_role, from_status, to_status, note, now) -> None:
    session.add(OrderEvent(
        order_id=order.id, seller_order_id=part.id if part is not None else None, actor_id=actor_id,
        actor_role=actor_role, from_status=from_status, to_status=to_status, note=note or "", created_at=now,
    ))


# A refund is stored on the part's timeline as a note (the part's status does not change) whose
# text is the amount, e.g. "Rp 25.000": the buyer reads it there, and the refund mail is sent from it.
_REFUND_NOTE = re.compile(r"Rp \d{1,3}(\.\d{3})*")


def record_refund_event(session: Session, part: SellerOrder, amount: int, *, actor_id: int | None,
                        actor_role: str, now: datetime | None = None) -> None:
    """Note a refund of `amount` rupiah on the part's timeline (the caller commits)."""
    status = part.status.value
    _event(session, part.order, part, actor_id, actor_role, status, status, format_rupiah(amount, "id"),
           now or utcnow())


def refund_in(event: OrderEvent) -> int | None:
    """The amount refunded, when the event is a refund note; else None."""
    if event.from_status != event.to_status or not _REFUND_NOTE.fullmatch(event.note or ""):
        return None
    return parse_rupiah(event.note)


def _refresh_order_status(session: Session, order: Order, actor_id, actor_role, now) -> None:
    paid = order.paid_at is not None
    new_status = states.derive_order_status(order.status, order.payment_method, [p.status for p in order.parts], paid)
    if new_status != order.status:
        _event(session, order, None, actor_id, actor_role, order.status.value, new_status.value, "", now)
        order.status = new_status


def _move_part(session, part: SellerOrder, to_status: PartStatus, actor_role: str, actor_id: int | None,
               note: str = "", now: datetime | None = None) -> None:
    now = now or utcnow()
    states.check_part_transition(part.status, to_status, actor_role, part.delivery_method)
    if to_status == PartStatus.CANCELLED:
        for line in part.lines:
            stock.release(session, line.product_id, line.quantity)
        if part.payment_confirmed_at is not None:
            stock.count_sold(session, part.lines, sign=-1)
        part.cancel_reason = note or part.cancel_reason
    _event(session, part.order, part, actor_id, actor_role, part.status.value, to_status.value, note, now)
    part.status = to_status


def load_order(session: Session, order_id: int, *, for_update: bool = False) -> Order | None:
    query = select(Order).where(Order.id == order_id).options(
        selectinload(Order.parts).selectinload(SellerOrder.lines)
    )
    if for_update:
        query = query.with_for_update()
    return session.scalar(query)


RefundLatePayment = Callable[[Order, Payment, int], None]


def apply_payment_confirmation(session: Session, order_id: int, *, actor_id: int | None, actor_role: str,
                               now: datetime | None = None, stripe_fee: int | None = None,
                               refund: RefundLatePayment | None = None) -> bool:
    """Mark a card or transfer order paid in the caller's transaction. False if it already was.

    The conditional UPDATE makes two confirmations (a webhook and the return page, or two
    officers) race safely: only one of them moves the order.

    A payment for an expired order takes the stock again where it is still there; the parts
    whose stock is gone are refunded in full: `refund(order, payment, amount)` gives the money
    back (Stripe for cards; it may raise to abort everything), None means the operator
    transfers it back. Those parts end REFUNDED and never reach the ledger.
    """
    now = now or utcnow()
    moved = session.execute(
        update(Order)
        .where(Order.id == order_id, Order.status.in_([OrderStatus.AWAITING_PAYMENT, OrderStatus.EXPIRED]),
               Order.paid_at.is_(None))
        .values(paid_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if moved != 1:
        return False
    order = load_order(session, order_id)
    session.refresh(order)
    late = order.status == OrderStatus.EXPIRED
    unavailable = _revive_expired(session, order, actor_id, actor_role, now) if late else []
    for part in order.parts:
        if part.status == PartStatus.AWAITING_PAYMENT:
            part.payment_confirmed_at = now
            _move_part(session, part, PartStatus.NEW, actor_role, actor_id, now=now)
            ledger.credit_sale(session, part, now=now)
            stock.count_sold(session, part.lines)
    for payment in order.payments:
        # Expiry cancelled the pending payment; the money came all the same.
        if payment.status == PaymentStatus.PENDING or (
                late and payment.status == PaymentStatus.CANCELLED and payment.method == order.payment_method):
            payment.status = PaymentStatus.SUCCEEDED
            payment.confirmed_at = now
            payment.confirmed_by_id = actor_id
            if stripe_fee is not None:
                payment.stripe_fee = stripe_fee
    if unavailable:
        _refund_unavailable(session, order, unavailable, actor_id=actor_id, actor_role=actor_role, now=now,
                            refund=refund)
    _refresh_order_status(session, order, actor_id, actor_role, now)
    return True


def confirm_payment(session: Session, order_id: int, *, actor_id: int | None, actor_role: str,
                    now: datetime | None = None, stripe_fee: int | None = None) -> bool:
    """Mark an order paid and commit; False (and nothing changed) if it already was."""
    moved = apply_payment_confirmation(session, order_id, actor_id=actor_id, actor_role=actor_role, now=now,
                                       stripe_fee=stripe_fee)
    session.commit()
    return moved


def _revive_expired(session, order, actor_id, actor_role, now) -> list[SellerOrder]:
    """A payment arrived after the order expired: take the stock again where it is still there.

    Returns the parts whose stock is gone: they stay cancelled, and are refunded.
    """
    unavailable = []
    for part in order.parts:
        if part.status != PartStatus.CANCELLED:
            continue
        try:
            with session.begin_nested():
                for line in part.lines:
                    stock.reserve(session, line.product_id, line.quantity)
        except stock.OutOfStock:
            unavailable.append(part)
            continue
        _event(session, order, part, actor_id, actor_role, part.status.value, PartStatus.AWAITING_PAYMENT.value,
               "late payment", now)
        part.status = PartStatus.AWAITING_PAYMENT
    order.status = OrderStatus.AWAITING_PAYMENT
    return unavailable


def _refund_unavailable(session, order: Order, parts: list[SellerOrder], *, actor_id, actor_role, now,
                        refund: RefundLatePayment | None) -> None:
    """Give back a late payment for the parts whose stock was gone: each part's goods and delivery,
    and with them the whole payment (a transfer's unique code too) when nothing could be revived."""
    payment = next((p for p in order.payments if p.status == PaymentStatus.SUCCEEDED), None)
    amounts = [sum(line.value for line in part.lines) + part.delivery_fee for part in parts]
    if payment is not None and len(parts) == len(order.parts):
        amounts[-1] += max(payment.amount - sum(amounts), 0)
    total = sum(amounts)
    if refund is not None and payment is not None and total > 0:
        refund(order, payment, total)
    for part, amount in zip(parts, amounts):
        record_refund_event(session, part, amount, actor_id=actor_id, actor_role=actor_role, now=now)
        _move_part(session, part, PartStatus.REFUNDED, actor_role, actor_id, "late payment", now)
    if payment is not None:
        payment.refunded_amount += total
        payment.status = (PaymentStatus.REFUNDED if payment.refunded_amount >= payment.amount
                          else PaymentStatus.PARTIALLY_REFUNDED)
    audit.record(session, actor_id=actor_id, action="order.late_payment_refunded", subject_type="order",
                 subject_id=order.id, details={"amount": total, "method": order.payment_method.value,
                                               "parts": [part.id for part in parts]})


def advance_part(session: Session, part_id: int, to_status: PartStatus, *, actor_role: str, actor_id: int | None,
                 note: str = "", courier_name: str = "", tracking_number: str = "",
                 now: datetime | None = None) -> SellerOrder:
    """Move one producer's part (accept, pack, ship, ready, delivered, completed, cancelled)."""
    now = now or utcnow()
    part = session.scalar(select(SellerOrder).where(SellerOrder.id == part_id).with_for_update())
    if part is None:
        raise OrderActionRefused("not_found")
    if to_status == PartStatus.SHIPPED:
        part.courier_name = courier_name.strip()
        part.tracking_number = tracking_number.strip()
    if to_status == PartStatus.COMPLETED and part.order.payment_method == PaymentMethod.CASH \
            and part.payment_confirmed_at is None:
        raise OrderActionRefused("cash_not_recorded")
    try:
        _move_part(session, part, to_status, actor_role, actor_id, note, now)
    except states.TransitionRefused:
        session.rollback()
        raise
    _refresh_order_status(session, part.order, actor_id, actor_role, now)
    session.commit()
    return part


def record_cash_received(session: Session, part_id: int, *, actor_id: int, now: datetime | None = None) -> SellerOrder:
    """The producer received the cash for their part (cash on delivery / pay at pickup)."""
    now = now or utcnow()
    part = session.scalar(select(SellerOrder).where(SellerOrder.id == part_id).with_for_update())
    if part is None:
        raise OrderActionRefused("not_found")
    if part.order.payment_method != PaymentMethod.CASH:
        raise OrderActionRefused("not_cash")
    if part.payment_confirmed_at is not None:
        raise OrderActionRefused("already_recorded")
    if part.status in (PartStatus.CANCELLED, PartStatus.REFUNDED):
        raise OrderActionRefused("cancelled")
    part.payment_confirmed_at = now
    stock.count_sold(session, part.lines)
    _event(session, part.order, part, actor_id, "seller", part.status.value, part.status.value, "cash received", now)
    session.commit()
    return part


def expire_orders(session: Session, now: datetime | None = None) -> list[int]:
    """Expire unpaid orders past their deadline and give their stock back; returns their ids.

    Safe to run twice at once: only the run whose conditional UPDATE matched releases stock."""
    now = now or utcnow()
    due = session.scalars(
        select(Order.id).where(Order.status == OrderStatus.AWAITING_PAYMENT, Order.expires_at < now)
    ).all()
    expired: list[int] = []
    for order_id in due:
        # Only the run whose UPDATE matched goes on to release stock.
        moved = session.execute(
            update(Order)
            .where(Order.id == order_id, Order.status == OrderStatus.AWAITING_PAYMENT, Order.paid_at.is_(None))
            .values(status=OrderStatus.EXPIRED)
            .execution_options(synchronize_session=False)
        ).rowcount
        if moved != 1:
            session.rollback()
            continue
        order = load_order(session, order_id)
        session.refresh(order)
        _event(session, order, None, None, states.SYSTEM, OrderStatus.AWAITING_PAYMENT.value,
               OrderStatus.EXPIRED.value, "", now)
        for part in order.parts:
            if part.status == PartStatus.AWAITING_PAYMENT:
                _move_part(session, part, PartStatus.CANCELLED, states.SYSTEM, None, "expired", now)
        for payment in order.payments:
            if payment.status == PaymentStatus.PENDING:
                payment.status = PaymentStatus.CANCELLED
        session.commit()
        expired.append(order_id)
    return expired
