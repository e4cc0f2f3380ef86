"""Officers' decisions on producers: approve, reject, suspend and reinstate.

Allowed transitions (anything else raises ApprovalError('not_allowed')):

    pending   -> approved (approve) | rejected (reject, reason required)
    approved  -> suspended (suspend, reason required)
    suspended -> approved (reinstate)

`approved_at` / `approved_by_id` keep the FIRST approval: programme indicators count
producers by the date they first became sellers, so a reinstatement after a suspension
does not move that date (the reinstatement itself is in the audit log with its officer).

The status change and its audit entry are committed together in `decide`; the producer's
e-mail is sent afterwards by `notify_seller`, so a mail failure never undoes a decision.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import Session, selectinload

from marketplace.models import Product, ProductStatus, SellerCohort, SellerProfile, SellerStatus, utcnow
from marketplace.services import audit
from marketplace.services.mail import render_mail, send_mail

log = logging.getLogger(__name__)

REASON_MAX = 2000


@dataclass(frozen=True)
class Decision:
    """One kind of decision: the statuses it starts from, where it leads, and its wording keys."""

    name: str
    sources: tuple[SellerStatus, ...]
    target: SellerStatus
    reason_required: bool
    audit_action: str
    mail_template: str


DECISIONS: dict[str, Decision] = {
    d.name: d
    for d in (
        Decision("approve", (SellerStatus.PENDING,), SellerStatus.APPROVED, False, "seller.approved",
                 "seller_approved"),
        Decision("reject", (SellerStatus.PENDING,), SellerStatus.REJECTED, True, "seller.rejected", "seller_rejected"),
        Decision("suspend", (SellerStatus.APPROVED,), SellerStatus.SUSPENDED, True, "seller.suspended",
                 "seller_suspended"),
        Decision("reinstate", (SellerStatus.SUSPENDED,), SellerStatus.APPROVED, False, "seller.reinstated",
                 "seller_reinstated"),
    )
}


class ApprovalError(ValueError):
    """A decision was refused; `code` is 'unknown_decision', 'not_allowed', 'reason_required' or 'reason_too_long'."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def allowed_decisions(status: SellerStatus) -> list[Decision]:
    """The decisions an officer may take on a producer in `status`."""
    return [d for d in DECISIONS.values() if status in d.sources]


def decide(
    session: Session,
    profile: SellerProfile,
    *,
    decision: str,
    actor_id: int,
    reason: str = "",
    now: datetime | None = None,
) -> Decision:
    """Apply `decision` to `profile` with its audit entry, in one transaction, and commit.

    The status is changed with a conditional UPDATE (`WHERE status = <expected>`), so two
    officers deciding at the same moment cannot both succeed: the second gets 'not_allowed'.
    """
    chosen = DECISIONS.get(decision)
    if chosen is None:
        raise ApprovalError("unknown_decision")
    reason = (reason or "").strip()
    if chosen.reason_required and not reason:
        raise ApprovalError("reason_required")
    if len(reason) > REASON_MAX:
        raise ApprovalError("reason_too_long")
    previous = profile.status
    if previous not in chosen.sources:
        raise ApprovalError("not_allowed")
    now = now or utcnow()
    # The producer sees status_reason on their dashboard: only rejections and suspensions keep one.
    # A note given with an approval or reinstatement goes to the audit log only.
    values: dict = {"status": chosen.target, "status_reason": reason if chosen.reason_required else "",
                    "updated_at": now}
    if chosen.target == SellerStatus.APPROVED and profile.approved_at is None:
        values.update(approved_at=now, approved_by_id=actor_id)
    result = session.execute(
        update(SellerProfile)
        .where(SellerProfile.id == profile.id, SellerProfile.status == previous)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        session.rollback()
        raise ApprovalError("not_allowed")
    audit.record(session, actor_id=actor_id, action=chosen.audit_action, subject_type="seller",
                 subject_id=profile.id, reason=reason,
                 details={"from": previous.value, "to": chosen.target.value, "shop": profile.shop_name})
    session.commit()
    session.refresh(profile)
    return chosen


def notify_seller(profile: SellerProfile, decision: Decision, *, link: str) -> bool:
    """E-mail the producer about a committed decision, in their preferred language.

    Returns False (and logs) when the mail server fails; the decision stands either way.
    """
    user = profile.user
    subject, body = render_mail(decision.mail_template, user.preferred_language, profile=profile, user=user,
                                reason=profile.status_reason, link=link)
    try:
        send_mail(user.email, subject, body)
    except OSError:
        log.exception("could not send the %s mail to seller %s", decision.name, profile.id)
        return False
    return True


# ---- queries for the officers' pages ------------------------------------------------------

def producers_query(status: SellerStatus) -> Select:
    """Producers in `status`; the pending queue oldest submission first, the others newest change first."""
    query = select(SellerProfile).where(SellerProfile.status == status).options(
        selectinload(SellerProfile.user), selectinload(SellerProfile.photo),
        selectinload(SellerProfile.cohorts).selectinload(SellerCohort.cohort),
    )
    if status == SellerStatus.PENDING:
        return query.order_by(SellerProfile.submitted_at.asc(), SellerProfile.id.asc())
    return query.order_by(SellerProfile.updated_at.desc(), SellerProfile.id.desc())


def status_counts(session: Session) -> dict[SellerStatus, int]:
    """How many producers are in each status (every status present, zero when none)."""
    rows = session.execute(select(SellerProfile.status, func.count(SellerProfile.id)).group_by(SellerProfile.status))
    counts = {status: 0 for status in SellerStatus}
    counts.update({status: count for status, count in rows})
    return counts


def published_product_count(session: Session) -> int:
    """Products with status published (whether or not their producer is currently visible)."""
    return session.scalar(select(func.count(Product.id)).where(Product.status == ProductStatus.PUBLISHED)) or 0

