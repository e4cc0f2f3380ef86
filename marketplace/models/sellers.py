"""Producers' seller profiles and the programme's training types and cohorts."""
from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.models.base import Base, BilingualName, UTCDateTime, string_enum, utcnow

if TYPE_CHECKING:
    from marketplace.models.accounts import User
    from marketplace.models.catalog import Image, Product


class SellerStatus(str, enum.Enum):
    """Where a producer stands: drafting onboarding, waiting, or decided by an officer."""

    DRAFT = "draft"
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    SUSPENDED = "suspended"



class SellerProfile(Base):
    """A producer's shop: identity, location, contact, papers and approval status."""

    __tablename__ = "seller_profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    shop_name: Mapped[str] = mapped_column(String(120))
    slug: Mapped[str] = mapped_column(String(140), unique=True)
    story: Mapped[str] = mapped_column(Text, default="")
    products_summary: Mapped[str] = mapped_column(String(255), default="")
    photo_image_id: Mapped[int | None] = mapped_column(ForeignKey("images.id", ondelete="SET NULL"))
    # Kemendagri code of the kecamatan, e.g. "35.05.10" (see marketplace/regions.py).
    kecamatan_code: Mapped[str | None] = mapped_column(String(8), index=True)
    desa: Mapped[str] = mapped_column(String(120), default="")
    address: Mapped[str] = mapped_column(String(255), default="")
    whatsapp: Mapped[str | None] = mapped_column(String(20))
    group_name: Mapped[str] = mapped_column(String(120), default="")
    in_programme: Mapped[bool | None] = mapped_column(Boolean)
    nib: Mapped[str | None] = mapped_column(String(20))
    pirt: Mapped[str | None] = mapped_column(String(30))
    halal: Mapped[str | None] = mapped_column(String(40))
    data_consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    onboarding_step: Mapped[str] = mapped_column(String(20), default="shop")
    status: Mapped[SellerStatus] = mapped_column(
        string_enum(SellerStatus, "seller_status"), default=SellerStatus.DRAFT, index=True
    )
    status_reason: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    # Where payouts go (settlement, services/payouts.py), and an admin's commission override in basis points.
    bank_name: Mapped[str] = mapped_column(String(60), default="", server_default="")
    bank_account_number: Mapped[str] = mapped_column(String(30), default="", server_default="")
    bank_account_holder: Mapped[str] = mapped_column(String(120), default="", server_default="")
    commission_bps: Mapped[int | None] = mapped_column(Integer)

    user: Mapped[User] = relationship(back_populates="seller_profile", foreign_keys=[user_id])
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])
    photo: Mapped[Image | None] = relationship()
    products: Mapped[list[Product]] = relationship(back_populates="seller")
    cohorts: Mapped[list[SellerCohort]] = relationship(
        back_populates="seller", cascade="all, delete-orphan", order_by="SellerCohort.completed_on"
    )

    def __repr__(self) -> str:
        return f"<SellerProfile {self.id} {self.slug} {self.status.value}>"

    @property
    def is_public(self) -> bool:
        return self.status == SellerStatus.APPROVED


class TrainingType(BilingualName, Base):
    """A kind of programme training, e.g. sewing or organic farming."""

    __tablename__ = "training_types"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name_id: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))

    cohorts: Mapped[list[Cohort]] = relationship(back_populates="training_type", order_by="Cohort.start_date")


class Cohort(Base):
    """One run of a training type, with its place and dates."""

    __tablename__ = "cohorts"

    id: Mapped[int] = mapped_column(primary_key=True)
    training_type_id: Mapped[int] = mapped_column(ForeignKey("training_types.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    place: Mapped[str] = mapped_column(String(120), default="")
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)

    training_type: Mapped[TrainingType] = relationship(back_populates="cohorts")


class SellerCohort(Base):
    """A producer's completion of a cohort, and when."""

    __tablename__ = "seller_cohorts"
    __table_args__ = (UniqueConstraint("seller_id", "cohort_id", name="seller_cohort"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("seller_profiles.id", ondelete="CASCADE"), index=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id"), index=True)
    completed_on: Mapped[date] = mapped_column(Date)

    seller: Mapped[SellerProfile] = relationship(back_populates="cohorts")
    cohort: Mapped[Cohort] = relationship()


class AuditLog(Base):
    """Who did what to which record, when and why. Rows are only ever added."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_subject", "subject_type", "subject_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    action: Mapped[str] = mapped_column(String(60), index=True)
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[int | None] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)

    actor: Mapped[User | None] = relationship()
