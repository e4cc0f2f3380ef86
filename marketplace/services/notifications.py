"""E-mails about orders: one to the buyer and one to the producer concerned, per transition,
and one to the buyer per refund, each in the recipient's language. Derived from the stored
OrderEvents, so nothing is missed."""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app, has_request_context, url_for
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from marketplace.models import Order, OrderEvent, PartStatus, SellerOrder, utcnow
from marketplace.services.mail import render_mail, send_mail
from marketplace.services.orders import refund_in

# What the buyer hears about: order-level events, and each producer's fulfilment steps. Refunds
# get their own mail, from the refund's note (which says how much), not from the "refunded" step.
BUYER_ORDER_STATUSES = {"awaiting_payment", "placed", "paid", "expired"}
BUYER_PART_STATUSES = {"packing", "shipped", "ready_for_pickup", "delivered", "cancelled"}
# What a producer hears about their part.
SELLER_PART_STATUSES = {"new", "cancelled", "completed", "refunded"}


def order_link(order: Order) -> str:
    """The buyer's link to the order: works for guests too (unguessable token)."""
    return url_for("orders.guest_order", token=order.access_token, _external=True)


def notify_events(session: Session, order_id: int, after_event_id: int = 0) -> int:
    """Send the mails for the order's events newer than `after_event_id`. Returns mails sent.

    Outside a request (cron, CLI) links are built from the SITE_URL setting.
    """
    if not has_request_context():
        with current_app.test_request_context(base_url=current_app.config["SITE_URL"]):
            return notify_events(session, order_id, after_event_id)
    order = session.scalar(select(Order).where(Order.id == order_id).options(
        selectinload(Order.parts).selectinload(SellerOrder.seller)))
    if order is None:
        return 0
    events = session.scalars(select(OrderEvent).where(OrderEvent.order_id == order_id,
                                                      OrderEvent.id > after_event_id).order_by(OrderEvent.id))
    sent = 0
    parts = {part.id: part for part in order.parts}
    for event in events:
        part = parts.get(event.seller_order_id) if event.seller_order_id else None
        if event.from_status == event.to_status:
            # A note on the timeline, not a change: only a refund is mailed.
            amount = refund_in(event)
            if amount is not None and part is not None:
                subject, body = render_mail("order_refund", order.language, order=order, part=part,
                                            amount=amount, late=part.payment_confirmed_at is None,
                                            link=order_link(order))
                send_mail(order.buyer_email, subject, body)
                sent += 1
            continue
        to_buyer = (event.to_status in BUYER_PART_STATUSES) if part else (event.to_status in BUYER_ORDER_STATUSES)
        if to_buyer:
            subject, body = render_mail("order_buyer", order.language, order=order, part=part, event=event,
                                        link=order_link(order))
            send_mail(order.buyer_email, subject, body)
            sent += 1
        if part is not None and event.to_status in SELLER_PART_STATUSES:
            seller_user = part.seller.user
            subject, body = render_mail("order_seller", seller_user.preferred_language, order=order, part=part,
                                        event=event, link=url_for("orders.seller_order", part_id=part.id,
                                                                  _external=True))
            send_mail(seller_user.email, subject, body)
            sent += 1
    return sent


def latest_event_id(session: Session, order_id: int) -> int:
    """Remember this before an action; pass it to notify_events after."""
    return session.scalar(select(OrderEvent.id).where(OrderEvent.order_id == order_id)
                          .order_by(OrderEvent.id.desc()).limit(1)) or 0


def stuck_parts(session: Session, *, days: int, now: datetime | None = None) -> list[SellerOrder]:
    """Paid parts not shipped or made ready after `days` days, oldest first (for officers)."""
    cutoff = (now or utcnow()) - timedelta(days=days)
    return list(session.scalars(
        select(SellerOrder)
        .where(SellerOrder.status.in_([PartStatus.NEW, PartStatus.PACKING]),
               func.coalesce(SellerOrder.payment_confirmed_at, SellerOrder.created_at) < cutoff)
        .options(selectinload(SellerOrder.seller), selectinload(SellerOrder.order))
        .order_by(SellerOrder.created_at)
    ))
