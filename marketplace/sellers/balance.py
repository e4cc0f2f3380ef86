"""The producer's money: what the marketplace owes them, held sales, payouts with their bank
references, every ledger entry with its order, and the bank account payouts go to.

No producer id in any URL except a payout's, which is looked up among the producer's own.
"""
from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from marketplace.admin.routes import MAX_PAGE
from marketplace.admin.payout_forms import (
    PAYOUT_MESSAGES,
    entry_label,
    format_percent,
    payout_label,
)
from marketplace.auth.decorators import seller_required
from marketplace.extensions import db
from marketplace.formatting import to_wib
from marketplace.models import Payout, utcnow
from marketplace.sellers.routes import bp
from marketplace.services import ledger, payouts


class BankDetailsForm(FlaskForm):
    bank_name = StringField(_l("Bank"), validators=[DataRequired(_l("Enter the name of your bank.")),
                                                    Length(max=60)])
    bank_account_number = StringField(_l("Account number"), render_kw={"inputmode": "numeric"},
                                      validators=[DataRequired(PAYOUT_MESSAGES["bad_account_number"]),
                                                  Length(max=40)])
    bank_account_holder = StringField(_l("Account holder's name"),
                                      validators=[DataRequired(_l("Enter the name on the account.")),
                                                  Length(max=120)])


def _helpers() -> dict:
    return {"entry_label": entry_label, "payout_label": payout_label, "percent": format_percent,
            "order_link": lambda part: url_for("orders.seller_order", part_id=part.id)}


@bp.route("/saldo")
@seller_required
def balance():
    """Balance, held money, this month's figures, payouts and the ledger entries."""
    profile = current_user.seller_profile
    today = to_wib(utcnow()).date()
    if (request.args.get("page", type=int) or 1) > MAX_PAGE:   # beyond the database's OFFSET range
        abort(404)
    page = db.paginate(ledger.entries_query(profile.id), per_page=30, error_out=True)
    history = db.session.scalars(select(Payout).where(Payout.seller_id == profile.id)
                                 .order_by(Payout.id.desc()).limit(50)).all()
    return render_template(
        "sellers/balance.html", profile=profile, balance=ledger.balance(db.session, profile.id),
        settings=ledger.get_settings(db.session), rate=ledger.effective_rate(db.session, profile),
        month=ledger.statement_figures(db.session, profile.id, date(today.year, today.month, 1), today),
        payouts=history, page=page, entries=page.items, **_helpers(),
    )


@bp.route("/saldo/pembayaran/<int:payout_id>")
@seller_required
def balance_payout(payout_id: int):
    """One payout and the entries it paid for (another producer's payout is a 404)."""
    payout = db.session.scalar(select(Payout).where(Payout.id == payout_id,
                                                    Payout.seller_id == current_user.seller_profile.id))
    if payout is None:
        abort(404)
    return render_template("sellers/balance_payout.html", payout=payout,
                           entries=payouts.payout_entries(db.session, payout), **_helpers())


@bp.route("/rekening", methods=["GET", "POST"])
@seller_required
def bank_details():
    """The bank account payouts are sent to."""
    profile = current_user.seller_profile
    if request.method == "GET":
        return render_template("sellers/balance_bank.html", form=BankDetailsForm(obj=profile))
    form = BankDetailsForm()
    if not form.validate_on_submit():
        return render_template("sellers/balance_bank.html", form=form), 400
    try:
        payouts.update_bank_details(db.session, profile, payouts.BankDetails(
            form.bank_name.data, form.bank_account_number.data, form.bank_account_holder.data), actor_id=current_user.id)
    except payouts.PayoutRefused as refused:
        db.session.rollback()
        target = form.bank_account_number if refused.code == "bad_account_number" else form.bank_name
        target.errors = [*target.errors, str(PAYOUT_MESSAGES.get(refused.code, PAYOUT_MESSAGES["required"]))]
        return render_template("sellers/balance_bank.html", form=form), 400
    flash(_("Bank account saved. Payouts go there from now on."), "success")
    return redirect(url_for("sellers.balance"), code=303)
