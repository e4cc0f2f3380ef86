"""Orders: carts, checkouts split per producer, payments, transitions and reviews."""
from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    CheckConstraint, Connection, ForeignKey, Index, Integer, SmallInteger, String, Text, UniqueConstraint, event,
    select, text,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from marketplace.models.base import Base, UTCDateTime, string_enum, utcnow

if TYPE_CHECKING:
    from marketplace.models.accounts import User
    from marketplace.models.catalog import Image, Product
    from marketplace.models.sellers import SellerProfile



class PaymentMethod(str, enum.Enum):
    CARD = "card"
    TRANSFER = "transfer"
    CASH = "cash"


class DeliveryMethod(str, enum.Enum):
    PICKUP = "pickup"
    LOCAL = "local"
    COURIER = "courier"


class ShippingZone(str, enum.Enum):
    BLITAR = "blitar"
    JATIM = "jatim"
    INDONESIA = "indonesia"


class OrderStatus(str, enum.Enum):
    AWAITING_PAYMENT = "awaiting_payment"
    PLACED = "placed"          # cash on delivery / at pickup: fulfilment starts at once
    PAID = "paid"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    REFUNDED = "refunded"


class PartStatus(str, enum.Enum):
    AWAITING_PAYMENT = "awaiting_payment"
    NEW = "new"
    PACKING = "packing"
    SHIPPED = "shipped"
    READY_FOR_PICKUP = "ready_for_pickup"
    DELIVERED = "delivered"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    REFUNDED = "refunded"


class PaymentStatus(str, enum.Enum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    REFUNDED = "refunded"
    PARTIALLY_REFUNDED = "partially_refunded"


class DeliverySettings(Base):
    """What delivery a producer offers and what it costs."""

    __tablename__ = "delivery_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("seller_profiles.id", ondelete="CASCADE"), unique=True)
    offers_pickup: Mapped[bool] = mapped_column(default=True)
    pickup_note: Mapped[str] = mapped_column(String(255), default="")
    offers_local_delivery: Mapped[bool] = mapped_column(default=False)
    local_delivery_fee: Mapped[int] = mapped_column(Integer, default=0)
    offers_courier: Mapped[bool] = mapped_column(default=False)
    # Courier fee per started kilogram, by zone; 0 means "not offered in this zone".
    courier_fee_blitar: Mapped[int] = mapped_column(Integer, default=0)
    courier_fee_jatim: Mapped[int] = mapped_column(Integer, default=0)
    courier_fee_indonesia: Mapped[int] = mapped_column(Integer, default=0)
    offers_cash: Mapped[bool] = mapped_column(default=True)

    seller: Mapped[SellerProfile] = relationship()


class CartItem(Base):
    """A logged-in buyer's cart line (guests keep theirs in the session)."""

    __tablename__ = "cart_items"
    __table_args__ = (UniqueConstraint("user_id", "product_id", name="user_product"),
                      CheckConstraint("quantity > 0", name="quantity_positive"))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    quantity: Mapped[int] = mapped_column(Integer)
    price_seen: Mapped[int] = mapped_column(Integer)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    product: Mapped[Product] = relationship()


class OrderNumberCounter(Base):
    """The last order number issued per year, for PLB-2026-000123 numbers without gaps from races."""

    __tablename__ = "order_number_counters"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(Integer, default=0)


class GuestBuyer(Base):
    """A buyer without an account, known by the normalised e-mail address of their orders.

    Every guest order points to one, so the programme's indicators count buyers by a number
    instead of comparing e-mail text (several times faster over a year of orders).
    """

    __tablename__ = "guest_buyers"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    @staticmethod
    def normalise(email: str) -> str:
        return email.strip().lower()


def guest_buyer_id(connection: Connection, email: str) -> int:
    """The id of the guest buyer with this e-mail address, added when there is none yet.

    Safe when two checkouts of a new guest race: the insert does nothing when the address
    arrived meanwhile (PostgreSQL waits for the other transaction), and the id is read after.
    """
    address = GuestBuyer.normalise(email)
    table = GuestBuyer.__table__
    insert = (postgresql_insert if connection.dialect.name == "postgresql" else sqlite_insert)(table)
    connection.execute(insert.values(email=address, created_at=utcnow()).on_conflict_do_nothing(
        index_elements=[table.c.email]))
    return connection.execute(select(table.c.id).where(table.c.email == address)).scalar_one()


@event.listens_for(Session, "before_flush")
def _check_new_orders(session: Session, _context, _instances) -> None:
    """Whichever code creates orders: give each new guest order its guest buyer, and refuse a
    new part whose subtotal is not the sum of its lines (the indicators rely on it)."""
    for instance in session.new:
        if (isinstance(instance, Order) and instance.guest_buyer_id is None and instance.buyer_id is None
                and instance.buyer is None and instance.buyer_email):
            instance.guest_buyer_id = guest_buyer_id(session.connection(), instance.buyer_email)
        elif isinstance(instance, SellerOrder) and instance.lines:
            lines_total = sum(line.unit_price * line.quantity for line in instance.lines)
            if instance.subtotal != lines_total:
                raise ValueError(f"a part's subtotal {instance.subtotal} is not its lines' {lines_total}")


class Order(Base):
    """One checkout: the buyer, the address, the payment method and the totals.

    `buyer_id` for a buyer with an account, else `guest_buyer_id` (set when the order is flushed).
    """

    __tablename__ = "orders"
    __table_args__ = (
        Index("ix_orders_status_expires_at", "status", "expires_at"),
        CheckConstraint("total >= 0", name="total_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    # active_history: services/sales_summary.py recomputes the buyer a change moved the order from.
    buyer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True,
                                                 active_history=True)
    buyer_name: Mapped[str] = mapped_column(String(120))
    buyer_email: Mapped[str] = mapped_column(String(254), index=True)
    guest_buyer_id: Mapped[int | None] = mapped_column(ForeignKey("guest_buyers.id"), index=True,
                                                       active_history=True)
    buyer_phone: Mapped[str] = mapped_column(String(20))
    language: Mapped[str] = mapped_column(String(5), default="id")
    access_token: Mapped[str] = mapped_column(String(64), unique=True)
    payment_method: Mapped[PaymentMethod] = mapped_column(string_enum(PaymentMethod, "payment_method", 20))
    status: Mapped[OrderStatus] = mapped_column(string_enum(OrderStatus, "order_status", 20), index=True)
    # Delivery address; pickup-only orders may leave the street empty.
    recipient_name: Mapped[str] = mapped_column(String(120), default="")
    street: Mapped[str] = mapped_column(String(255), default="")
    desa: Mapped[str] = mapped_column(String(120), default="")
    kecamatan: Mapped[str] = mapped_column(String(120), default="")
    regency_code: Mapped[str] = mapped_column(String(8), default="")
    regency_name: Mapped[str] = mapped_column(String(120), default="")
    province_code: Mapped[str] = mapped_column(String(4), default="")
    postal_code: Mapped[str] = mapped_column(String(10), default="")
    subtotal: Mapped[int] = mapped_column(Integer)
    shipping_total: Mapped[int] = mapped_column(Integer, default=0)
    unique_code: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    buyer: Mapped[User | None] = relationship()
    parts: Mapped[list[SellerOrder]] = relationship(back_populates="order", order_by="SellerOrder.id",
                                                    cascade="all, delete-orphan")
    payments: Mapped[list[Payment]] = relationship(back_populates="order", order_by="Payment.id")
    events: Mapped[list[OrderEvent]] = relationship(back_populates="order", order_by="OrderEvent.id")


class SellerOrder(Base):
    """One producer's part of an order, with its own delivery and status."""

    __tablename__ = "seller_orders"
    __table_args__ = (
        Index("ix_seller_orders_seller_status", "seller_id", "status"),
        # Paid parts by confirmation time with what the indicators read, so their scans stay in the index.
        Index("ix_seller_orders_confirmed_sales", "payment_confirmed_at", "status", "seller_id", "order_id",
              "delivery_method"),
        # One producer's paid parts by time (statements, a producer's sales page).
        Index("ix_seller_orders_seller_confirmed", "seller_id", "payment_confirmed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    # active_history: services/sales_summary.py recomputes the month and seller a change moved the sale from.
    seller_id: Mapped[int] = mapped_column(ForeignKey("seller_profiles.id"), index=True, active_history=True)
    status: Mapped[PartStatus] = mapped_column(string_enum(PartStatus, "part_status", 20))
    delivery_method: Mapped[DeliveryMethod] = mapped_column(string_enum(DeliveryMethod, "delivery_method", 20))
    shipping_zone: Mapped[ShippingZone | None] = mapped_column(string_enum(ShippingZone, "shipping_zone", 20))
    delivery_fee: Mapped[int] = mapped_column(Integer, default=0)
    # The sum of its lines' quantity x unit price (lines never change after checkout; refunds are
    # recorded on them apart).
    subtotal: Mapped[int] = mapped_column(Integer)
    courier_name: Mapped[str] = mapped_column(String(40), default="")
    tracking_number: Mapped[str] = mapped_column(String(60), default="")
    # When the money for this part was confirmed (card success, transfer confirmed, cash received).
    payment_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), active_history=True)
    cancel_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    order: Mapped[Order] = relationship(back_populates="parts")
    seller: Mapped[SellerProfile] = relationship()
    lines: Mapped[list[OrderLine]] = relationship(back_populates="part", order_by="OrderLine.id",
                                                  cascade="all, delete-orphan")


class OrderLine(Base):
    """A product in a producer's part, with the price and name at the time of ordering."""

    __tablename__ = "order_lines"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),
                      CheckConstraint("refunded_amount >= 0", name="refund_not_negative"),
                      # A part's lines with the sale value's inputs, so sales figures read the index only.
                      Index("ix_order_lines_part_values", "seller_order_id", "product_id", "unit_price", "quantity",
                            "refunded_amount"),
                      # The few refunded lines, so a part's sale value is its subtotal less these, found
                      # without reading every line of the period.
                      Index("ix_order_lines_refunds", "seller_order_id", "refunded_amount",
                            sqlite_where=text("refunded_amount > 0"), postgresql_where=text("refunded_amount > 0")))

    id: Mapped[int] = mapped_column(primary_key=True)
    seller_order_id: Mapped[int] = mapped_column(ForeignKey("seller_orders.id", ondelete="CASCADE"),
                                                 active_history=True)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id", ondelete="SET NULL"), index=True)
    product_name: Mapped[str] = mapped_column(String(140))
    unit: Mapped[str] = mapped_column(String(16))
    unit_price: Mapped[int] = mapped_column(Integer)
    quantity: Mapped[int] = mapped_column(Integer)
    weight_grams: Mapped[int] = mapped_column(Integer, default=0)
    refunded_amount: Mapped[int] = mapped_column(Integer, default=0)

    part: Mapped[SellerOrder] = relationship(back_populates="lines")
    product: Mapped[Product | None] = relationship()

    @property
    def value(self) -> int:
        return self.unit_price * self.quantity - self.refunded_amount


class Payment(Base):
    """Money for an order: a Stripe PaymentIntent, a bank transfer, or cash per part."""

    __tablename__ = "payments"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    method: Mapped[PaymentMethod] = mapped_column(string_enum(PaymentMethod, "payment_method", 20))
    status: Mapped[PaymentStatus] = mapped_column(string_enum(PaymentStatus, "payment_status", 20))
    amount: Mapped[int] = mapped_column(Integer)
    refunded_amount: Mapped[int] = mapped_column(Integer, default=0)
    stripe_payment_intent_id: Mapped[str | None] = mapped_column(String(80), unique=True)
    stripe_fee: Mapped[int | None] = mapped_column(Integer)
    receipt_image_id: Mapped[int | None] = mapped_column(ForeignKey("images.id", ondelete="SET NULL"))
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    order: Mapped[Order] = relationship(back_populates="payments")
    receipt: Mapped[Image | None] = relationship()


class OrderEvent(Base):
    """A state transition of an order or of one producer's part: who, when, from, to, note."""

    __tablename__ = "order_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    seller_order_id: Mapped[int | None] = mapped_column(ForeignKey("seller_orders.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor_role: Mapped[str] = mapped_column(String(16))
    from_status: Mapped[str] = mapped_column(String(20), default="")
    to_status: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    order: Mapped[Order] = relationship(back_populates="events")
    seller_order: Mapped[SellerOrder | None] = relationship()
    actor: Mapped[User | None] = relationship()


class StripeEvent(Base):
    """Each Stripe webhook event id, recorded once so duplicates and replays change nothing."""

    __tablename__ = "stripe_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(String(80), unique=True)
    event_type: Mapped[str] = mapped_column(String(80))
    payment_intent_id: Mapped[str] = mapped_column(String(80), default="", index=True)
    created: Mapped[int] = mapped_column(Integer, default=0)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Review(Base):
    """A buyer's rating (1-5) and words about a product they received, once per order line."""

    __tablename__ = "reviews"
    __table_args__ = (CheckConstraint("rating BETWEEN 1 AND 5", name="rating_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id", ondelete="CASCADE"), unique=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), index=True)
    buyer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    author_name: Mapped[str] = mapped_column(String(120))
    rating: Mapped[int] = mapped_column(SmallInteger)
    body: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
