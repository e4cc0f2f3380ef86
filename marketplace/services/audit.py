"""The audit log: who did what, to what, when and why."""
from __future__ import annotations

import json

from sqlalchemy.orm import Session

from marketplace.models import AuditLog


def record(
    session: Session,
    *,
    actor_id: int | None,
    action: str,
    subject_type: str,
    subject_id: int | None,
    reason: str = "",
    details: dict | None = None,
) -> AuditLog:
    """Add an audit entry to the caller's transaction (the caller commits)."""
    entry = AuditLog(
        actor_id=actor_id,
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        reason=reason or "",
        details=json.dumps(details, ensure_ascii=False, sort_keys=True, default=str) if details else "",
    )
    session.add(entry)
    return entry
