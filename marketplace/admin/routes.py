"""Programme officers' views: the dashboard and the audit log, plus shared helpers.

The other officer pages live in sibling modules that register on the same `bp`:
producers.py (approval queue and decisions), programme.py (training types, cohorts,
categories), moderation.py (products) and staff.py (admins manage officers).
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user
from sqlalchemy import select

from marketplace.admin.forms import ERROR_MESSAGES
from marketplace.admin.labels import AUDIT_ACTIONS, PRODUCT_STATUS, SELLER_STATUS, SUBJECT_TYPES, audit_action_label
from marketplace.auth.decorators import officer_required
from marketplace.extensions import db
from marketplace.models import AuditLog, SellerStatus
from marketplace.services import approvals

bp = Blueprint("admin", __name__)

PER_PAGE = 20


@bp.before_request
def _refuse_deactivated_accounts():
    """A deactivated officer's still-open session must not keep working here."""
    if current_user.is_authenticated and not current_user.is_active:
        logout_user()
        flash(_("Your account has been deactivated. Please contact an administrator."), "warning")
        return redirect(url_for("auth.login"))
    return None


@bp.context_processor
def _labels() -> dict:
    return {
        "seller_status_label": lambda s: SELLER_STATUS.get(s, s),
        "product_status_label": lambda s: PRODUCT_STATUS.get(s, s),
        "audit_action_label": audit_action_label,
        "subject_type_label": lambda s: SUBJECT_TYPES.get(s, s),
    }


def apply_errors(form, errors: dict[str, str]) -> None:
    """Put a service's reason codes onto the form's fields as translated messages."""
    for name, code in errors.items():
        message = ERROR_MESSAGES.get(code, ERROR_MESSAGES["required"])
        field = form._fields.get(name)
        if field is not None:
            field.errors = [*field.errors, message]
        else:
            form.form_errors.append(message)


MAX_PAGE = 100_000   # far beyond any list; a larger ?page= would overflow the database's OFFSET


def paginate(query):
    """One page of `query` from ?page= (a tampered or too-high page number is a 404)."""
    if (request.args.get("page", type=int) or 1) > MAX_PAGE:
        abort(404)
    return db.paginate(query, per_page=PER_PAGE, error_out=True, count=True)


def get_or_404(model, object_id: int):
    """The record with this id, or a 404."""
    item = db.session.get(model, object_id)
    if item is None:
        abort(404)
    return item


@bp.route("/")
@officer_required
def dashboard():
    """Counts of producers by status and of published products, with links to every officer page."""
    counts = approvals.status_counts(db.session)
    return render_template(
        "admin/dashboard.html",
        pending=counts[SellerStatus.PENDING],
        approved=counts[SellerStatus.APPROVED],
        suspended=counts[SellerStatus.SUSPENDED],
        rejected=counts[SellerStatus.REJECTED],
        published=approvals.published_product_count(db.session),
    )


@bp.route("/log")
@officer_required
def audit_log():
    """The audit log, newest first, optionally filtered by action, paginated."""
    action = (request.args.get("action") or "").strip()
    query = select(AuditLog).order_by(AuditLog.created_at.desc(), AuditLog.id.desc())
    if action:
        query = query.where(AuditLog.action == action)
    known = sorted(set(AUDIT_ACTIONS) | set(db.session.scalars(select(AuditLog.action).distinct())))
    if action and action not in known:
        abort(400, _("There is no such action in the log. Choose one from the list."))
    page = paginate(query)
    return render_template("admin/audit_log.html", page=page, entries=page.items, action=action, actions=known)


# Views in sibling modules register themselves on `bp`.
from marketplace.admin import exhibitions, indicators, moderation, payouts, producers, programme, staff, statements  # noqa: E402,F401
