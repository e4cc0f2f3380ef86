"""The buyer's side of an order: the order page (also for guests, by its unguessable link)
and the card payment pages."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from marketplace.extensions import db
from marketplace.models import Order, OrderStatus, PartStatus, PaymentMethod, SellerOrder
from marketplace.orders.forms import ReceiptForm, ReviewForm
from marketplace.orders.routes import bp
from marketplace.security import limit_uploads
from marketplace.services import notifications, orders, payments, reviews
from marketplace.services.order_states import BUYER, CANCELLABLE_BY_BUYER, TransitionRefused
from marketplace.uploads import UploadRejected, image_from_upload

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
    line_ids = [line.id for part in order.parts for line in part.lines]
    return render_template(
        "orders/order.html", order=order, bank=current_app.config["BANK_ACCOUNT"],
        reviewed=reviews.reviewed_line_ids(db.session, line_ids), receipt_form=ReceiptForm(),
        cancellable=CANCELLABLE_BY_BUYER, receivable={PartStatus.SHIPPED, PartStatus.READY_FOR_PICKUP,
                                                      PartStatus.DELIVERED},
    )


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


# ---- buyer actions: history, cancel, confirm receipt, review, transfer receipt ---------------

def _order_page(token: str):
    return redirect(url_for("orders.guest_order", token=token)), 303


def _buyer_part(order: Order, part_id: int) -> SellerOrder:
    part = next((p for p in order.parts if p.id == part_id), None)
    if part is None:
        abort(404)
    return part


@bp.route("/")
@login_required
def my_orders():
    history = db.session.scalars(
        select(Order).where(Order.buyer_id == current_user.id)
        .options(selectinload(Order.parts).selectinload(SellerOrder.seller))
        .order_by(Order.created_at.desc()).limit(100)
    ).all()
    return render_template("orders/my_orders.html", orders=history)


@bp.route("/o/<token>/bagian/<int:part_id>/batal", methods=["POST"])
def buyer_cancel(token: str, part_id: int):
    order = order_by_token(token)
    part = _buyer_part(order, part_id)
    before = notifications.latest_event_id(db.session, order.id)
    # An unpaid order is cancelled whole: the amount to pay (card intent, transfer code) covers every part.
    parts = order.parts if order.status == OrderStatus.AWAITING_PAYMENT else [part]
    try:
        for each in parts:
            if each.status == PartStatus.CANCELLED:
                continue
            payments.cancel_part(db.session, each.id, actor_role=BUYER, actor_id=order.buyer_id,
                                 reason=_("Cancelled by the buyer"),
                                 settings=payments.StripeSettings.from_config(current_app.config))
    except (TransitionRefused, orders.OrderActionRefused, payments.PaymentError):
        db.session.rollback()
        flash(_("This part of the order can no longer be cancelled: it has been sent already."), "error")
        return _order_page(token)
    notifications.notify_events(db.session, order.id, before)
    flash(_("Cancelled. Any payment for it is refunded."), "success")
    return _order_page(token)


@bp.route("/o/<token>/bagian/<int:part_id>/terima", methods=["POST"])
def buyer_confirm_receipt(token: str, part_id: int):
    order = order_by_token(token)
    part = _buyer_part(order, part_id)
    before = notifications.latest_event_id(db.session, order.id)
    try:
        orders.advance_part(db.session, part.id, PartStatus.COMPLETED, actor_role=BUYER, actor_id=order.buyer_id)
    except (TransitionRefused, orders.OrderActionRefused):
        db.session.rollback()
        flash(_("You can confirm receipt once the producer has sent it or it is ready for pickup, "
                "and for cash orders once the producer has recorded your payment."), "error")
        return _order_page(token)
    notifications.notify_events(db.session, order.id, before)
    flash(_("Thank you for confirming! You can now review the products."), "success")
    return _order_page(token)


@bp.route("/o/<token>/ulasan/<int:line_id>", methods=["GET", "POST"])
def buyer_review(token: str, line_id: int):
    order = order_by_token(token)
    line = next((line for part in order.parts for line in part.lines if line.id == line_id), None)
    if line is None:
        abort(404)
    form = ReviewForm()
    if form.validate_on_submit():
        try:
            reviews.add_review(db.session, line, rating=int(form.rating.data), body=form.body.data or "",
                               author_name=order.buyer_name.split(" ")[0], buyer_id=order.buyer_id)
        except reviews.ReviewRefused as refused:
            flash(REVIEW_REFUSALS.get(refused.code, REVIEW_REFUSALS["not_completed"])(), "error")
            return _order_page(token)
        flash(_("Thank you for your review!"), "success")
        return _order_page(token)
    status = 400 if form.is_submitted() else 200
    return render_template("orders/review.html", form=form, order=order, line=line), status


REVIEW_REFUSALS = {
    "not_completed": lambda: _("You can review a product after confirming you received it."),
    "already_reviewed": lambda: _("You already reviewed this product for this order."),
    "bad_rating": lambda: _("Choose 1 to 5 stars."),
    "product_gone": lambda: _("This product is no longer on the marketplace."),
}


@bp.route("/o/<token>/bukti-transfer", methods=["POST"])
@limit_uploads
def transfer_receipt(token: str):
    order = order_by_token(token)
    form = ReceiptForm()
    if not form.validate_on_submit():
        flash(_("Choose a photo of the receipt."), "error")
        return _order_page(token)
    try:
        image = image_from_upload(form.receipt.data)
        payments.attach_transfer_receipt(db.session, order, image.id)
    except UploadRejected as rejected:
        db.session.rollback()
        flash(rejected.message, "error")
        return _order_page(token)
    except payments.PaymentError:
        db.session.rollback()
        flash(_("This order is not waiting for a transfer."), "error")
        return _order_page(token)
    flash(_("Receipt received. The payment is confirmed once the money is seen in the account."), "success")
    return _order_page(token)
