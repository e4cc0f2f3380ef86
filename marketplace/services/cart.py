"""Carts: in the session for guests, in the database for logged-in buyers, merged at login.

Both kinds hold (product, quantity, price seen when added). Quantities are limited by
stock when added; checkout re-checks everything against the database (services/checkout).
"""
from __future__ import annotations

from collections.abc import MutableMapping
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from marketplace.models import CartItem, Product, ProductStatus, SellerStatus
from marketplace.services.checkout import CartLine

MAX_QUANTITY = 999


class CartError(ValueError):
    """The product can't go into the cart; `code` says why."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class AddResult:
    quantity: int
    limited_by_stock: bool


def _buyable(session: Session, product_id: int) -> Product:
    product = session.get(Product, product_id)
    if product is None or product.status != ProductStatus.PUBLISHED or product.seller.status != SellerStatus.APPROVED:
        raise CartError("unavailable")
    if product.stock <= 0:
        raise CartError("out_of_stock")
    return product


def _limit(product: Product, wanted: int) -> AddResult:
    if wanted < 1:
        raise CartError("bad_quantity")
    allowed = min(wanted, product.stock, MAX_QUANTITY)
    return AddResult(quantity=allowed, limited_by_stock=allowed < wanted)


# ---- guest carts: a plain dict kept in the Flask session -------------------------------------

def guest_lines(cart: MutableMapping) -> list[CartLine]:
    lines = []
    for key, item in cart.items():
        try:
            lines.append(CartLine(int(key), int(item["q"]), int(item["p"])))
        except (KeyError, TypeError, ValueError):
            continue  # a tampered session entry is simply dropped
    return lines


def guest_set(session: Session, cart: MutableMapping, product_id: int, quantity: int, *, add: bool) -> AddResult:
    """Add to (add=True) or set (add=False) a guest cart line."""
    product = _buyable(session, product_id)
    current = int(cart.get(str(product_id), {}).get("q", 0)) if add else 0
    result = _limit(product, current + quantity)
    cart[str(product_id)] = {"q": result.quantity, "p": product.price}
    return result


def guest_remove(cart: MutableMapping, product_id: int) -> None:
    cart.pop(str(product_id), None)


# ---- buyers' carts: rows in cart_items --------------------------------------------------------

def user_lines(session: Session, user_id: int) -> list[CartLine]:
    items = session.scalars(select(CartItem).where(CartItem.user_id == user_id).order_by(CartItem.id))
    return [CartLine(item.product_id, item.quantity, item.price_seen) for item in items]


def user_set(session: Session, user_id: int, product_id: int, quantity: int, *, add: bool) -> AddResult:
    """Add to or set a buyer's cart line; commits."""
    product = _buyable(session, product_id)
    item = session.scalar(select(CartItem).where(CartItem.user_id == user_id, CartItem.product_id == product_id))
    current = item.quantity if (item is not None and add) else 0
    result = _limit(product, current + quantity)
    if item is None:
        session.add(CartItem(user_id=user_id, product_id=product_id, quantity=result.quantity,
                             price_seen=product.price))
    else:
        item.quantity = result.quantity
        item.price_seen = product.price
    session.commit()
    return result


def user_remove(session: Session, user_id: int, product_id: int) -> None:
    session.execute(delete(CartItem).where(CartItem.user_id == user_id, CartItem.product_id == product_id))
    session.commit()


def user_clear(session: Session, user_id: int, product_ids: list[int] | None = None) -> None:
    query = delete(CartItem).where(CartItem.user_id == user_id)
    if product_ids is not None:
        query = query.where(CartItem.product_id.in_(product_ids))
    session.execute(query)
    session.commit()


def accept_current_prices(session: Session, user_id: int | None, cart: MutableMapping | None) -> None:
    """The buyer saw the new prices: remember them so checkout can go on."""
    if user_id is not None:
        for item in session.scalars(select(CartItem).where(CartItem.user_id == user_id)):
            item.price_seen = item.product.price
        session.commit()
    if cart is not None:
        for key in list(cart):
            product = session.get(Product, int(key)) if str(key).isdigit() else None
            if product is None:
                cart.pop(key)
            else:
                cart[key] = {"q": int(cart[key].get("q", 1)), "p": product.price}


def merge_guest_cart(session: Session, user_id: int, cart: MutableMapping) -> int:
    """Move a guest's cart into the buyer's at login (quantities added, limited by stock)."""
    moved = 0
    for line in guest_lines(cart):
        try:
            user_set(session, user_id, line.product_id, line.quantity, add=True)
            moved += 1
        except CartError:
            continue
    cart.clear()
    return moved
