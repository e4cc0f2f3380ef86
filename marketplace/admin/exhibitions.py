"""Officers' exhibitions (pameran, bazaar) and the offline sales they record for producers.

Recording a sale takes two steps that work without JavaScript: choose the producer (a GET
form), then the sale form with that producer's products. Corrections and cancellations keep
the old record and need a reason (services/offline_sales.py writes the audit entries).
"""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from marketplace.admin.exhibition_forms import (
    ChooseProducerForm,
    CorrectSaleForm,
    ExhibitionForm,
    OfflineSaleForm,
    VoidSaleForm,
    apply_sale_errors,
    fill_from_sale,
    sale_input,
    set_sale_choices,
)
from marketplace.admin.forms import optional_int
from marketplace.admin.routes import bp, get_or_404
from marketplace.auth.decorators import officer_required
from marketplace.extensions import db
from marketplace.formatting import to_wib
from marketplace.models import (
    ExhibitionEvent,
    OfflineSale,
    SellerProfile,
    SellerStatus,
    utcnow,
)
from marketplace.services import offline_sales


def _today():
    return to_wib(utcnow()).date()


def _events_for(sale: OfflineSale | None) -> list[ExhibitionEvent]:
    events = offline_sales.recent_events(db.session)
    if sale is not None and sale.event is not None and sale.event not in events:
        events.append(sale.event)
    return events


# ---- exhibitions ------------------------------------------------------------------------------

@bp.route("/pameran")
@officer_required
def exhibitions():
    """Every exhibition with its number of sales and their total."""
    return render_template("admin/exhibitions.html", events=offline_sales.list_events(db.session))


def _exhibition_form_page(form: ExhibitionForm, event: ExhibitionEvent | None):
    if form.validate_on_submit():
        try:
            event = offline_sales.save_event(
                db.session, actor_id=current_user.id, name=form.name.data, place=form.place.data or "",
                start_date=form.start_date.data, end_date=form.end_date.data, event=event)
        except offline_sales.OfflineSaleError as exc:
            db.session.rollback()
            apply_sale_errors(form, exc.errors)
        else:
            flash(_("The exhibition is saved."), "success")
            return redirect(url_for("admin.exhibition", event_id=event.id), code=303)
    status = 400 if form.is_submitted() else 200
    return render_template("admin/exhibition_form.html", form=form, event=event), status


@bp.route("/pameran/baru", methods=["GET", "POST"])
@officer_required
def exhibition_new():
    """Create an exhibition."""
    return _exhibition_form_page(ExhibitionForm(), None)


@bp.route("/pameran/<int:event_id>/ubah", methods=["GET", "POST"])
@officer_required
def exhibition_edit(event_id: int):
    """Edit an exhibition's name, place and dates."""
    event = get_or_404(ExhibitionEvent, event_id)
    return _exhibition_form_page(ExhibitionForm(obj=event), event)


@bp.route("/pameran/<int:event_id>")
@officer_required
def exhibition(event_id: int):
    """An exhibition and every sale recorded for it, cancelled and corrected ones included."""
    event = get_or_404(ExhibitionEvent, event_id)
    sales = offline_sales.event_sales(db.session, event.id)
    total = sum(sale.value for sale in sales if sale.voided_at is None)
    return render_template("admin/exhibition.html", event=event, sales=sales, total=total)


# ---- offline sales ----------------------------------------------------------------------------

def _producer_choices(form: ChooseProducerForm) -> list[SellerProfile]:
    producers = offline_sales.approved_sellers(db.session)
    form.penjual.choices = [SelectChoice("", _("Choose…"))] + [SelectChoice(p.id, p.shop_name) for p in producers]
    return producers


@bp.route("/penjualan-luring/baru", methods=["GET", "POST"])
@officer_required
def offline_sale_new():
    """Record a sale: `?penjual=<id>` picks the approved producer, `?acara=<id>` the exhibition."""
    event_id = optional_int(request.args.get("acara"))
    event = db.session.get(ExhibitionEvent, event_id) if event_id else None
    if event_id is not None and event is None:
        abort(404)
    chooser = ChooseProducerForm(request.args)
    producers = _producer_choices(chooser)
    seller_id = optional_int(request.args.get("penjual"))
    seller = next((p for p in producers if p.id == seller_id), None)
    if seller is None:
        if seller_id is not None:
            chooser.penjual.errors = [_("Choose an approved producer from the list.")]
        status = 400 if seller_id is not None or request.method == "POST" else 200
        return render_template("admin/exhibition_sale_choose.html", chooser=chooser, event=event), status
    form = OfflineSaleForm()
    set_sale_choices(form, offline_sales.seller_products(db.session, seller.id), _events_for(None))
    if not form.is_submitted():
        form.event_id.data = event.id if event else None
        form.sale_date.data = event.start_date if event else _today()
    if form.validate_on_submit():
        try:
            sale = offline_sales.record_sale(db.session, actor_id=current_user.id, seller=seller,
                                             data=sale_input(form), today=_today())
        except offline_sales.OfflineSaleError as exc:
            db.session.rollback()
            apply_sale_errors(form, exc.errors)
        else:
            flash(_("The sale is recorded."), "success")
            if sale.event_id:
                return redirect(url_for("admin.exhibition", event_id=sale.event_id), code=303)
            return redirect(url_for("admin.offline_sale", sale_id=sale.id), code=303)
    status = 400 if form.is_submitted() else 200
    return render_template("admin/exhibition_sale_form.html", form=form, seller=seller, event=event,
                           sale=None), status


@bp.route("/penjualan-luring/<int:sale_id>")
@officer_required
def offline_sale(sale_id: int):
    """One sale with its history of corrections."""
    sale = get_or_404(OfflineSale, sale_id)
    return render_template("admin/exhibition_sale.html", sale=sale,
                           history=offline_sales.history(db.session, sale),
                           replacement=db.session.query(OfflineSale).filter_by(corrected_from_id=sale.id).first(),
                           void_form=VoidSaleForm(formdata=None))


def _refuse_void(sale: OfflineSale):
    flash(_("This sale was already corrected or cancelled. The page shows its current state."), "warning")
    return redirect(url_for("admin.offline_sale", sale_id=sale.id), code=303)


@bp.route("/penjualan-luring/<int:sale_id>/koreksi", methods=["GET", "POST"])
@officer_required
def offline_sale_correct(sale_id: int):
    """Correct a sale: the old record is kept and cancelled, a new one replaces it."""
    sale = get_or_404(OfflineSale, sale_id)
    if sale.voided_at is not None:
        return _refuse_void(sale)
    if sale.seller.status != SellerStatus.APPROVED:
        flash(_("Sales can only be recorded for approved producers."), "warning")
        return redirect(url_for("admin.offline_sale", sale_id=sale.id), code=303)
    form = CorrectSaleForm()
    set_sale_choices(form, offline_sales.seller_products(db.session, sale.seller_id), _events_for(sale))
    if not form.is_submitted():
        fill_from_sale(form, sale)
    if form.validate_on_submit():
        try:
            replacement = offline_sales.correct_sale(db.session, actor_id=current_user.id, sale=sale,
                                                     data=sale_input(form), reason=form.reason.data, today=_today())
        except offline_sales.OfflineSaleError as exc:
            db.session.rollback()
            apply_sale_errors(form, exc.errors)
        else:
            flash(_("The sale is corrected. The earlier record is kept in its history."), "success")
            return redirect(url_for("admin.offline_sale", sale_id=replacement.id), code=303)
    status = 400 if form.is_submitted() else 200
    return render_template("admin/exhibition_sale_form.html", form=form, seller=sale.seller, event=sale.event,
                           sale=sale), status


@bp.route("/penjualan-luring/<int:sale_id>/batal", methods=["POST"])
@officer_required
def offline_sale_void(sale_id: int):
    """Cancel a sale (with a reason): it leaves the figures but stays in the history."""
    sale = get_or_404(OfflineSale, sale_id)
    if sale.voided_at is not None:
        return _refuse_void(sale)
    form = VoidSaleForm()
    if form.validate_on_submit():
        try:
            offline_sales.void_sale(db.session, actor_id=current_user.id, sale=sale, reason=form.reason.data)
        except offline_sales.OfflineSaleError as exc:
            db.session.rollback()
            apply_sale_errors(form, exc.errors)
        else:
            flash(_("The sale is cancelled. It stays in the history."), "success")
            return redirect(url_for("admin.offline_sale", sale_id=sale.id), code=303)
    return render_template("admin/exhibition_sale.html", sale=sale, history=offline_sales.history(db.session, sale),
                           replacement=None, void_form=form), 400
