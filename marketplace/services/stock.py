"""Stock changes, always as one conditional UPDATE so two buyers can never both take the last unit."""
from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm import Session

from marketplace.models import Product, ProductStatus


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
    result = session.execute(
        update(Product)
        .where(Product.id == product_id, Product.stock >= quantity, Product.status == ProductStatus.PUBLISHED)
        .values(stock=Product.stock - quantity)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise OutOfStock(product_id)


def release(session: Session, product_id: int | None, quantity: int) -> None:
    """Give units back (cancelled or expired order), in the caller's transaction."""
    if product_id is None:
        return
    session.execute(
        update(Product)
        .where(Product.id == product_id)
        .values(stock=Product.stock + quantity)
        .execution_options(synchronize_session=False)
    )


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
