"""Admins manage the programme's staff: list officers and admins, create officers,
deactivate and reactivate them. Every change is audit-logged in its own transaction."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.models import Role, User
from marketplace.services import accounts, audit

STAFF_ROLES = (Role.OFFICER, Role.ADMIN)


class StaffError(ValueError):
    """A staff change was refused; `code` is 'email_taken', 'not_staff', 'self' or 'unchanged'."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def staff_members(session: Session) -> list[User]:
    """Every officer and admin, admins first, then by name."""
    return list(session.scalars(
        select(User).where(User.role.in_(STAFF_ROLES)).order_by(User.role.asc(), User.name, User.id)
    ))


def get_staff_member(session: Session, user_id: int) -> User | None:
    """The officer or admin with this id, or None (buyers and producers are not staff)."""
    user = session.get(User, user_id)
    return user if user is not None and user.role in STAFF_ROLES else None


def create_officer(
    session: Session,
    *,
    actor_id: int,
    name: str,
    email: str,
    password: str,
    hash_method: str,
    language: str = "id",
) -> User:
    """Create an officer account with a temporary password; raises StaffError('email_taken')."""
    try:
        user = accounts.register_user(session, email=email, name=name, password=password, hash_method=hash_method,
                                      language=language, role=Role.OFFICER, commit=False)
    except accounts.AccountError as exc:
        raise StaffError("email_taken") from exc
    audit.record(session, actor_id=actor_id, action="officer.created", subject_type="user", subject_id=user.id,
                 details={"email": user.email, "name": user.name})
    session.commit()
    return user


def set_active(session: Session, *, actor_id: int, user: User, active: bool) -> None:
    """Deactivate or reactivate an officer or admin (never oneself) and commit.

    A deactivated account can no longer log in; its past decisions keep their author.
    """
    if user.role not in STAFF_ROLES:
        raise StaffError("not_staff")
    if user.id == actor_id:
        raise StaffError("self")
    if user.is_active_account == active:
        raise StaffError("unchanged")
    user.is_active_account = active
    audit.record(session, actor_id=actor_id, action="officer.reactivated" if active else "officer.deactivated",
                 subject_type="user", subject_id=user.id, details={"email": user.email})
    session.commit()
