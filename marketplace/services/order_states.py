"""The order state machine, in one place: which transitions exist and who may make them.

A producer's part of an order moves through PartStatus; the order's own status follows
from its parts and its payment (see `derive_order_status`). Every transition is stored
as an OrderEvent with who, when, from, to and a note.
"""
from __future__ import annotations

from marketplace.models.orders import DeliveryMethod, OrderStatus, PartStatus, PaymentMethod

BUYER = "buyer"
SELLER = "seller"
OFFICER = "officer"
SYSTEM = "system"

P = PartStatus

# (from, to) -> the actors who may make that transition.
PART_TRANSITIONS: dict[tuple[PartStatus, PartStatus], frozenset[str]] = {
    (P.AWAITING_PAYMENT, P.NEW): frozenset({SYSTEM, SELLER, OFFICER}),
    (P.AWAITING_PAYMENT, P.CANCELLED): frozenset({BUYER, SYSTEM, OFFICER}),
    (P.NEW, P.PACKING): frozenset({SELLER}),
    (P.NEW, P.CANCELLED): frozenset({BUYER, SELLER, OFFICER}),
    (P.PACKING, P.SHIPPED): frozenset({SELLER}),
    (P.PACKING, P.READY_FOR_PICKUP): frozenset({SELLER}),
    (P.PACKING, P.CANCELLED): frozenset({BUYER, SELLER, OFFICER}),
    (P.SHIPPED, P.DELIVERED): frozenset({SELLER, BUYER}),
    (P.READY_FOR_PICKUP, P.DELIVERED): frozenset({SELLER, BUYER}),
    (P.SHIPPED, P.COMPLETED): frozenset({BUYER}),
    (P.READY_FOR_PICKUP, P.COMPLETED): frozenset({BUYER}),
    (P.DELIVERED, P.COMPLETED): frozenset({BUYER, SYSTEM, OFFICER}),
    (P.CANCELLED, P.REFUNDED): frozenset({SELLER, OFFICER, SYSTEM}),
    (P.DELIVERED, P.REFUNDED): frozenset({OFFICER}),
    (P.COMPLETED, P.REFUNDED): frozenset({OFFICER}),
}

OPEN_PART_STATUSES = frozenset({P.AWAITING_PAYMENT, P.NEW, P.PACKING, P.SHIPPED, P.READY_FOR_PICKUP, P.DELIVERED})
CANCELLABLE_BY_BUYER = frozenset({P.AWAITING_PAYMENT, P.NEW, P.PACKING})


class TransitionRefused(ValueError):
    """The transition does not exist, or this actor may not make it; `code` says which."""

    def __init__(self, code: str, from_status: PartStatus, to_status: PartStatus):
        super().__init__(f"{code}: {from_status.value} -> {to_status.value}")
        self.code = code
        self.from_status = from_status
        self.to_status = to_status


def check_part_transition(from_status: PartStatus, to_status: PartStatus, actor: str,
                          delivery: DeliveryMethod | None = None) -> None:
    """Raise TransitionRefused unless `actor` may move a part from one status to the other."""
    allowed = PART_TRANSITIONS.get((from_status, to_status))
    if allowed is None:
        raise TransitionRefused("not_allowed", from_status, to_status)
    if actor not in allowed:
        raise TransitionRefused("forbidden", from_status, to_status)
    if delivery is not None:
        if to_status == P.READY_FOR_PICKUP and delivery != DeliveryMethod.PICKUP:
            raise TransitionRefused("wrong_delivery", from_status, to_status)
        if to_status == P.SHIPPED and delivery == DeliveryMethod.PICKUP:
            raise TransitionRefused("wrong_delivery", from_status, to_status)


def allowed_targets(from_status: PartStatus, actor: str, delivery: DeliveryMethod | None = None) -> list[PartStatus]:
    """The statuses `actor` may move a part to next (for buttons in the pages)."""
    targets = []
    for (source, target), actors in PART_TRANSITIONS.items():
        if source != from_status or actor not in actors:
            continue
        try:
            check_part_transition(source, target, actor, delivery)
        except TransitionRefused:
            continue
        targets.append(target)
    return targets


def derive_order_status(current: OrderStatus, method: PaymentMethod, part_statuses: list[PartStatus],
                        paid: bool) -> OrderStatus:
    """The order's status from its parts and its payment."""
    statuses = set(part_statuses)
    if statuses <= {P.CANCELLED, P.REFUNDED}:
        if current == OrderStatus.EXPIRED:
            return OrderStatus.EXPIRED
        if P.REFUNDED in statuses:
            return OrderStatus.REFUNDED
        return OrderStatus.CANCELLED
    if statuses <= {P.COMPLETED, P.CANCELLED, P.REFUNDED}:
        return OrderStatus.COMPLETED
    if method == PaymentMethod.CASH:
        return OrderStatus.PLACED
    return OrderStatus.PAID if paid else OrderStatus.AWAITING_PAYMENT
