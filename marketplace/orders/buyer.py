"""The buyer's side of an order: the order page (also for guests, by its unguessable link)
and the card payment pages."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from marketplace.extensions import db
from marketplace.models import Order, OrderStatus, PaymentMethod, SellerOrder
from marketplace.orders.routes import bp
from marketplace.services import notifications, payments

PAYMENT_ERRORS = {
    "below_minimum": lambda minimum: _("Card payments need at least %(amount)s. Please choose bank transfer or cash.",
                                       amount=_rupiah(minimum)),
    "card_disabled": lambda minimum: _("Card payment is not available right now. Please choose another method."),
    "stripe_unavailable": lambda minimum: _("The card payment service did not answer. Please try again shortly."),
    "not_payable": lambda minimum: _("This order cannot be paid any more."),
}


def _rupiah(amount) -> str:
    from marketplace.formatting import format_rupiah

    return format_rupiah(amount)


def order_by_token(token: str) -> Order:
    """The order behind a buyer's link, or 404 (tokens are 43 random URL-safe characters)."""
    if not token or len(token) > 64:
        abort(404)
    order = db.session.scalar(
        select(Order).where(Order.access_token == token).options(
            selectinload(Order.parts).selectinload(SellerOrder.lines),
            selectinload(Order.parts).selectinload(SellerOrder.seller),
            selectinload(Order.payments), selectinload(Order.events),
        )
    )
    if order is None:
        abort(404)
    return order


@bp.route("/o/<token>")
def guest_order(token: str):
    order = order_by_token(token)
    return render_template("orders/order.html", order=order, bank=current_app.config["BANK_ACCOUNT"])


@bp.route("/o/<token>/bayar-kartu")
def card_payment(token: str):
    order = order_by_token(token)
    if order.payment_method != PaymentMethod.CARD or order.status != OrderStatus.AWAITING_PAYMENT:
        return redirect(url_for("orders.guest_order", token=token))
    settings = payments.StripeSettings.from_config(current_app.config)
    try:
        client_secret = payments.start_card_payment(db.session, order, settings)
    except payments.PaymentError as error:
        flash(PAYMENT_ERRORS.get(error.code, PAYMENT_ERRORS["not_payable"])(settings.minimum_amount), "error")
        return redirect(url_for("orders.guest_order", token=token))
    return render_template("orders/card_payment.html", order=order, client_secret=client_secret,
                           publishable_key=settings.publishable_key,
                           stripe_js_url=current_app.config["STRIPE_JS_URL"])


@bp.route("/o/<token>/kartu-selesai")
def card_return(token: str):
    """Where Stripe.js sends the buyer: ask Stripe at once, so the buyer sees the result now."""
    order = order_by_token(token)
    before = notifications.latest_event_id(db.session, order.id)
    settings = payments.StripeSettings.from_config(current_app.config)
    if payments.sync_card_payment(db.session, order, settings):
        notifications.notify_events(db.session, order.id, before)
        flash(_("Payment received. Thank you!"), "success")
    elif order.status == OrderStatus.AWAITING_PAYMENT:
        flash(_("We have not received the card payment yet. If you completed it, this page will update shortly."),
              "warning")
    return redirect(url_for("orders.guest_order", token=token))
