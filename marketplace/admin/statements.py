"""Officers issue a producer's sales statement (the same PDF the producer downloads)."""
from __future__ import annotations

from flask import render_template
from flask_login import current_user

from marketplace.admin.routes import bp, get_or_404
from marketplace.auth.decorators import officer_required
from marketplace.extensions import db
from marketplace.formatting import to_wib
from marketplace.models import SellerProfile, utcnow
from marketplace.sellers.sales_forms import STATEMENT_MESSAGES, StatementForm
from marketplace.services import statements
from marketplace.verification import render_statement, statement_pdf_response


@bp.route("/penjual/<int:seller_id>/laporan-penjualan", methods=["GET", "POST"])
@officer_required
def statement_issue(seller_id: int):
    """A month-range form; on a good range the statement is stored, audited and downloaded."""
    profile = get_or_404(SellerProfile, seller_id)
    form = StatementForm()
    if form.is_submitted():
        if form.validate():
            try:
                period = statements.month_range(form.from_month.data, form.to_month.data)
            except statements.StatementError as exc:
                field = getattr(form, exc.field)
                field.errors = [*field.errors, STATEMENT_MESSAGES[exc.code]]
            else:
                issue, pdf = statements.issue_statement(db.session, profile, period, issued_by_id=current_user.id,
                                                        render=render_statement)
                return statement_pdf_response(issue, pdf)
        return render_template("admin/statement_issue.html", profile=profile, form=form), 400
    today = to_wib(utcnow()).date()
    form.from_month.data = form.to_month.data = f"{today:%Y-%m}"
    return render_template("admin/statement_issue.html", profile=profile, form=form)
