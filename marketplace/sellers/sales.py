"""The producer's own sales page (value, transactions, top products, by month) and their
downloadable sales statement. Only the logged-in producer's figures: no producer id in any URL.
"""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from marketplace.admin.exhibition_forms import INDICATOR_MESSAGES
from marketplace.auth.decorators import approved_seller_required
from marketplace.extensions import db
from marketplace.formatting import to_wib
from marketplace.models import utcnow
from marketplace.sellers.routes import bp
from marketplace.sellers.sales_forms import (
    PRESET_LABELS,
    STATEMENT_MESSAGES,
    StatementForm,
)
from marketplace.services import statements
from marketplace.services.indicators import IndicatorError, Period
from marketplace.verification import render_statement, statement_pdf_response


def _choose_period(args, today) -> tuple[Period, str, list[str]]:
    """(period, preset or "custom", error messages) from the query string; bad input keeps the default."""
    if args.get("from") or args.get("to"):
        try:
            return Period.parse(args.get("from"), args.get("to")), "custom", []
        except IndicatorError as exc:
            return statements.period_for_preset(statements.DEFAULT_PRESET, today), "custom", \
                [str(INDICATOR_MESSAGES.get(exc.code, INDICATOR_MESSAGES["invalid_input"]))]
    preset = args.get("preset") or statements.DEFAULT_PRESET
    if preset not in statements.PRESETS:
        return statements.period_for_preset(statements.DEFAULT_PRESET, today), statements.DEFAULT_PRESET, \
            [str(STATEMENT_MESSAGES["unknown_preset"])]
    return statements.period_for_preset(preset, today), preset, []


def _render(period: Period, preset: str, errors: list[str], form: StatementForm, status: int = 200):
    overview = statements.sales_overview(db.session, current_user.seller_profile.id, period)
    return render_template("sellers/sales.html", overview=overview, preset=preset, presets=PRESET_LABELS,
                           errors=errors, form=form, from_value=request.args.get("from", period.start.isoformat()),
                           to_value=request.args.get("to", period.end.isoformat()),
                           issues=statements.seller_issues(db.session, current_user.seller_profile.id)), status


def _default_form(today) -> StatementForm:
    last = today.replace(day=1)
    previous = (last.replace(year=last.year - 1, month=12) if last.month == 1
                else last.replace(month=last.month - 1))
    return StatementForm(data={"from_month": f"{previous:%Y-%m}", "to_month": f"{previous:%Y-%m}"})


@bp.route("/penjualan")
@approved_seller_required
def sales():
    """Sales value, transactions and top products for a chosen period, with a monthly chart."""
    today = to_wib(utcnow()).date()
    period, preset, errors = _choose_period(request.args, today)
    return _render(period, preset, errors, _default_form(today), 400 if errors else 200)


@bp.route("/penjualan/laporan", methods=["POST"])
@approved_seller_required
def sales_statement():
    """Issue a sales statement for a range of months and download it as a PDF."""
    today = to_wib(utcnow()).date()
    form = StatementForm()
    if form.validate_on_submit():
        try:
            period = statements.month_range(form.from_month.data, form.to_month.data)
        except statements.StatementError as exc:
            getattr(form, exc.field).errors = [*getattr(form, exc.field).errors, STATEMENT_MESSAGES[exc.code]]
        else:
            issue, pdf = statements.issue_statement(db.session, current_user.seller_profile, period,
                                                    issued_by_id=current_user.id, render=render_statement)
            return statement_pdf_response(issue, pdf)
    return _render(statements.period_for_preset(statements.DEFAULT_PRESET, today), statements.DEFAULT_PRESET, [],
                   form, 400)


@bp.route("/penjualan/laporan/<code>")
@approved_seller_required
def sales_statement_again(code: str):
    """Download one of the producer's own issued statements again (another producer's code is a 404)."""
    issue = statements.find_issue(db.session, code)
    if issue is None or issue.seller_id != current_user.seller_profile.id:
        abort(404)
    data = statements.reissue_data(db.session, issue)
    if data is None:
        flash(_("Your figures for this period have changed since the statement was issued. "
                "Please issue a new statement."), "warning")
        return redirect(url_for("sellers.sales"), code=303)
    return statement_pdf_response(issue, render_statement(issue, data))
