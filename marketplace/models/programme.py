"""Programme evidence: exhibitions (pameran, bazaar) and offline sales recorded for producers.

An OfflineSale is never edited in place nor deleted. A correction voids the old record
(voided_at, voided_by_id, void_reason) and adds a new one whose `corrected_from_id`
points at it; voiding alone (with a reason) removes a sale from the figures. So the full
history of every sale stays in the table, and services/offline_sales.py writes an audit
log entry for each step. Indicators count only records with `voided_at IS NULL`.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.models.base import Base, UTCDateTime, utcnow

if TYPE_CHECKING:
    from marketplace.models.accounts import User
    from marketplace.models.catalog import Product
    from marketplace.models.sellers import SellerProfile


class ExhibitionEvent(Base):
    """An exhibition, bazaar or market day where producers sell in person."""

    __tablename__ = "exhibition_events"
    __table_args__ = (CheckConstraint("end_date >= start_date", name="dates_ordered"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    place: Mapped[str] = mapped_column(String(120), default="")
    start_date: Mapped[date] = mapped_column(Date, index=True)
    end_date: Mapped[date] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    created_by: Mapped[User | None] = relationship()


class OfflineSale(Base):
    """A sale at a stall or exhibition: seller, WIB calendar date, whole-rupiah value; never edited in place."""

    __tablename__ = "offline_sales"
    __table_args__ = (
        CheckConstraint("value >= 0", name="value_not_negative"),
        CheckConstraint("quantity IS NULL OR quantity > 0", name="quantity_positive"),
        # The indicator queries filter live records by date, and per seller by date.
        Index("ix_offline_sales_sale_date", "sale_date"),
        Index("ix_offline_sales_seller_date", "seller_id", "sale_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # active_history: services/sales_summary.py recomputes the month and seller a change moved the sale from.
    seller_id: Mapped[int] = mapped_column(ForeignKey("seller_profiles.id", ondelete="CASCADE"), active_history=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("exhibition_events.id", ondelete="SET NULL"),
                                                 index=True)
    sale_date: Mapped[date] = mapped_column(Date, active_history=True)
    value: Mapped[int] = mapped_column(Integer)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id", ondelete="SET NULL"))
    quantity: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(String(255), default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Correction scheme (see the module docstring).
    corrected_from_id: Mapped[int | None] = mapped_column(ForeignKey("offline_sales.id", ondelete="SET NULL"),
                                                          index=True)
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    voided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    void_reason: Mapped[str] = mapped_column(Text, default="")

    seller: Mapped[SellerProfile] = relationship()
    event: Mapped[ExhibitionEvent | None] = relationship()
    product: Mapped[Product | None] = relationship()
    recorded_by: Mapped[User | None] = relationship(foreign_keys=[recorded_by_id])
    voided_by: Mapped[User | None] = relationship(foreign_keys=[voided_by_id])
    corrected_from: Mapped[OfflineSale | None] = relationship(remote_side=[id])

    @property
    def is_void(self) -> bool:
        return self.voided_at is not None
