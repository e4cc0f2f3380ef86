"""Payments: one interface, three methods (card through Stripe, bank transfer, cash).

Rupiah are whole numbers everywhere in the marketplace; Stripe treats IDR as a
two-decimal currency, so amounts are multiplied by 100 only in this module.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime

import stripe
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from marketplace.models import utcnow
from marketplace.models.orders import (
    Order, OrderStatus, PartStatus, Payment, PaymentMethod, PaymentStatus, SellerOrder, StripeEvent,
)
from marketplace.services import audit, ledger, notifications, orders
from marketplace.services.order_states import OFFICER, SYSTEM

logger = logging.getLogger(__name__)


class PaymentError(ValueError):
    """A payment action could not be done; `code` says why, for the view's message."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class StripeSettings:
    secret_key: str | None
    publishable_key: str | None
    webhook_secret: str | None
    api_base: str
    minimum_amount: int

    @classmethod
    def from_config(cls, config) -> StripeSettings:
        return cls(
            secret_key=config.get("STRIPE_SECRET_KEY"), publishable_key=config.get("STRIPE_PUBLISHABLE_KEY"),
            webhook_secret=config.get("STRIPE_WEBHOOK_SECRET"), api_base=config.get("STRIPE_API_BASE"),
            minimum_amount=int(config.get("STRIPE_MINIMUM_AMOUNT", 10_000)),
        )

    @property
    def card_enabled(self) -> bool:
        """Card payment is offered only when both Stripe keys are configured."""
        return bool(self.secret_key and self.publishable_key)

    def client(self) -> stripe.StripeClient:
        return stripe.StripeClient(self.secret_key or "", base_addresses={"api": self.api_base},
                                   max_network_retries=2)


def to_stripe_amount(rupiah: int) -> int:
    return rupiah * 100


def from_stripe_amount(amount: int) -> int:
    return amount // 100


def available_methods(settings: StripeSettings) -> list[PaymentMethod]:
    methods = [PaymentMethod.TRANSFER, PaymentMethod.CASH]
    if settings.card_enabled:
        methods.insert(0, PaymentMethod.CARD)
    return methods


def _pending_payment(order: Order, method: PaymentMethod) -> Payment | None:
    return next((p for p in order.payments if p.method == method), None)


# ---- card ---------------------------------------------------------------------------------

def start_card_payment(session: Session, order: Order, settings: StripeSettings) -> str:
    """Create (once) the order's PaymentIntent and return its client secret for Stripe.js."""
    if order.payment_method != PaymentMethod.CARD or order.status != OrderStatus.AWAITING_PAYMENT:
        raise PaymentError("not_payable")
    if not settings.card_enabled:
        raise PaymentError("card_disabled")
    if order.total < settings.minimum_amount:
        raise PaymentError("below_minimum")
    payment = _pending_payment(order, PaymentMethod.CARD)
    client = settings.client()
    try:
        if payment.stripe_payment_intent_id:
            intent = client.v1.payment_intents.retrieve(payment.stripe_payment_intent_id)
        else:
            intent = client.v1.payment_intents.create(
                params={
                    "amount": to_stripe_amount(order.total), "currency": "idr", "payment_method_types": ["card"],
                    "metadata": {"order_id": str(order.id), "order_number": order.number},
                },
                options={"idempotency_key": f"order-{order.id}-payment-{payment.id}"},
            )
            payment.stripe_payment_intent_id = intent.id
            session.commit()
    except stripe.StripeError as exc:
        session.rollback()
        raise PaymentError("stripe_unavailable") from exc
    return intent.client_secret


def _card_fee(client: stripe.StripeClient, intent_id: str) -> int | None:
    """Stripe's fee for the payment, from its balance transaction, when Stripe tells it."""
    try:
        intent = client.v1.payment_intents.retrieve(intent_id).to_dict()
        charges = (intent.get("charges") or {}).get("data") or []
        charge_id = intent.get("latest_charge") if isinstance(intent.get("latest_charge"), str) else None
        charge = charges[0] if charges else (client.v1.charges.retrieve(charge_id).to_dict() if charge_id else None)
        txn_id = charge.get("balance_transaction") if charge else None
        if not txn_id:
            return None
        return from_stripe_amount(client.v1.balance_transactions.retrieve(txn_id).fee)
    except (stripe.StripeError, KeyError, TypeError, AttributeError):
        return None


def sync_card_payment(session: Session, order: Order, settings: StripeSettings) -> bool:
    """Ask Stripe for the PaymentIntent (the buyer's return page) and confirm the order if it succeeded.

    True when the order is now paid. A payment that came after the order expired, for goods no
    longer in stock, is refunded instead: the buyer is mailed here and False returned.
    """
    payment = _pending_payment(order, PaymentMethod.CARD)
    if payment is None or not payment.stripe_payment_intent_id or not settings.card_enabled:
        return False
    client = settings.client()
    try:
        intent = client.v1.payment_intents.retrieve(payment.stripe_payment_intent_id)
    except stripe.StripeError:
        return False
    if intent.status != "succeeded" or intent.amount != to_stripe_amount(order.total):
        return False
    fee = _card_fee(client, intent.id)
    order_id = order.id
    before = notifications.latest_event_id(session, order_id)
    try:
        moved = _confirm_card(session, order_id, intent.id, fee, settings)
    except PaymentError:
        # The late payment's refund did not go through: nothing is recorded, and the webhook
        # (which Stripe retries) or the next visit to this page tries again.
        session.rollback()
        logger.warning("late card payment not refunded yet", extra={"order_id": order_id})
        return False
    if moved and session.get(Order, order_id).status == OrderStatus.REFUNDED:
        notifications.notify_events(session, order_id, before)
        return False
    return moved


def _confirm_card(session: Session, order_id: int, intent_id: str, fee: int | None,
                  settings: StripeSettings, commit: bool = True) -> bool:
    def refund_late_payment(order: Order, payment: Payment, amount: int) -> None:
        # The order had expired and (some of) its goods were sold meanwhile: give back what they cost.
        _refund_card(settings, intent_id, None if amount >= payment.amount else amount,
                     f"late-payment-order-{order.id}-{amount}")

    moved = orders.apply_payment_confirmation(session, order_id, actor_id=None, actor_role=SYSTEM, stripe_fee=fee,
                                              refund=refund_late_payment)
    if not moved:
        order = session.get(Order, order_id)
        if order is not None and order.status == OrderStatus.CANCELLED and order.paid_at is None:
            # The buyer cancelled while the card was being charged: give the money back.
            _refund_card(settings, intent_id, None, f"cancelled-order-{order_id}")
    if commit:
        session.commit()
    return moved


def expire_orders(session: Session, settings: StripeSettings, now: datetime | None = None) -> list[int]:
    """Expire unpaid orders past their deadline (orders.expire_orders) and cancel their card
    PaymentIntents at Stripe, so a buyer still on the card page can no longer pay.

    Best effort: the order is expired whatever Stripe answers. A payment that still gets
    through (made just before the cancel) is handled as a late payment.
    """
    expired = orders.expire_orders(session, now=now)
    if not expired or not settings.card_enabled:
        return expired
    intents = session.execute(
        select(Payment.order_id, Payment.stripe_payment_intent_id)
        .where(Payment.order_id.in_(expired), Payment.method == PaymentMethod.CARD,
               Payment.stripe_payment_intent_id.is_not(None))
    ).all()
    session.rollback()   # end the read transaction before the network calls
    client = settings.client()
    for order_id, intent_id in intents:
        try:
            client.v1.payment_intents.cancel(intent_id, options={"idempotency_key": f"expire-order-{order_id}"})
        except stripe.StripeError as exc:
            logger.warning("payment intent not cancelled at expiry: %s", exc,
                           extra={"order_id": order_id, "payment_intent": intent_id})
    return expired


def _refund_card(settings: StripeSettings, intent_id: str, amount: int | None, key: str) -> None:
    params: dict = {"payment_intent": intent_id}
    if amount is not None:
        params["amount"] = to_stripe_amount(amount)
    try:
        settings.client().v1.refunds.create(params=params, options={"idempotency_key": key})
    except stripe.StripeError as exc:
        raise PaymentError("refund_failed") from exc


class WebhookRejected(ValueError):
    """The webhook's signature or body is not valid (answered with 400)."""


_STRIPE_ID_MAX = 80    # the length of StripeEvent's id columns
_INT32_MAX = 2**31 - 1


def _event_parts(data: object) -> tuple[dict, dict, str]:
    """The parsed event, its data object and the payment intent id. A correctly signed body
    can still be shaped unlike a Stripe event (only Stripe can sign, but a bug or a test tool can
    send it): WebhookRejected then, never a crash or an oversized database value."""
    if not isinstance(data, dict):
        raise WebhookRejected("the event is not an object")
    inner = data.get("data") or {}
    obj = (inner.get("object") if isinstance(inner, dict) else None) or {}
    if not isinstance(obj, dict):
        raise WebhookRejected("the event's data object is not an object")
    intent_id = (obj.get("id") if obj.get("object") == "payment_intent" else obj.get("payment_intent")) or ""
    created, refunded = data.get("created") or 0, obj.get("amount_refunded") or 0
    texts = (data.get("id", ""), data.get("type", ""), intent_id)
    # Printable: PostgreSQL refuses text holding a NUL character, and Stripe's ids never hold control characters.
    if not all(isinstance(text, str) and len(text) <= _STRIPE_ID_MAX and text.isprintable() for text in texts):
        raise WebhookRejected("the event's id, type or payment intent is not a short printable text")
    if not all(type(number) is int and 0 <= number <= limit
               for number, limit in ((created, _INT32_MAX), (refunded, to_stripe_amount(_INT32_MAX)))):
        raise WebhookRejected("the event's created or amount_refunded is not a whole number in range")
    return data, obj, intent_id


def handle_stripe_webhook(session: Session, payload: bytes, signature: str | None,
                          settings: StripeSettings) -> str:
    """Verify, record once, and apply a Stripe event. Returns what was done (for logs and tests).

    The event id is stored in the same transaction as the order change, so a duplicate or a
    retry after a crash is applied exactly once. Unknown orders are recorded and ignored.
    """
    if not settings.webhook_secret:
        raise WebhookRejected("webhook secret not configured")
    try:
        # Verified, then parsed by us: stripe's own event builder crashes on bodies like `null`.
        stripe.WebhookSignature.verify_header(payload, signature or "", settings.webhook_secret,
                                              stripe.Webhook.DEFAULT_TOLERANCE)
        event = json.loads(payload)
    except (ValueError, stripe.SignatureVerificationError) as exc:
        raise WebhookRejected(str(exc)) from exc
    data, obj, intent_id = _event_parts(event)
    event_type = data.get("type", "")

    fee = None
    if event_type == "payment_intent.succeeded" and intent_id and settings.card_enabled:
        fee = _card_fee(settings.client(), intent_id)   # network call before the transaction starts

    try:
        with session.begin_nested():
            session.add(StripeEvent(event_id=data.get("id", ""), event_type=event_type,
                                    payment_intent_id=intent_id or "", created=int(data.get("created") or 0)))
    except IntegrityError:
        session.rollback()
        return "duplicate"

    payment = session.scalar(select(Payment).where(Payment.stripe_payment_intent_id == intent_id)) if intent_id else None
    outcome = "ignored"
    notify_after: tuple[int, int] | None = None
    if payment is None:
        outcome = "unknown_order"
    elif event_type == "payment_intent.succeeded":
        if obj.get("amount") != to_stripe_amount(payment.order.total):
            outcome = "amount_mismatch"
        else:
            events_before = notifications.latest_event_id(session, payment.order_id)
            moved = _confirm_card(session, payment.order_id, intent_id, fee, settings, commit=False)
            outcome = "paid" if moved else "already_paid"
            if moved:
                notify_after = (payment.order_id, events_before)
    elif event_type == "payment_intent.payment_failed":
        # Out of order or after success: a failure never undoes a confirmed payment.
        outcome = "failed_after_success" if payment.status == PaymentStatus.SUCCEEDED else "failed"
    elif event_type == "charge.refunded":
        refunded = from_stripe_amount(int(obj.get("amount_refunded") or 0))
        if refunded > payment.refunded_amount:
            _record_outside_refund(session, payment, refunded - payment.refunded_amount)
        outcome = "refund_recorded"
    session.commit()
    if notify_after:
        # The buyer's "paid" mail and each producer's "new order" mail, as the return page sends
        # when it is the one that sees the payment first.
        notifications.notify_events(session, *notify_after)
    return outcome


# ---- bank transfer ------------------------------------------------------------------------

def attach_transfer_receipt(session: Session, order: Order, image_id: int) -> None:
    """The buyer's photo of the transfer receipt (the image went through the photo pipeline)."""
    payment = _pending_payment(order, PaymentMethod.TRANSFER)
    if payment is None or order.status not in (OrderStatus.AWAITING_PAYMENT,):
        raise PaymentError("not_payable")
    payment.receipt_image_id = image_id
    session.commit()


def confirm_transfer(session: Session, order: Order, *, actor_id: int, actor_role: str,
                     now: datetime | None = None) -> bool:
    """An officer or a producer of the order saw the money arrive."""
    if order.payment_method != PaymentMethod.TRANSFER:
        raise PaymentError("not_transfer")
    if order.status not in (OrderStatus.AWAITING_PAYMENT, OrderStatus.EXPIRED):
        raise PaymentError("not_payable")
    moved = orders.apply_payment_confirmation(session, order.id, actor_id=actor_id, actor_role=actor_role,
                                              now=now or utcnow())
    if moved:
        audit.record(session, actor_id=actor_id, action="order.transfer_confirmed", subject_type="order",
                     subject_id=order.id, details={"amount": order.total, "by": actor_role})
    session.commit()
    return moved


# ---- refunds ------------------------------------------------------------------------------

def refund_part(session: Session, part: SellerOrder, *, amount: int, actor_id: int | None, settings: StripeSettings,
                reason: str = "", actor_role: str = OFFICER) -> None:
    """Refund `amount` rupiah of a producer's part: through Stripe for cards, recorded for the rest.

    The refund is spread over the part's lines (largest first) so that every line's value
    (quantity x price - refunded) stays exact for the programme's figures, and noted on the
    part's timeline, from which the buyer's refund mail is sent (notifications.notify_events).
    """
    order = part.order
    if part.payment_confirmed_at is None:
        raise PaymentError("not_paid")
    lines_value = sum(line.value for line in part.lines)
    if amount <= 0 or amount > lines_value + part.delivery_fee:
        raise PaymentError("bad_amount")
    payment = next((p for p in order.payments if p.status in (PaymentStatus.SUCCEEDED,
                                                             PaymentStatus.PARTIALLY_REFUNDED)), None)
    if order.payment_method == PaymentMethod.CARD:
        if payment is None or not payment.stripe_payment_intent_id:
            raise PaymentError("not_paid")
        refunded_before = sum(line.refunded_amount for line in part.lines)
        _refund_card(settings, payment.stripe_payment_intent_id, amount,
                     f"refund-part-{part.id}-{refunded_before}-{amount}")
    _spread_refund(session, part, amount, actor_id=actor_id, actor_role=actor_role, reason=reason)
    if payment is not None:
        _add_refunded(payment, amount)
    if part.status == PartStatus.CANCELLED and sum(line.value for line in part.lines) == 0:
        orders.advance_part(session, part.id, PartStatus.REFUNDED, actor_role=SYSTEM, actor_id=actor_id,
                            note=reason)
        return
    session.commit()


def _spread_refund(session: Session, part: SellerOrder, amount: int, *, actor_id: int | None, actor_role: str,
                   reason: str, action: str = "order.refunded") -> None:
    """Take a refund off the part's lines (largest first), reverse it in the ledger, note it on the
    part's timeline, audit it."""
    remaining = amount
    for line in sorted(part.lines, key=lambda line: line.value, reverse=True):
        share = min(remaining, line.value)
        line.refunded_amount += share
        remaining -= share
    ledger.reverse_refund(session, part, amount, actor_id=actor_id, reason=reason)
    orders.record_refund_event(session, part, amount, actor_id=actor_id, actor_role=actor_role)
    audit.record(session, actor_id=actor_id, action=action, subject_type="seller_order", subject_id=part.id,
                 reason=reason, details={"amount": amount, "method": part.order.payment_method.value})


def _add_refunded(payment: Payment, amount: int) -> None:
    payment.refunded_amount += amount
    payment.status = (PaymentStatus.REFUNDED if payment.refunded_amount >= payment.amount
                      else PaymentStatus.PARTIALLY_REFUNDED)


def _record_outside_refund(session: Session, payment: Payment, amount: int) -> None:
    """A refund made in the Stripe Dashboard rather than through the marketplace.

    With one producer in the order it is clear whose sale it reverses, so lines and ledger
    follow. With several, Stripe does not say whose goods were refunded: the payment records
    it and the audit log flags it for an officer to settle with a ledger adjustment.
    """
    parts = [part for part in payment.order.parts if part.payment_confirmed_at is not None]
    if len(parts) == 1:
        part = parts[0]
        refundable = sum(line.value for line in part.lines) + part.delivery_fee
        share = min(amount, refundable)
        if share > 0:
            _spread_refund(session, part, share, actor_id=None, actor_role=SYSTEM, reason="",
                           action="order.refunded_in_stripe")
    else:
        audit.record(session, actor_id=None, action="payment.refunded_in_stripe", subject_type="order",
                     subject_id=payment.order_id, details={"amount": amount, "producers": len(parts)})
    _add_refunded(payment, amount)


def cancel_part(session: Session, part_id: int, *, actor_role: str, actor_id: int | None, reason: str,
                settings: StripeSettings) -> SellerOrder:
    """Cancel a producer's part: stock returns, and money already paid is refunded
    (through Stripe for cards; recorded for transfers, which the operator pays back)."""
    part = orders.advance_part(session, part_id, PartStatus.CANCELLED, actor_role=actor_role, actor_id=actor_id,
                               note=reason)
    if part.payment_confirmed_at is not None and part.order.payment_method != PaymentMethod.CASH:
        amount = sum(line.value for line in part.lines) + part.delivery_fee
        if amount > 0:
            refund_part(session, part, amount=amount, actor_id=actor_id, settings=settings, reason=reason,
                        actor_role=actor_role)
    return part
