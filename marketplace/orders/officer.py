"""Officers' order tools: transfers waiting for confirmation, stuck orders, refunds."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from marketplace.auth.decorators import officer_required
from marketplace.extensions import db
from marketplace.models import Order, OrderStatus, PaymentMethod, SellerOrder
from marketplace.orders.forms import RefundForm
from marketplace.orders.routes import bp
from marketplace.orders.seller import refusal_message
from marketplace.services import notifications, payments
from marketplace.services.order_states import OFFICER


@bp.route("/petugas/transfer")
@officer_required
def officer_transfers():
    waiting = db.session.scalars(
        select(Order).where(Order.status == OrderStatus.AWAITING_PAYMENT,
                            Order.payment_method == PaymentMethod.TRANSFER)
        .options(selectinload(Order.payments), selectinload(Order.parts).selectinload(SellerOrder.seller))
        .order_by(Order.created_at).limit(200)
    ).all()
    return render_template("orders/officer_transfers.html", orders=waiting)


@bp.route("/petugas/transfer/<int:order_id>", methods=["POST"])
@officer_required
def officer_confirm_transfer(order_id: int):
    order = db.session.get(Order, order_id)
    if order is None:
        abort(404)
    before = notifications.latest_event_id(db.session, order.id)
    try:
        payments.confirm_transfer(db.session, order, actor_id=current_user.id, actor_role=OFFICER)
    except payments.PaymentError as refused:
        flash(refusal_message(refused.code), "error")
        return redirect(url_for("orders.officer_transfers")), 303
    notifications.notify_events(db.session, order.id, before)
    flash(_("Transfer for %(number)s confirmed.", number=order.number), "success")
    return redirect(url_for("orders.officer_transfers")), 303


@bp.route("/petugas/macet")
@officer_required
def officer_stuck():
    days = current_app.config["STUCK_ORDER_DAYS"]
    return render_template("orders/officer_stuck.html", parts=notifications.stuck_parts(db.session, days=days),
                           days=days)


@bp.route("/petugas/bagian/<int:part_id>/refund", methods=["GET", "POST"])
@officer_required
def officer_refund(part_id: int):
    part = db.session.get(SellerOrder, part_id)
    if part is None:
        abort(404)
    form = RefundForm()
    if form.validate_on_submit():
        before = notifications.latest_event_id(db.session, part.order_id)
        try:
            payments.refund_part(db.session, part, amount=form.amount.data, actor_id=current_user.id,
                                 settings=payments.StripeSettings.from_config(current_app.config),
                                 reason=form.reason.data, actor_role=OFFICER)
        except payments.PaymentError as refused:
            db.session.rollback()
            form.amount.errors.append(REFUND_ERRORS.get(refused.code, REFUND_ERRORS["bad_amount"])())
        else:
            # The buyer's refund mail (and the producer's, when the part is now refunded in full).
            notifications.notify_events(db.session, part.order_id, before)
            flash(_("Refund of %(amount)s recorded.", amount=form.amount.raw_data[0]), "success")
            return redirect(url_for("orders.officer_refund", part_id=part.id)), 303
    status = 400 if form.is_submitted() else 200
    return render_template("orders/officer_refund.html", form=form, part=part, order=part.order), status


REFUND_ERRORS = {
    "not_paid": lambda: _("This part has not been paid, so there is nothing to refund."),
    "bad_amount": lambda: _("The amount must be more than 0 and at most what was paid and not yet refunded."),
    "refund_failed": lambda: _("The card refund did not go through. Please try again later."),
}
