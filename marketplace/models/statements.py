"""Monthly sales statements issued to producers, verifiable by their public code."""
from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import BigInteger, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.models.base import Base, UTCDateTime, utcnow

if TYPE_CHECKING:
    from marketplace.models.accounts import User
    from marketplace.models.sellers import SellerProfile


class StatementIssue(Base):
    """One issued statement: its code, period, totals and the SHA-256 of its canonical figures.

    Rows are only ever added; the public verification page reads them by `code`.
    """

    __tablename__ = "statement_issues"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("seller_profiles.id", ondelete="CASCADE"), index=True)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    sales_value: Mapped[int] = mapped_column(BigInteger)
    sales_online: Mapped[int] = mapped_column(BigInteger)
    sales_offline: Mapped[int] = mapped_column(BigInteger)
    transactions: Mapped[int] = mapped_column(Integer)
    figures_sha256: Mapped[str] = mapped_column(String(64))
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    seller: Mapped[SellerProfile] = relationship()
    issued_by: Mapped[User | None] = relationship()
