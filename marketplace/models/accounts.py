"""User accounts and roles."""
from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import Boolean, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.models.base import Base, UTCDateTime, string_enum, utcnow

if TYPE_CHECKING:
    from marketplace.models.sellers import SellerProfile


class Role(str, enum.Enum):
    """What a person may do. A seller is a buyer or officer with a seller profile."""

    BUYER = "buyer"
    OFFICER = "officer"
    ADMIN = "admin"


class User(UserMixin, Base):
    """A person who logs in: buyer, producer (with a seller profile), officer or admin."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased, so the unique constraint is case-insensitive.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(255))
    preferred_language: Mapped[str] = mapped_column(String(5), default="id")
    role: Mapped[Role] = mapped_column(
        string_enum(Role, "role"),
        default=Role.BUYER,
        index=True,
    )
    is_active_account: Mapped[bool] = mapped_column("is_active", Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    seller_profile: Mapped[SellerProfile | None] = relationship(
        back_populates="user", uselist=False, foreign_keys="SellerProfile.user_id"
    )

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email} {self.role.value}>"

    @property
    def is_active(self) -> bool:  # used by Flask-Login to refuse inactive accounts
        return bool(self.is_active_account)

    @property
    def is_officer(self) -> bool:
        """Officers and admins both do programme work."""
        return self.role in (Role.OFFICER, Role.ADMIN)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_seller(self) -> bool:
        return self.seller_profile is not None

    @property
    def is_approved_seller(self) -> bool:
        from marketplace.models.sellers import SellerStatus

        return self.seller_profile is not None and self.seller_profile.status == SellerStatus.APPROVED
