"""Human words for order states, delivery methods and timeline entries, in the reader's language."""
from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from marketplace.models import DeliveryMethod, OrderEvent, OrderStatus, PartStatus, PaymentMethod
from marketplace.services.orders import refund_in

ORDER_STATUS = {
    OrderStatus.AWAITING_PAYMENT: _l("Waiting for payment"),
    OrderStatus.PLACED: _l("Ordered (pay on delivery or pickup)"),
    OrderStatus.PAID: _l("Paid"),
    OrderStatus.COMPLETED: _l("Completed"),
    OrderStatus.CANCELLED: _l("Cancelled"),
    OrderStatus.EXPIRED: _l("Expired without payment"),
    OrderStatus.REFUNDED: _l("Refunded"),
}
PART_STATUS = {
    PartStatus.AWAITING_PAYMENT: _l("Waiting for payment"),
    PartStatus.NEW: _l("New"),
    PartStatus.PACKING: _l("Being packed"),
    PartStatus.SHIPPED: _l("Sent"),
    PartStatus.READY_FOR_PICKUP: _l("Ready for pickup"),
    PartStatus.DELIVERED: _l("Delivered"),
    PartStatus.COMPLETED: _l("Completed"),
    PartStatus.CANCELLED: _l("Cancelled"),
    PartStatus.REFUNDED: _l("Refunded"),
}
DELIVERY = {
    DeliveryMethod.PICKUP: _l("Pickup at the producer"),
    DeliveryMethod.LOCAL: _l("Delivery by the producer"),
    DeliveryMethod.COURIER: _l("Courier"),
}
PAYMENT = {
    PaymentMethod.CARD: _l("Card"),
    PaymentMethod.TRANSFER: _l("Bank transfer"),
    PaymentMethod.CASH: _l("Cash on delivery / at pickup"),
}
_ALL_STATUS_WORDS = {s.value: label for s, label in {**ORDER_STATUS, **PART_STATUS}.items()}


def event_label(event: OrderEvent) -> str:
    if event.from_status == event.to_status and event.note == "cash received":
        return str(_l("Cash received by the producer"))
    if refund_in(event) is not None:
        return str(_l("Money refunded"))
    return str(_ALL_STATUS_WORDS.get(event.to_status, event.to_status))


def init_labels(app: Flask) -> None:
    app.add_template_global(lambda status: str(ORDER_STATUS.get(status, status)), "order_status_label")
    app.add_template_global(lambda status: str(PART_STATUS.get(status, status)), "part_status_label")
    app.add_template_global(lambda method: str(DELIVERY.get(method, method)), "delivery_label")
    app.add_template_global(lambda method: str(PAYMENT.get(method, method)), "payment_label")
    app.add_template_global(event_label, "event_label")
