"""Accounts: registration, authentication, profile, passwords and password-reset tokens.

Plain functions with explicit arguments. Each function that changes data commits once,
at its end; rule violations raise AccountError with a code the view turns into a message.
"""
from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable, Iterable
from datetime import timedelta
from functools import lru_cache

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from marketplace.formatting import InvalidPhoneNumber, normalise_phone
from marketplace.models import Role, User, utcnow
from marketplace.services.mail import OutgoingMail, render_mail, send_mail


class AccountError(ValueError):
    """A rule about accounts was broken; `code` says which, for the view's message."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


# ---- passwords ---------------------------------------------------------------------------------

# Hashing a very long password costs CPU for nothing; nobody types more than this on a phone.
MAX_PASSWORD_LENGTH = 128

# The passwords people in Indonesia pick first (lower-cased); refused even when long enough.
COMMON_PASSWORDS = frozenset({
    "12345678", "123456789", "1234567890", "87654321", "11111111", "00000000", "password", "password1",
    "password123", "passw0rd", "qwerty123", "qwertyuiop", "qwertyui", "asdfghjkl", "iloveyou", "indonesia",
    "indonesia1", "bismillah", "sayangku", "sayang123", "rahasia1", "katasandi", "blitar123", "pasarlokal",
    "abcd1234", "abc12345", "admin123",
})


def password_problem(password: str | None, min_length: int = 8) -> str | None:
    """Why a new password is refused ('too_short', 'too_long', 'too_simple'), or None when it is fine.

    The rule: at least `min_length` characters, at least one letter and one non-letter,
    not a well-known password and not one character repeated.
    """
    value = password or ""
    if len(value) < min_length:
        return "too_short"
    if len(value) > MAX_PASSWORD_LENGTH:
        return "too_long"
    if (value.lower() in COMMON_PASSWORDS or len(set(value)) < 3
            or not any(c.isalpha() for c in value) or all(c.isalpha() for c in value)):
        return "too_simple"
    return None


def hash_password(password: str, method: str) -> str:
    return generate_password_hash(password, method=method)


@lru_cache(maxsize=4)
def _dummy_hash(method: str) -> str:
    return generate_password_hash("not-a-real-password", method=method)


# ---- registration and login --------------------------------------------------------------------

def normalise_email(email: str | None) -> str:
    return (email or "").strip().lower()


def find_user_by_email(session: Session, email: str | None) -> User | None:
    """The account with this e-mail, whatever its letter case."""
    return session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


_PHONE_CHARACTERS = re.compile(r"[0-9+\-.()/ ]{1,40}")


def clean_phone(raw: str | None) -> str | None:
    """A phone number as typed, in E.164, or None when left empty. Raises InvalidPhoneNumber.

    Letters are refused: phonenumbers would read them as keypad digits ("0812-abcd-...").
    """
    text = (raw or "").strip()
    if not text:
        return None
    if not _PHONE_CHARACTERS.fullmatch(text):
        raise InvalidPhoneNumber("unexpected characters")
    return normalise_phone(text)


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
        phone=clean_phone(phone),
        password_hash=hash_password(password, hash_method),
        preferred_language=language,
        role=role,
    )
    session.add(user)
    try:
        if commit:
            session.commit()
        else:
            session.flush()
    except IntegrityError as exc:  # the same e-mail registered at the same moment
        session.rollback()
        raise AccountError("email_taken") from exc
    return user


def authenticate(session: Session, email: str, password: str, hash_method: str | None = None) -> User | None:
    """The user with this e-mail and password, or None (never says which one was wrong).

    Raises AccountError('inactive') only when the password is right but the account is
    switched off. With `hash_method`, an unknown e-mail costs one hash too, so response
    times do not reveal which e-mails have accounts.
    """
    user = find_user_by_email(session, email)
    if user is None:
        if hash_method:
            check_password_hash(_dummy_hash(hash_method), password or "")
        return None
    if not check_password_hash(user.password_hash, password or ""):
        return None
    if not user.is_active:
        raise AccountError("inactive")
    return user


def record_login(session: Session, user: User) -> None:
    user.last_login_at = utcnow()
    session.commit()


# ---- the account page --------------------------------------------------------------------------

def update_profile(
    session: Session, user: User, *, name: str, phone: str | None, language: str, languages: Iterable[str]
) -> User:
    """Change name, phone and preferred language.

    Raises AccountError('name_required' | 'language_unsupported') or InvalidPhoneNumber;
    nothing is changed then.
    """
    name = (name or "").strip()
    if not name:
        raise AccountError("name_required")
    if language not in set(languages):
        raise AccountError("language_unsupported")
    new_phone = clean_phone(phone)
    user.name = name
    user.phone = new_phone
    user.preferred_language = language
    session.commit()
    return user


def set_password(session: Session, user: User, new_password: str, hash_method: str, min_length: int = 8) -> None:
    """Store a new password. Raises AccountError('weak_password') for one the rule refuses."""
    if password_problem(new_password, min_length):
        raise AccountError("weak_password")
    user.password_hash = hash_password(new_password, hash_method)
    session.commit()


def change_password(
    session: Session, user: User, current: str, new: str, hash_method: str, min_length: int = 8
) -> None:
    """Raises AccountError('wrong_password') when the current password does not match."""
    if not check_password_hash(user.password_hash, current or ""):
        raise AccountError("wrong_password")
    set_password(session, user, new, hash_method, min_length)


def send_password_changed_notice(user: User) -> OutgoingMail:
    """Tell the owner their password changed, so a stranger's change does not go unnoticed."""
    subject, body = render_mail("auth_password_changed", user.preferred_language, user=user)
    return send_mail(user.email, subject, body)


# ---- forgotten passwords -----------------------------------------------------------------------

# A reset token carries a keyed fingerprint of the current password hash: it stops working as
# soon as it has been used (the salted hash changes even for the same password), when the
# password is changed another way, and after max_age seconds.
_RESET_SALT = "password-reset"


def _fingerprint(secret_key: str, user: User) -> str:
    message = f"{user.id}:{user.password_hash}".encode()
    return hmac.new(secret_key.encode(), message, hashlib.sha256).hexdigest()[:32]


def make_reset_token(secret_key: str, user: User) -> str:
    return URLSafeTimedSerializer(secret_key, salt=_RESET_SALT).dumps(
        {"u": user.id, "f": _fingerprint(secret_key, user)}
    )


def user_for_reset_token(session: Session, secret_key: str, token: str, max_age: int) -> User:
    """The user a valid token belongs to. Raises AccountError('token_expired' | 'token_invalid')."""
    serializer = URLSafeTimedSerializer(secret_key, salt=_RESET_SALT)
    try:
        data = serializer.loads(token or "", max_age=max_age)
    except SignatureExpired as exc:
        raise AccountError("token_expired") from exc
    except BadSignature as exc:
        raise AccountError("token_invalid") from exc
    user_id = data.get("u") if isinstance(data, dict) else None
    user = session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None or not user.is_active or not hmac.compare_digest(
        str(data.get("f", "")), _fingerprint(secret_key, user)
    ):
        raise AccountError("token_invalid")
    return user


def request_password_reset(
    session: Session, email: str, *, secret_key: str, max_age: int, link_for: Callable[[str], str]
) -> bool:
    """Mail a reset link to the active account with this e-mail, in its owner's language.

    Returns whether a mail was sent; the view must answer the same either way, so that
    nobody learns which e-mails have accounts.
    """
    user = find_user_by_email(session, email)
    if user is None or not user.is_active:
        return False
    token = make_reset_token(secret_key, user)
    subject, body = render_mail(
        "auth_password_reset", user.preferred_language, user=user, link=link_for(token),
        expires_at=utcnow() + timedelta(seconds=max_age),
    )
    send_mail(user.email, subject, body)
    return True


def reset_password(
    session: Session, token: str, new_password: str, *, secret_key: str, max_age: int, hash_method: str,
    min_length: int = 8,
) -> User:
    """Set a new password through a reset token, which then stops working.

    Raises AccountError('token_expired' | 'token_invalid' | 'weak_password').
    """
    user = user_for_reset_token(session, secret_key, token, max_age)
    set_password(session, user, new_password, hash_method, min_length)
    return user
