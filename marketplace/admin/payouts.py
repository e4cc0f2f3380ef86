"""Payouts for officers: who is owed what, payout batches, the bulk-transfer CSV, marking
payouts sent or cancelled, a producer's ledger, and (admins) the settlement settings."""
from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from marketplace.admin.payout_forms import (
    PAYOUT_MESSAGES,
    AdjustmentForm,
    BatchForm,
    CancelPayoutForm,
    CommissionOverrideForm,
    SentForm,
    SettingsForm,
    entry_label,
    format_percent,
    payout_label,
)
from marketplace.admin.routes import bp, get_or_404, paginate
from marketplace.auth.decorators import admin_required, officer_required
from marketplace.extensions import db
from marketplace.models import Payout, PayoutBatch, SellerProfile
from marketplace.services import ledger, payouts


def _message(code: str) -> str:
    return str(PAYOUT_MESSAGES.get(code, PAYOUT_MESSAGES["nothing_owed"]))


def _render_overview(form: BatchForm | None = None, status: int = 200):
    recent = db.session.scalars(select(PayoutBatch).options(selectinload(PayoutBatch.payouts))
                                .order_by(PayoutBatch.id.desc()).limit(20)).all()
    return render_template(
        "admin/payouts.html", rows=payouts.payable_producers(db.session), form=form or BatchForm(),
        batches=recent, settings=ledger.get_settings(db.session), totals=ledger.commission_totals(db.session),
        percent=format_percent,
    ), status


@bp.route("/pembayaran")
@officer_required
def payouts_overview():
    """Producers the marketplace owes money to, with their bank details, and recent batches."""
    return _render_overview()


@bp.route("/pembayaran/batch", methods=["POST"])
@officer_required
def payouts_create_batch():
    """Pay the ticked producers, or all above the minimum (button `mode=all`)."""
    form = BatchForm()
    if not form.validate_on_submit():
        return _render_overview(form, 400)
    everyone = request.form.get("mode") == "all"
    if not everyone and not form.seller_ids.data:
        form.seller_ids.errors = [*form.seller_ids.errors, _message("nobody_selected")]
        return _render_overview(form, 400)
    try:
        result = payouts.create_batch(db.session, actor_id=current_user.id,
                                      seller_ids=None if everyone else form.seller_ids.data,
                                      minimum=form.minimum.data if everyone else None)
    except payouts.PayoutRefused as refused:
        db.session.rollback()
        form.form_errors.append(_message(refused.code))
        return _render_overview(form, 400)
    if result.batch is None:
        form.form_errors.append(_("No payout could be made:") + " " +
                                "; ".join(sorted({_message(code) for code in result.skipped.values()})))
        return _render_overview(form, 409)
    flash(_("Payout batch created with %(count)d payouts.", count=len(result.created)), "success")
    if result.skipped:
        flash(_("%(count)d producers were skipped; see the list for the reason.", count=len(result.skipped)),
              "warning")
    return redirect(url_for("admin.payout_batch", batch_id=result.batch.id), code=303)


def _render_batch(batch: PayoutBatch, status: int = 200, errors: dict[int, str] | None = None):
    return render_template("admin/payouts_batch.html", batch=batch, sent_form=SentForm(),
                           cancel_form=CancelPayoutForm(), errors=errors or {}), status


@bp.route("/pembayaran/batch/<int:batch_id>")
@officer_required
def payout_batch(batch_id: int):
    """One batch: its payouts, the CSV download, and mark sent / cancel per payout."""
    return _render_batch(get_or_404(PayoutBatch, batch_id))


@bp.route("/pembayaran/batch/<int:batch_id>.csv")
@officer_required
def payout_batch_csv(batch_id: int):
    """The batch as a bulk-transfer CSV for the bank."""
    batch = get_or_404(PayoutBatch, batch_id)
    body = payouts.download_batch_csv(db.session, batch, actor_id=current_user.id)
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f"attachment; filename=payout-batch-{batch.id}.csv",
        "Cache-Control": "no-store",
    })


@bp.route("/pembayaran/<int:payout_id>/terkirim", methods=["POST"])
@officer_required
def payout_mark_sent(payout_id: int):
    payout = get_or_404(Payout, payout_id)
    form = SentForm()
    if form.validate_on_submit():
        try:
            payouts.mark_sent(db.session, payout.id, bank_reference=form.bank_reference.data,
                              actor_id=current_user.id)
        except payouts.PayoutRefused as refused:
            return _render_batch(payout.batch, 409, {payout.id: _message(refused.code)})
        flash(_("Payout to %(shop)s marked sent.", shop=payout.seller.shop_name), "success")
        return redirect(url_for("admin.payout_batch", batch_id=payout.batch_id), code=303)
    message = next(iter(form.bank_reference.errors), _message("reference_required"))
    return _render_batch(payout.batch, 400, {payout.id: str(message)})


@bp.route("/pembayaran/<int:payout_id>/batal", methods=["POST"])
@officer_required
def payout_cancel(payout_id: int):
    payout = get_or_404(Payout, payout_id)
    form = CancelPayoutForm()
    if form.validate_on_submit():
        try:
            payouts.cancel(db.session, payout.id, reason=form.reason.data, actor_id=current_user.id)
        except payouts.PayoutRefused as refused:
            return _render_batch(payout.batch, 409, {payout.id: _message(refused.code)})
        flash(_("Payout to %(shop)s cancelled; the amount is owed to the producer again.",
                shop=payout.seller.shop_name), "success")
        return redirect(url_for("admin.payout_batch", batch_id=payout.batch_id), code=303)
    message = next(iter(form.reason.errors), _message("reason_required"))
    return _render_batch(payout.batch, 400, {payout.id: str(message)})


def _render_ledger(profile: SellerProfile, status: int = 200, override_form=None, adjust_form=None):
    page = paginate(ledger.entries_query(profile.id))
    history = db.session.scalars(select(Payout).where(Payout.seller_id == profile.id)
                                 .order_by(Payout.id.desc()).limit(50)).all()
    return render_template(
        "admin/payouts_producer.html", profile=profile, page=page, entries=page.items,
        balance=ledger.balance(db.session, profile.id), payouts=history,
        rate=ledger.effective_rate(db.session, profile), percent=format_percent, entry_label=entry_label,
        payout_label=payout_label,
        override_form=override_form or CommissionOverrideForm(data={"commission": profile.commission_bps}),
        adjust_form=adjust_form or AdjustmentForm(),
    ), status


@bp.route("/penjual/<int:seller_id>/saldo")
@officer_required
def producer_ledger(seller_id: int):
    """A producer's balance, ledger entries, payouts and bank details."""
    return _render_ledger(get_or_404(SellerProfile, seller_id))


@bp.route("/penjual/<int:seller_id>/komisi", methods=["POST"])
@admin_required
def producer_commission(seller_id: int):
    profile = get_or_404(SellerProfile, seller_id)
    form = CommissionOverrideForm()
    if not form.validate_on_submit():
        return _render_ledger(profile, 400, override_form=form)
    payouts.set_commission_override(db.session, profile, form.commission.data, actor_id=current_user.id)
    flash(_("Commission saved. It applies to sales confirmed from now on."), "success")
    return redirect(url_for("admin.producer_ledger", seller_id=profile.id), code=303)


@bp.route("/penjual/<int:seller_id>/koreksi", methods=["POST"])
@admin_required
def producer_adjust(seller_id: int):
    profile = get_or_404(SellerProfile, seller_id)
    form = AdjustmentForm()
    if not form.validate_on_submit():
        return _render_ledger(profile, 400, adjust_form=form)
    amount = form.amount.data if form.credit.data else -form.amount.data
    try:
        payouts.adjust(db.session, profile, amount, reason=form.reason.data, actor_id=current_user.id)
    except payouts.PayoutRefused as refused:
        db.session.rollback()
        form.amount.errors = [*form.amount.errors, _message(refused.code)]
        return _render_ledger(profile, 400, adjust_form=form)
    flash(_("Adjustment recorded."), "success")
    return redirect(url_for("admin.producer_ledger", seller_id=profile.id), code=303)


@bp.route("/pembayaran/pengaturan", methods=["GET", "POST"])
@admin_required
def payout_settings():
    """The commission rate, hold-until-delivered and the minimum payout (admins)."""
    current = ledger.get_settings(db.session)
    if request.method == "GET":
        form = SettingsForm(data={"commission": current.commission_bps,
                                  "hold_until_delivered": current.hold_until_delivered,
                                  "payout_minimum": current.payout_minimum})
        return render_template("admin/payouts_settings.html", form=form)
    form = SettingsForm()
    if not form.validate_on_submit():
        return render_template("admin/payouts_settings.html", form=form), 400
    payouts.save_settings(db.session, commission_bps=form.commission.data,
                          hold_until_delivered=form.hold_until_delivered.data,
                          payout_minimum=form.payout_minimum.data, actor_id=current_user.id)
    flash(_("Settings saved. A new commission applies to sales confirmed from now on."), "success")
    return redirect(url_for("admin.payout_settings"), code=303)
