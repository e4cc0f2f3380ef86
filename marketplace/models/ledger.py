"""Settlement: what the marketplace owes each producer, and the payouts that pay it.

The ledger is append-only: rows are added, never changed or deleted, and every balance
is a sum of entries. Payouts keep a copy of the bank details they were sent to.
"""
from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.models.base import Base, UTCDateTime, string_enum, utcnow

if TYPE_CHECKING:
    from marketplace.models.accounts import User
    from marketplace.models.orders import SellerOrder
    from marketplace.models.sellers import SellerProfile



class EntryKind(str, enum.Enum):
    SALE = "sale"                          # producer's share of a card or transfer sale (credit)
    REVERSAL = "reversal"                  # refund or cancellation of a sale (debit)
    PAYOUT = "payout"                      # money sent to the producer's bank account (debit)
    PAYOUT_CANCELLED = "payout_cancelled"  # a payout cancelled before it was sent (credit)
    ADJUSTMENT = "adjustment"              # manual correction with a reason (either sign)


class PayoutStatus(str, enum.Enum):
    PENDING = "pending"
    SENT = "sent"
    CANCELLED = "cancelled"


class MarketplaceSettings(Base):
    """The operator's settlement settings: a single row (id 1), edited by admins."""

    __tablename__ = "marketplace_settings"
    __table_args__ = (
        CheckConstraint("commission_bps BETWEEN 0 AND 10000", name="commission_range"),
        CheckConstraint("payout_minimum >= 0", name="payout_minimum_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Commission in basis points: 250 = 2.5% of the goods value (delivery fees are not commissioned).
    commission_bps: Mapped[int] = mapped_column(Integer, default=0)
    hold_until_delivered: Mapped[bool] = mapped_column(Boolean, default=False)
    payout_minimum: Mapped[int] = mapped_column(Integer, default=0)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class PayoutBatch(Base):
    """Payouts an officer created together, downloaded as one bulk-transfer file."""

    __tablename__ = "payout_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    minimum: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)

    created_by: Mapped[User | None] = relationship()
    payouts: Mapped[list[Payout]] = relationship(back_populates="batch", order_by="Payout.id")


class Payout(Base):
    """Money owed to one producer, sent by bank transfer; pending until marked sent with the bank reference."""

    __tablename__ = "payouts"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        # At most one unsent payout per producer: two officers paying the same balance at once
        # cannot both succeed, whatever the engine.
        Index("ix_payouts_one_pending_per_seller", "seller_id", unique=True,
              sqlite_where=text("status = 'pending'"), postgresql_where=text("status = 'pending'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("payout_batches.id"), index=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("seller_profiles.id"), index=True)
    amount: Mapped[int] = mapped_column(Integer)
    status: Mapped[PayoutStatus] = mapped_column(string_enum(PayoutStatus, "payout_status", 20), default=PayoutStatus.PENDING)
    bank_name: Mapped[str] = mapped_column(String(60))
    account_number: Mapped[str] = mapped_column(String(30))
    account_holder: Mapped[str] = mapped_column(String(120))
    bank_reference: Mapped[str] = mapped_column(String(60), default="")
    cancel_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancelled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    batch: Mapped[PayoutBatch] = relationship(back_populates="payouts")
    seller: Mapped[SellerProfile] = relationship()


class LedgerEntry(Base):
    """One movement of what the marketplace owes a producer, in whole rupiah.

    `amount` is what the producer is owed by this entry (credit > 0, debit < 0). For sales
    and reversals, `gross` is the sale value it concerns and `commission` the commission
    taken on it (both signed like `amount`, and amount = gross - commission), at the rate
    `commission_bps` in force when the sale was confirmed.
    """

    __tablename__ = "ledger_entries"
    __table_args__ = (
        Index("ix_ledger_entries_seller_created", "seller_id", "created_at"),
        # A part's sale is credited once, however often its payment is confirmed.
        Index("ix_ledger_entries_one_sale_per_part", "seller_order_id", unique=True,
              sqlite_where=text("kind = 'sale'"), postgresql_where=text("kind = 'sale'")),
        CheckConstraint("commission_bps BETWEEN 0 AND 10000", name="commission_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("seller_profiles.id"), index=True)
    kind: Mapped[EntryKind] = mapped_column(string_enum(EntryKind, "ledger_entry_kind", 20))
    amount: Mapped[int] = mapped_column(Integer)
    gross: Mapped[int] = mapped_column(Integer, default=0)
    commission: Mapped[int] = mapped_column(Integer, default=0)
    commission_bps: Mapped[int] = mapped_column(Integer, default=0)
    seller_order_id: Mapped[int | None] = mapped_column(ForeignKey("seller_orders.id"), index=True)
    payout_id: Mapped[int | None] = mapped_column(ForeignKey("payouts.id"), index=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    seller_order: Mapped[SellerOrder | None] = relationship()
    payout: Mapped[Payout | None] = relationship()
