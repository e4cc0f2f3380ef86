"""Every part transition, for every actor: the state machine allows exactly what the table
below says (written out here as the rule, not read from the code), and refuses all else."""
from itertools import product

import pytest

from marketplace.models import DeliveryMethod, PartStatus
from marketplace.services.order_states import (
    BUYER, OFFICER, SELLER, SYSTEM, TransitionRefused, check_part_transition,
)

P = PartStatus
ACTORS = (BUYER, SELLER, OFFICER, SYSTEM)

EXPECTED = {
    # paid (transfer confirmed by a producer or officer, card by the system), or cancelled unpaid
    (P.AWAITING_PAYMENT, P.NEW): {SYSTEM, SELLER, OFFICER},
    (P.AWAITING_PAYMENT, P.CANCELLED): {BUYER, SYSTEM, OFFICER},
    # the producer fulfils; anyone but the system may cancel before it leaves
    (P.NEW, P.PACKING): {SELLER},
    (P.NEW, P.CANCELLED): {BUYER, SELLER, OFFICER},
    (P.PACKING, P.SHIPPED): {SELLER},
    (P.PACKING, P.READY_FOR_PICKUP): {SELLER},
    (P.PACKING, P.CANCELLED): {BUYER, SELLER, OFFICER},
    # arrival is told by either side; only the buyer completes early
    (P.SHIPPED, P.DELIVERED): {SELLER, BUYER},
    (P.READY_FOR_PICKUP, P.DELIVERED): {SELLER, BUYER},
    (P.SHIPPED, P.COMPLETED): {BUYER},
    (P.READY_FOR_PICKUP, P.COMPLETED): {BUYER},
    (P.DELIVERED, P.COMPLETED): {BUYER, SYSTEM, OFFICER},
    # money back: after a cancellation, or by an officer after delivery
    (P.CANCELLED, P.REFUNDED): {SELLER, OFFICER, SYSTEM},
    (P.DELIVERED, P.REFUNDED): {OFFICER},
    (P.COMPLETED, P.REFUNDED): {OFFICER},
}

ALL_MOVES = [(source, target, actor) for source, target in product(P, P) for actor in ACTORS]


@pytest.mark.parametrize(("source", "target", "actor"), ALL_MOVES,
                         ids=[f"{s.value}->{t.value}-by-{a}" for s, t, a in ALL_MOVES])
def test_each_transition_is_allowed_only_to_its_actors(source, target, actor):
    allowed = EXPECTED.get((source, target))
    if allowed and actor in allowed:
        check_part_transition(source, target, actor)
        return
    with pytest.raises(TransitionRefused) as refused:
        check_part_transition(source, target, actor)
    assert refused.value.code == ("forbidden" if allowed else "not_allowed")


@pytest.mark.parametrize(("target", "delivery", "ok"), [
    (P.SHIPPED, DeliveryMethod.COURIER, True),
    (P.SHIPPED, DeliveryMethod.LOCAL, True),
    (P.SHIPPED, DeliveryMethod.PICKUP, False),
    (P.READY_FOR_PICKUP, DeliveryMethod.PICKUP, True),
    (P.READY_FOR_PICKUP, DeliveryMethod.COURIER, False),
    (P.READY_FOR_PICKUP, DeliveryMethod.LOCAL, False),
])
def test_shipping_and_pickup_follow_the_chosen_delivery(target, delivery, ok):
    if ok:
        check_part_transition(P.PACKING, target, SELLER, delivery)
        return
    with pytest.raises(TransitionRefused) as refused:
        check_part_transition(P.PACKING, target, SELLER, delivery)
    assert refused.value.code == "wrong_delivery"
