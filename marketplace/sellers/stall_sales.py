"""Producers record their own market-stall and exhibition sales, see them, and correct or cancel them.

Sales are looked up among the producer's own (another producer's sale id is a 404). A producer
corrects only the sales they recorded themselves; sales an officer recorded are shown read-only.
Corrections and cancellations keep the old record and need a reason (services/offline_sales.py).
"""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from marketplace.admin.exhibition_forms import (
    CorrectSaleForm,
    OfflineSaleForm,
    VoidSaleForm,
    apply_sale_errors,
    fill_from_sale,
    sale_input,
    set_sale_choices,
)
from marketplace.auth.decorators import approved_seller_required
from marketplace.extensions import db
from marketplace.formatting import to_wib
from marketplace.models import OfflineSale, utcnow
from marketplace.sellers.routes import bp
from marketplace.services import offline_sales


def _today():
    return to_wib(utcnow()).date()


def _own_sale(sale_id: int) -> OfflineSale:
    sale = offline_sales.seller_sale_or_none(db.session, sale_id, current_user.seller_profile.id)
    if sale is None:
        abort(404)
    return sale


def _choices(form: OfflineSaleForm, sale: OfflineSale | None = None) -> None:
    events = offline_sales.recent_events(db.session)
    if sale is not None and sale.event is not None and sale.event not in events:
        events.append(sale.event)
    set_sale_choices(form, offline_sales.seller_products(db.session, current_user.seller_profile.id), events)


def _editable(sale: OfflineSale):
    """None when the producer may change this sale, else the redirect that explains why not."""
    if sale.voided_at is not None:
        flash(_("This sale was already corrected or cancelled. The page shows its current state."), "warning")
    elif sale.recorded_by_id != current_user.id:
        flash(_("A programme officer recorded this sale. Ask them to correct it."), "warning")
    else:
        return None
    return redirect(url_for("sellers.stall_sales"), code=303)


@bp.route("/penjualan-pasar")
@approved_seller_required
def stall_sales():
    """The producer's offline sales, newest first, with the cancelled and corrected ones marked."""
    sales = offline_sales.seller_sales(db.session, current_user.seller_profile.id)
    total = sum(sale.value for sale in sales if sale.voided_at is None)
    return render_template("sellers/stall_sales.html", sales=sales, total=total,
                           void_form=VoidSaleForm(formdata=None))


@bp.route("/penjualan-pasar/baru", methods=["GET", "POST"])
@approved_seller_required
def stall_sale_new():
    """Record a sale made at a market stall, bazaar or exhibition."""
    form = OfflineSaleForm()
    _choices(form)
    if not form.is_submitted():
        form.sale_date.data = _today()
    if form.validate_on_submit():
        try:
            offline_sales.record_sale(db.session, actor_id=current_user.id, seller=current_user.seller_profile,
                                      data=sale_input(form), today=_today())
        except offline_sales.OfflineSaleError as exc:
            db.session.rollback()
            apply_sale_errors(form, exc.errors)
        else:
            flash(_("The sale is recorded."), "success")
            return redirect(url_for("sellers.stall_sales"), code=303)
    status = 400 if form.is_submitted() else 200
    return render_template("sellers/stall_sales_form.html", form=form, sale=None), status


@bp.route("/penjualan-pasar/<int:sale_id>/koreksi", methods=["GET", "POST"])
@approved_seller_required
def stall_sale_correct(sale_id: int):
    """Correct one of the producer's own sales; the old record stays in the history."""
    sale = _own_sale(sale_id)
    refused = _editable(sale)
    if refused is not None:
        return refused
    form = CorrectSaleForm()
    _choices(form, sale)
    if not form.is_submitted():
        fill_from_sale(form, sale)
    if form.validate_on_submit():
        try:
            offline_sales.correct_sale(db.session, actor_id=current_user.id, sale=sale, data=sale_input(form),
                                       reason=form.reason.data, today=_today())
        except offline_sales.OfflineSaleError as exc:
            db.session.rollback()
            apply_sale_errors(form, exc.errors)
        else:
            flash(_("The sale is corrected. The earlier record is kept in its history."), "success")
            return redirect(url_for("sellers.stall_sales"), code=303)
    status = 400 if form.is_submitted() else 200
    return render_template("sellers/stall_sales_form.html", form=form, sale=sale), status


@bp.route("/penjualan-pasar/<int:sale_id>/batal", methods=["GET", "POST"])
@approved_seller_required
def stall_sale_void(sale_id: int):
    """Cancel one of the producer's own sales, with a reason."""
    sale = _own_sale(sale_id)
    refused = _editable(sale)
    if refused is not None:
        return refused
    form = VoidSaleForm()
    if form.validate_on_submit():
        try:
            offline_sales.void_sale(db.session, actor_id=current_user.id, sale=sale, reason=form.reason.data)
        except offline_sales.OfflineSaleError as exc:
            db.session.rollback()
            apply_sale_errors(form, exc.errors)
        else:
            flash(_("The sale is cancelled. It stays in the history."), "success")
            return redirect(url_for("sellers.stall_sales"), code=303)
    status = 400 if form.is_submitted() else 200
    return render_template("sellers/stall_sales_void.html", form=form, sale=sale), status
