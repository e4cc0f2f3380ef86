"""The public check of an issued sales statement: /verifikasi/<code> (linked from the PDF's QR code).

Shows the shop, period, totals and issue date only, never buyer data. Any code that is not
exactly an issued one gets the same 404, so near-misses reveal nothing.
"""
from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    make_response,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _

from marketplace.extensions import db
from marketplace.models import StatementIssue
from marketplace.sellers.sales_forms import pdf_labels
from marketplace.services import statements

bp = Blueprint("verification", __name__)


def verify_url(code: str) -> str:
    """The absolute link to a statement's check page, on the configured SITE_URL."""
    return current_app.config["SITE_URL"].rstrip("/") + url_for("verification.statement", code=code)


def render_statement(issue: StatementIssue, data: statements.StatementData) -> bytes:
    """The statement's PDF in the reader's language, its QR code pointing at the check page."""
    return statements.render_pdf(data, issue, verify_url(issue.code), labels=pdf_labels(),
                                 locale=str(get_locale() or "id"))


def statement_pdf_response(issue: StatementIssue, body: bytes):
    """The issued statement as a PDF download."""
    response = make_response(body)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="laporan-penjualan-{issue.period_start:%Y%m}-{issue.period_end:%Y%m}-{issue.code}.pdf"')
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/verifikasi")
def lookup():
    """A form to type a code from a paper statement; sends on to its page."""
    code = statements.normalise_code(request.args.get("code", ""))
    if code:
        issue = statements.find_issue(db.session, code)
        if issue is None:
            return render_template("verification/lookup.html", code=code, not_found=True), 404
        return render_template("verification/statement.html", issue=issue)
    return render_template("verification/lookup.html", code="", not_found=False)


@bp.route("/verifikasi/<code>")
def statement(code: str):
    """The statement's public confirmation, or a 404 for any code that was never issued."""
    issue = statements.find_issue(db.session, code)
    if issue is None:
        abort(404, _("No statement has this verification code. Check the code on the paper: "
                     "a statement whose code is not found here was not issued by Pasar Lokal Blitar."))
    return render_template("verification/statement.html", issue=issue)
