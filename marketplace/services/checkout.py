"""Checkout: a quote computed on the server from the cart, then one order placed atomically.

`build_quote` prices the cart as it is now (current prices, stock, delivery fees) and lists
every problem the buyer must see. `place_order` refuses while any problem remains, reserves
stock with conditional updates, numbers the order and writes it, all in one transaction.
"""
from __future__ import annotations

import math
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from marketplace.formatting import to_wib
from marketplace.models import Product, ProductStatus, SellerProfile, SellerStatus, utcnow
from marketplace.models.orders import (
    DeliveryMethod, DeliverySettings, Order, OrderEvent, OrderLine, OrderNumberCounter, OrderStatus, PartStatus,
    Payment, PaymentMethod, PaymentStatus, SellerOrder, ShippingZone,
)
from marketplace.regions import KABUPATEN_BLITAR, KOTA_BLITAR, PROVINCE_JAWA_TIMUR
from marketplace.services import stock


@dataclass(frozen=True)
class CartLine:
    product_id: int
    quantity: int
    price_seen: int


@dataclass(frozen=True)
class Address:
    recipient_name: str = ""
    street: str = ""
    desa: str = ""
    kecamatan: str = ""
    regency_code: str = ""      # "35.05", "35.72", "35" (elsewhere in Jawa Timur) or "" (outside)
    regency_name: str = ""
    postal_code: str = ""

    @property
    def zone(self) -> ShippingZone:
        if self.regency_code in (KABUPATEN_BLITAR, KOTA_BLITAR):
            return ShippingZone.BLITAR
        if self.regency_code.startswith(PROVINCE_JAWA_TIMUR):
            return ShippingZone.JATIM
        return ShippingZone.INDONESIA


@dataclass(frozen=True)
class Buyer:
    name: str
    email: str
    phone: str
    user_id: int | None = None
    language: str = "id"


@dataclass
class QuoteLine:
    product: Product
    quantity: int
    price_seen: int

    @property
    def unit_price(self) -> int:
        return self.product.price

    @property
    def amount(self) -> int:
        return self.product.price * self.quantity


@dataclass
class QuotePart:
    seller: SellerProfile
    settings: DeliverySettings
    lines: list[QuoteLine]
    delivery: DeliveryMethod | None = None
    delivery_fee: int = 0

    @property
    def subtotal(self) -> int:
        return sum(line.amount for line in self.lines)

    @property
    def weight_grams(self) -> int:
        return sum(line.product.weight_grams * line.quantity for line in self.lines)

    def delivery_options(self, zone: ShippingZone | None) -> dict[DeliveryMethod, int]:
        """The methods this producer offers for this address, with their fees."""
        options: dict[DeliveryMethod, int] = {}
        if self.settings.offers_pickup:
            options[DeliveryMethod.PICKUP] = 0
        if self.settings.offers_local_delivery and zone in (None, ShippingZone.BLITAR):
            options[DeliveryMethod.LOCAL] = self.settings.local_delivery_fee
        if self.settings.offers_courier:
            fee = courier_fee(self.settings, zone or ShippingZone.BLITAR, self.weight_grams)
            if fee is not None:
                options[DeliveryMethod.COURIER] = fee
        return options


@dataclass
class Problem:
    """Something the buyer must see before the order can be placed."""

    code: str          # price_changed | out_of_stock | unavailable | delivery | cash_not_offered
    product_id: int | None = None
    seller_id: int | None = None
    old: int | None = None
    new: int | None = None


@dataclass
class Quote:
    parts: list[QuotePart] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    zone: ShippingZone | None = None

    @property
    def subtotal(self) -> int:
        return sum(part.subtotal for part in self.parts)

    @property
    def shipping_total(self) -> int:
        return sum(part.delivery_fee for part in self.parts)

    @property
    def total(self) -> int:
        return self.subtotal + self.shipping_total


def courier_fee(settings: DeliverySettings, zone: ShippingZone, weight_grams: int) -> int | None:
    """Fee per started kilogram for the zone, or None when the producer doesn't ship there."""
    per_kg = {
        ShippingZone.BLITAR: settings.courier_fee_blitar,
        ShippingZone.JATIM: settings.courier_fee_jatim,
        ShippingZone.INDONESIA: settings.courier_fee_indonesia,
    }[zone]
    if not per_kg:
        return None
    return per_kg * max(1, math.ceil(weight_grams / 1000))


def delivery_settings_for(session: Session, seller_id: int) -> DeliverySettings:
    """A producer's delivery settings; producers who never set them offer pickup only."""
    settings = session.scalar(select(DeliverySettings).where(DeliverySettings.seller_id == seller_id))
    return settings or DeliverySettings(seller_id=seller_id, offers_pickup=True, offers_cash=True)


def build_quote(
    session: Session,
    lines: list[CartLine],
    *,
    address: Address | None = None,
    deliveries: dict[int, DeliveryMethod] | None = None,
    payment_method: PaymentMethod | None = None,
) -> Quote:
    """Price the cart from the database, grouped by producer, listing every problem."""
    quote = Quote(zone=address.zone if address else None)
    wanted: dict[int, CartLine] = {}
    for line in lines:
        if line.quantity > 0:
            wanted[line.product_id] = line
    if not wanted:
        return quote
    products = session.scalars(
        select(Product).where(Product.id.in_(wanted)).options(selectinload(Product.seller))
    ).all()
    by_id = {p.id: p for p in products}
    parts: dict[int, QuotePart] = {}
    for product_id, line in wanted.items():
        product = by_id.get(product_id)
        if (product is None or product.status != ProductStatus.PUBLISHED
                or product.seller.status != SellerStatus.APPROVED):
            quote.problems.append(Problem("unavailable", product_id=product_id))
            continue
        if product.stock < line.quantity:
            quote.problems.append(Problem("out_of_stock", product_id=product_id, old=line.quantity, new=product.stock))
        if product.price != line.price_seen:
            quote.problems.append(Problem("price_changed", product_id=product_id, old=line.price_seen, new=product.price))
        part = parts.get(product.seller_id)
        if part is None:
            part = parts[product.seller_id] = QuotePart(
                seller=product.seller, settings=delivery_settings_for(session, product.seller_id), lines=[]
            )
        part.lines.append(QuoteLine(product=product, quantity=line.quantity, price_seen=line.price_seen))
    quote.parts = sorted(parts.values(), key=lambda p: p.seller.shop_name)
    for part in quote.parts:
        part.lines.sort(key=lambda line: line.product.name)
        if deliveries is None:
            continue
        options = part.delivery_options(quote.zone)
        chosen = deliveries.get(part.seller.id)
        if chosen not in options:
            quote.problems.append(Problem("delivery", seller_id=part.seller.id))
        else:
            part.delivery = chosen
            part.delivery_fee = options[chosen]
        if payment_method == PaymentMethod.CASH and not part.settings.offers_cash:
            quote.problems.append(Problem("cash_not_offered", seller_id=part.seller.id))
    return quote


class CheckoutRefused(Exception):
    """The order cannot be placed as asked; `problems` says why (nothing was written)."""

    def __init__(self, problems: list[Problem]):
        super().__init__(", ".join(p.code for p in problems))
        self.problems = problems


def next_order_number(session: Session, now: datetime) -> str:
    """PLB-<year>-<6 digits>, sequential per year (WIB), safe under concurrent checkouts."""
    year = to_wib(now).year
    for _attempt in range(3):
        number = session.execute(
            update(OrderNumberCounter)
            .where(OrderNumberCounter.year == year)
            .values(last_number=OrderNumberCounter.last_number + 1)
            .returning(OrderNumberCounter.last_number)
        ).scalar()
        if number is not None:
            return f"PLB-{year}-{number:06d}"
        try:
            with session.begin_nested():
                session.add(OrderNumberCounter(year=year, last_number=0))
        except IntegrityError:
            pass  # another checkout created the year's counter first
    raise RuntimeError("could not allocate an order number")


def pick_unique_code(session: Session, base_amount: int) -> int:
    """A 1-999 rupiah code so that no two open transfers expect the same amount."""
    taken = set(session.scalars(
        select(Order.total).where(
            Order.status == OrderStatus.AWAITING_PAYMENT,
            Order.payment_method == PaymentMethod.TRANSFER,
            Order.total.between(base_amount + 1, base_amount + 999),
        )
    ))
    free = [code for code in range(1, 1000) if base_amount + code not in taken]
    return secrets.choice(free) if free else secrets.randbelow(999) + 1


def place_order(
    session: Session,
    lines: list[CartLine],
    *,
    buyer: Buyer,
    address: Address,
    deliveries: dict[int, DeliveryMethod],
    payment_method: PaymentMethod,
    expiry_minutes: dict[PaymentMethod, int],
    now: datetime | None = None,
) -> Order:
    """Place one order split per producer, reserving stock; commits, or raises CheckoutRefused.

    Totals come only from the database prices and the producers' fees, never from the form.
    """
    now = now or utcnow()
    quote = build_quote(session, lines, address=address, deliveries=deliveries, payment_method=payment_method)
    if not quote.parts and not quote.problems:
        raise CheckoutRefused([Problem("empty")])
    if quote.problems:
        raise CheckoutRefused(quote.problems)
    try:
        for part in quote.parts:
            for line in part.lines:
                stock.reserve(session, line.product.id, line.quantity)
        order = _write_order(session, quote, buyer, address, payment_method, expiry_minutes, now)
        session.commit()
    except stock.OutOfStock as exc:
        session.rollback()
        raise CheckoutRefused([Problem("out_of_stock", product_id=exc.product_id)]) from None
    except Exception:
        session.rollback()
        raise
    return order


def _write_order(session, quote, buyer, address, payment_method, expiry_minutes, now) -> Order:
    paid_later = payment_method in (PaymentMethod.CARD, PaymentMethod.TRANSFER)
    unique_code = pick_unique_code(session, quote.total) if payment_method == PaymentMethod.TRANSFER else 0
    minutes = expiry_minutes.get(payment_method)
    order = Order(
        number=next_order_number(session, now),
        buyer_id=buyer.user_id, buyer_name=buyer.name, buyer_email=buyer.email.strip().lower(),
        buyer_phone=buyer.phone, language=buyer.language, access_token=secrets.token_urlsafe(32),
        payment_method=payment_method,
        status=OrderStatus.AWAITING_PAYMENT if paid_later else OrderStatus.PLACED,
        recipient_name=address.recipient_name or buyer.name, street=address.street, desa=address.desa,
        kecamatan=address.kecamatan, regency_code=address.regency_code, regency_name=address.regency_name,
        province_code=address.regency_code[:2], postal_code=address.postal_code,
        subtotal=quote.subtotal, shipping_total=quote.shipping_total, unique_code=unique_code,
        total=quote.total + unique_code, created_at=now,
        expires_at=now + timedelta(minutes=minutes) if paid_later and minutes else None,
    )
    session.add(order)
    part_status = PartStatus.AWAITING_PAYMENT if paid_later else PartStatus.NEW
    for quoted in quote.parts:
        part = SellerOrder(
            order=order, seller_id=quoted.seller.id, status=part_status, delivery_method=quoted.delivery,
            shipping_zone=quote.zone if quoted.delivery == DeliveryMethod.COURIER else None,
            delivery_fee=quoted.delivery_fee, subtotal=quoted.subtotal, created_at=now,
        )
        for line in quoted.lines:
            part.lines.append(OrderLine(
                product_id=line.product.id, product_name=line.product.name, unit=line.product.unit,
                unit_price=line.product.price, quantity=line.quantity, weight_grams=line.product.weight_grams,
            ))
        session.add(part)
        session.add(OrderEvent(order=order, seller_order=part, actor_id=buyer.user_id, actor_role="buyer",
                               from_status="", to_status=part_status.value, created_at=now))
    if payment_method != PaymentMethod.CASH:
        session.add(Payment(order=order, method=payment_method, status=PaymentStatus.PENDING, amount=order.total,
                            created_at=now))
    session.add(OrderEvent(order=order, actor_id=buyer.user_id, actor_role="buyer", from_status="",
                           to_status=order.status.value, created_at=now))
    session.flush()
    return order


def save_delivery_settings(session: Session, seller_id: int, values: dict) -> DeliverySettings:
    """Create or update a producer's delivery options; commits."""
    settings = session.scalar(select(DeliverySettings).where(DeliverySettings.seller_id == seller_id))
    if settings is None:
        settings = DeliverySettings(seller_id=seller_id)
        session.add(settings)
    for name, value in values.items():
        setattr(settings, name, value)
    session.commit()
    return settings
