"""The approval queue and the decisions on producers: approve, reject, suspend, reinstate."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from marketplace.admin.forms import ERROR_MESSAGES, ConfirmForm, DecisionForm
from marketplace.admin.routes import bp, get_or_404, paginate
from marketplace.auth.decorators import officer_required
from marketplace.extensions import db
from marketplace.models import Product, SellerProfile, SellerStatus
from marketplace.services import approvals

# URL words (Indonesian, like the rest of the site) for each decision in services/approvals.py.
DECISION_SLUGS = {"setujui": "approve", "tolak": "reject", "tangguhkan": "suspend", "pulihkan": "reinstate"}
DECISION_URLS = {name: slug for slug, name in DECISION_SLUGS.items()}
LISTED_STATUSES = (SellerStatus.PENDING, SellerStatus.APPROVED, SellerStatus.SUSPENDED, SellerStatus.REJECTED)


def _done_messages() -> dict[str, str]:
    return {
        "approve": _("The producer is approved and can now sell. We told them by e-mail."),
        "reject": _("The producer was rejected. We sent them the reason by e-mail."),
        "suspend": _("The producer is suspended: their products are hidden. We sent them the reason by e-mail."),
        "reinstate": _("The producer is reinstated and their products are visible again. We told them by e-mail."),
    }


@bp.route("/penjual")
@officer_required
def producers():
    """Producers by status; the default is the approval queue (pending, oldest first)."""
    raw = request.args.get("status", SellerStatus.PENDING.value)
    try:
        status = SellerStatus(raw)
    except ValueError:
        abort(400, _("Unknown producer status. Choose one of the tabs."))
    if status not in LISTED_STATUSES:
        abort(400, _("Unknown producer status. Choose one of the tabs."))
    page = paginate(approvals.producers_query(status))
    counts = approvals.status_counts(db.session)
    return render_template("admin/producers.html", page=page, profiles=page.items, status=status,
                           statuses=LISTED_STATUSES, counts=counts, decision_urls=DECISION_URLS)


def _render_producer(profile: SellerProfile, form: DecisionForm | None = None, status_code: int = 200,
                     error: str | None = None):
    product_count = db.session.scalar(select(func.count(Product.id)).where(Product.seller_id == profile.id)) or 0
    return render_template(
        "admin/producer.html", profile=profile, form=form or DecisionForm(), confirm_form=ConfirmForm(),
        decisions=approvals.allowed_decisions(profile.status), decision_urls=DECISION_URLS,
        product_count=product_count, error=error,
    ), status_code


@bp.route("/penjual/<int:seller_id>")
@officer_required
def producer(seller_id: int):
    """Everything a producer entered, their status history in short, and the decisions possible now."""
    return _render_producer(get_or_404(SellerProfile, seller_id))


@bp.route("/penjual/<int:seller_id>/<any(setujui, tolak, tangguhkan, pulihkan):decision_slug>", methods=["POST"])
@officer_required
def decide(seller_id: int, decision_slug: str):
    """Apply one decision; a missing reason re-renders with 400, a refused transition with 409."""
    profile = get_or_404(SellerProfile, seller_id)
    decision = DECISION_SLUGS[decision_slug]
    form = DecisionForm()
    if not form.validate_on_submit():
        return _render_producer(profile, form, 400)
    try:
        chosen = approvals.decide(db.session, profile, decision=decision, actor_id=current_user.id,
                                  reason=form.reason.data or "")
    except approvals.ApprovalError as exc:
        db.session.rollback()
        db.session.refresh(profile)
        message = ERROR_MESSAGES.get(exc.code, ERROR_MESSAGES["not_allowed"])
        if exc.code in ("reason_required", "reason_too_long"):
            form.reason.errors = [*form.reason.errors, message]
            return _render_producer(profile, form, 400)
        return _render_producer(profile, form, 409, error=message)
    approvals.notify_seller(profile, chosen, link=url_for("sellers.dashboard", _external=True))
    flash(_done_messages()[decision], "success")
    if decision in ("approve", "reject"):
        return redirect(url_for("admin.producers"), code=303)
    return redirect(url_for("admin.producer", seller_id=profile.id), code=303)
