"""Accounts: registration, authentication, passwords and password-reset tokens."""
from __future__ import annotations

import hashlib

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from marketplace.formatting import normalise_phone
from marketplace.models import Role, User, utcnow


class AccountError(ValueError):
    """A rule about accounts was broken; `code` says which, for the view's message."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def find_user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


def hash_password(password: str, method: str) -> str:
    return generate_password_hash(password, method=method)


def register_user(
    session: Session,
    *,
    email: str,
    name: str,
    password: str,
    hash_method: str,
    phone: str | None = None,
    language: str = "id",
    role: Role = Role.BUYER,
    commit: bool = True,
) -> User:
    """Create an account. Raises AccountError('email_taken') or InvalidPhoneNumber."""
    email = normalise_email(email)
    if find_user_by_email(session, email) is not None:
        raise AccountError("email_taken")
    user = User(
        email=email,
        name=name.strip(),
        phone=normalise_phone(phone) if phone else None,
        password_hash=hash_password(password, hash_method),
        preferred_language=language,
        role=role,
    )
    session.add(user)
    if commit:
        session.commit()
    else:
        session.flush()
    return user


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The active user with this e-mail and password, or None (never says which was wrong)."""
    user = find_user_by_email(session, email)
    if user is None or not check_password_hash(user.password_hash, password or ""):
        return None
    if not user.is_active:
        return None
    return user


def record_login(session: Session, user: User) -> None:
    user.last_login_at = utcnow()
    session.commit()


def set_password(session: Session, user: User, new_password: str, hash_method: str) -> None:
    user.password_hash = hash_password(new_password, hash_method)
    session.commit()


def change_password(session: Session, user: User, current: str, new: str, hash_method: str) -> None:
    """Raises AccountError('wrong_password') when the current password does not match."""
    if not check_password_hash(user.password_hash, current or ""):
        raise AccountError("wrong_password")
    set_password(session, user, new, hash_method)


# Password reset tokens carry a fingerprint of the current password hash, so a token
# stops working as soon as it has been used (the hash changes) and after max_age.
_RESET_SALT = "password-reset"


def _fingerprint(user: User) -> str:
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def make_reset_token(secret_key: str, user: User) -> str:
    return URLSafeTimedSerializer(secret_key, salt=_RESET_SALT).dumps({"u": user.id, "f": _fingerprint(user)})


def user_for_reset_token(session: Session, secret_key: str, token: str, max_age: int) -> User:
    """The user a valid token belongs to. Raises AccountError('token_expired' | 'token_invalid')."""
    serializer = URLSafeTimedSerializer(secret_key, salt=_RESET_SALT)
    try:
        data = serializer.loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise AccountError("token_expired") from exc
    except BadSignature as exc:
        raise AccountError("token_invalid") from exc
    user = session.get(User, data.get("u")) if isinstance(data, dict) else None
    if user is None or not user.is_active or data.get("f") != _fingerprint(user):
        raise AccountError("token_invalid")
    return user
