"""The producer's side of orders: new orders first, fulfilment steps, cash and transfers,
and the delivery options the producer offers."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import case, select
from sqlalchemy.orm import selectinload

from marketplace.auth.decorators import seller_required
from marketplace.extensions import db
from marketplace.models import Order, PartStatus, SellerOrder
from marketplace.orders.forms import CancelForm, DeliverySettingsForm, ShipForm
from marketplace.orders.routes import bp
from marketplace.services import checkout, notifications, orders, payments
from marketplace.services.order_states import SELLER, TransitionRefused, allowed_targets

_STATUS_ORDER = [PartStatus.NEW, PartStatus.AWAITING_PAYMENT, PartStatus.PACKING, PartStatus.READY_FOR_PICKUP,
                 PartStatus.SHIPPED, PartStatus.DELIVERED, PartStatus.COMPLETED, PartStatus.CANCELLED,
                 PartStatus.REFUNDED]

REFUSALS = {
    "not_allowed": lambda: _("That step is not possible for this order now."),
    "forbidden": lambda: _("That step is not yours to take."),
    "wrong_delivery": lambda: _("That step does not fit the delivery chosen for this order."),
    "cash_not_recorded": lambda: _("Record the cash as received first."),
    "already_recorded": lambda: _("The cash was already recorded."),
    "not_cash": lambda: _("This order is not paid in cash."),
    "cancelled": lambda: _("This order was cancelled."),
    "not_transfer": lambda: _("This order is not paid by bank transfer."),
    "not_payable": lambda: _("This order is not waiting for payment."),
    "refund_failed": lambda: _("The card refund did not go through. Please try again or contact an officer."),
    "not_found": lambda: _("Order not found."),
}


def refusal_message(code: str) -> str:
    return REFUSALS.get(code, REFUSALS["not_allowed"])()


def own_part(part_id: int) -> SellerOrder:
    """The current producer's part, or 404 (another producer's order is never shown)."""
    part = db.session.scalar(
        select(SellerOrder)
        .where(SellerOrder.id == part_id, SellerOrder.seller_id == current_user.seller_profile.id)
        .options(selectinload(SellerOrder.lines), selectinload(SellerOrder.order).selectinload(Order.events),
                 selectinload(SellerOrder.order).selectinload(Order.payments))
    )
    if part is None:
        abort(404)
    return part


@bp.route("/penjual")
@seller_required
def seller_orders():
    status = request.args.get("status", "")
    query = (select(SellerOrder).where(SellerOrder.seller_id == current_user.seller_profile.id)
             .options(selectinload(SellerOrder.order), selectinload(SellerOrder.lines)))
    if status in PartStatus._value2member_map_:
        query = query.where(SellerOrder.status == PartStatus(status))
    rank = case({s: i for i, s in enumerate(_STATUS_ORDER)}, value=SellerOrder.status)
    parts = db.session.scalars(query.order_by(rank, SellerOrder.created_at.desc()).limit(200)).all()
    return render_template("orders/seller_list.html", parts=parts, status=status, statuses=_STATUS_ORDER)


@bp.route("/penjual/<int:part_id>")
@seller_required
def seller_order(part_id: int):
    part = own_part(part_id)
    return render_template(
        "orders/seller_order.html", part=part, order=part.order,
        targets=allowed_targets(part.status, SELLER, part.delivery_method),
        ship_form=ShipForm(), cancel_form=CancelForm(),
        events=[e for e in part.order.events if e.seller_order_id in (None, part.id)],
    )


def _after(part: SellerOrder, before: int, message: str):
    notifications.notify_events(db.session, part.order_id, before)
    flash(message, "success")
    return redirect(url_for("orders.seller_order", part_id=part.id)), 303


@bp.route("/penjual/<int:part_id>/langkah", methods=["POST"])
@seller_required
def seller_advance(part_id: int):
    part = own_part(part_id)
    target = request.form.get("to", "")
    # A part becomes "new" only when its payment is confirmed (confirm_transfer, cash, Stripe), which
    # also records the payment, the sale in the ledger and the programme's figures.
    if target not in PartStatus._value2member_map_ or PartStatus(target) in (PartStatus.CANCELLED, PartStatus.NEW):
        abort(400, _("Unknown step."))
    to_status = PartStatus(target)
    form = ShipForm()
    if to_status == PartStatus.SHIPPED and not form.validate_on_submit():
        flash(_("Choose the courier (or delivered by yourself) before marking it sent."), "error")
        return redirect(url_for("orders.seller_order", part_id=part.id)), 303
    before = notifications.latest_event_id(db.session, part.order_id)
    try:
        orders.advance_part(db.session, part.id, to_status, actor_role=SELLER, actor_id=current_user.id,
                            courier_name=form.courier.data or "", tracking_number=form.tracking_number.data or "")
    except (TransitionRefused, orders.OrderActionRefused) as refused:
        db.session.rollback()
        flash(refusal_message(refused.code), "error")
        return redirect(url_for("orders.seller_order", part_id=part.id)), 303
    return _after(part, before, _("Order updated."))


@bp.route("/penjual/<int:part_id>/batal", methods=["POST"])
@seller_required
def seller_cancel(part_id: int):
    part = own_part(part_id)
    form = CancelForm()
    if not form.validate_on_submit():
        flash(_("Write the reason for cancelling; the buyer will read it."), "error")
        return redirect(url_for("orders.seller_order", part_id=part.id)), 303
    before = notifications.latest_event_id(db.session, part.order_id)
    try:
        payments.cancel_part(db.session, part.id, actor_role=SELLER, actor_id=current_user.id,
                             reason=form.reason.data.strip(),
                             settings=payments.StripeSettings.from_config(current_app.config))
    except (TransitionRefused, orders.OrderActionRefused, payments.PaymentError) as refused:
        db.session.rollback()
        flash(refusal_message(refused.code), "error")
        return redirect(url_for("orders.seller_order", part_id=part.id)), 303
    return _after(part, before, _("The order was cancelled and the stock returned."))


@bp.route("/penjual/<int:part_id>/tunai", methods=["POST"])
@seller_required
def seller_cash_received(part_id: int):
    part = own_part(part_id)
    try:
        orders.record_cash_received(db.session, part.id, actor_id=current_user.id)
    except orders.OrderActionRefused as refused:
        flash(refusal_message(refused.code), "error")
        return redirect(url_for("orders.seller_order", part_id=part.id)), 303
    flash(_("Cash recorded as received."), "success")
    return redirect(url_for("orders.seller_order", part_id=part.id)), 303


@bp.route("/penjual/<int:part_id>/transfer", methods=["POST"])
@seller_required
def seller_confirm_transfer(part_id: int):
    part = own_part(part_id)
    before = notifications.latest_event_id(db.session, part.order_id)
    try:
        payments.confirm_transfer(db.session, part.order, actor_id=current_user.id, actor_role=SELLER)
    except payments.PaymentError as refused:
        flash(refusal_message(refused.code), "error")
        return redirect(url_for("orders.seller_order", part_id=part.id)), 303
    return _after(part, before, _("Transfer confirmed. The order is paid."))


@bp.route("/penjual/pengiriman", methods=["GET", "POST"])
@seller_required
def delivery_settings():
    seller_id = current_user.seller_profile.id
    settings = checkout.delivery_settings_for(db.session, seller_id)
    form = DeliverySettingsForm(obj=settings)
    if form.validate_on_submit():
        checkout.save_delivery_settings(db.session, seller_id, form.settings_values())
        flash(_("Delivery options saved."), "success")
        return redirect(url_for("orders.delivery_settings")), 303
    status = 400 if form.is_submitted() else 200
    return render_template("orders/delivery_settings.html", form=form), status

