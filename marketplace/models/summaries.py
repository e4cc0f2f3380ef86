"""Sales figures derived from the sales tables, for the programme dashboard (services/sales_summary.py).

Every row can be recomputed from orders, their parts and lines, and offline sales at any time;
the service keeps them exact in the same transaction as the change of a sale, and
`flask rebuild-sales-summaries` recomputes all of them. They have no foreign keys, so that writing
them never waits for a lock another transaction holds on a sale or a seller.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.models.base import Base, UTCDateTime


class MonthlySalesFigures:
    """The summable figures of a seller's sales in one WIB month (values in whole rupiah)."""

    online_value: Mapped[int] = mapped_column(BigInteger, default=0)
    online_transactions: Mapped[int] = mapped_column(Integer, default=0)
    offline_value: Mapped[int] = mapped_column(BigInteger, default=0)
    offline_transactions: Mapped[int] = mapped_column(Integer, default=0)
    outside_value: Mapped[int] = mapped_column(BigInteger, default=0)   # online value delivered outside Blitar


# The primary keys start with the month, which every read selects; on SQLite the rows are stored in
# that order (WITHOUT ROWID), so a year is read as one range.
class MonthlySellerSales(MonthlySalesFigures, Base):
    """One seller's counted sales in one WIB month ("YYYY-MM"); only months with a sale have a row."""

    __tablename__ = "monthly_seller_sales"
    __table_args__ = (Index("ix_monthly_seller_sales_seller_id", "seller_id"), {"sqlite_with_rowid": False})

    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    seller_id: Mapped[int] = mapped_column(Integer, primary_key=True)


class MonthlySellerCategorySales(MonthlySalesFigures, Base):
    """One seller's sales of one product category in one WIB month: the lines' values, and as
    transactions the parts (or offline sales) with a line in the category. `category_id` is 0 for
    sales without a category (an offline sale without a product): it is part of the primary key."""

    __tablename__ = "monthly_seller_category_sales"
    __table_args__ = (Index("ix_monthly_seller_category_sales_seller_id", "seller_id"), {"sqlite_with_rowid": False})

    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    seller_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    category_id: Mapped[int] = mapped_column(Integer, primary_key=True)


class PaidPartLink(Base):
    """A counted part (paid, not cancelled) with the moments that tell, for any period, whether it
    is the first of its order and of its buyer in the period:

    - `prev_order_at`: when the previous counted part of the same order was confirmed;
    - `prev_buyer_at`: when the buyer's previous counted part was confirmed;
    - `second_order_at`: when the first part of the buyer's second order was confirmed.

    Parts are ordered by (confirmation moment, id). `buyer_key` is the indicators' buyer number.
    """

    __tablename__ = "paid_part_links"
    __table_args__ = (Index("ix_paid_part_links_period", "confirmed_at", "prev_order_at", "prev_buyer_at",
                            "second_order_at", "buyer_key"),)

    seller_order_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(Integer)
    buyer_key: Mapped[int | None] = mapped_column(BigInteger, index=True)
    confirmed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    prev_order_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    prev_buyer_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    second_order_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
