"""Stock changes, always as one conditional UPDATE so two buyers can never both take the last unit.

Orders and cancellations change stock levels and nothing else of a product: their statements are
recorded as writing STOCK_LEVELS, not the products table (marketplace.database), so the page
cache refreshes only the pages showing stock levels. Reaching zero or leaving it shows on every
page listing the product (the "out of stock" badge and filter), and is recorded as a change of
the products table.
"""
from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm import Session

from marketplace.database import note_written
from marketplace.models import Product, ProductStatus

STOCK_LEVELS = "products.stock"


class OutOfStock(Exception):
    """Fewer units are left than asked for (or the product is no longer for sale)."""

    def __init__(self, product_id: int, product_name: str = ""):
        super().__init__(product_id)
        self.product_id = product_id
        self.product_name = product_name


def reserve(session: Session, product_id: int, quantity: int) -> None:
    """Take `quantity` units in the caller's transaction, or raise OutOfStock.

    The WHERE clause does the check and the decrement in one statement: on PostgreSQL the
    row lock serialises racing buyers, on SQLite the database write lock does.
    """
    left = session.execute(
        update(Product)
        .where(Product.id == product_id, Product.stock >= quantity, Product.status == ProductStatus.PUBLISHED)
        .values(stock=Product.stock - quantity)
        .returning(Product.stock)
        .execution_options(synchronize_session=False, written_as=STOCK_LEVELS)
    ).scalar_one_or_none()
    if left is None:
        raise OutOfStock(product_id)
    if left <= 0:
        note_written(session, Product.__tablename__)


def release(session: Session, product_id: int | None, quantity: int) -> None:
    """Give units back (cancelled or expired order), in the caller's transaction."""
    if product_id is None:
        return
    now = session.execute(
        update(Product)
        .where(Product.id == product_id)
        .values(stock=Product.stock + quantity)
        .returning(Product.stock)
        .execution_options(synchronize_session=False, written_as=STOCK_LEVELS)
    ).scalar_one_or_none()
    if now is not None and now - quantity <= 0:
        note_written(session, Product.__tablename__)


def count_sold(session: Session, lines, sign: int = 1) -> None:
    """Add (sign=1) or take back (sign=-1) paid units in Product.sold_count, for "most sold"."""
    for line in lines:
        if line.product_id is None:
            continue
        session.execute(
            update(Product)
            .where(Product.id == line.product_id)
            .values(sold_count=Product.sold_count + sign * line.quantity)
            .execution_options(synchronize_session=False)
        )
