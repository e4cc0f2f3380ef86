"""Two officers paying the same producer at the same moment make one payout (real concurrent
connections on PostgreSQL)."""
import threading

import pytest

from marketplace.extensions import db
from marketplace.models import LedgerEntry, Payout
from marketplace.services import ledger, orders, payouts
from marketplace.services.order_states import OFFICER
from tests import factories
from tests.concurrency import _postgres_only, in_threads  # noqa: F401  (_postgres_only is an autouse fixture)

pytestmark = pytest.mark.postgres_only



def test_officers_paying_the_same_balance_at_once_make_one_payout(app, session):
    seller = factories.make_seller(session, bank_name="BRI", bank_account_number="1234567890",
                                   bank_account_holder="Ibu Sri")
    product = factories.make_product(session, seller=seller, price=80_000)
    order = factories.place_order(session, [(product, 1)], payment="transfer")
    orders.confirm_payment(session, order.id, actor_id=None, actor_role=OFFICER)
    officers = [factories.make_user(session, role=factories.Role.OFFICER).id for _ in range(6)]
    seller_id = seller.id
    turn = iter(officers)
    lock = threading.Lock()

    def pay():
        with lock:
            officer_id = next(turn)
        return payouts.create_batch(db.session, actor_id=officer_id, seller_ids=[seller_id])

    results, errors = in_threads(app, len(officers), pay)

    assert errors == []
    assert sum(len(r.created) for r in results) == 1
    session.expire_all()
    assert session.query(Payout).count() == 1
    assert session.query(LedgerEntry).filter_by(payout_id=session.query(Payout).one().id).count() == 1
    assert ledger.balance(session, seller_id).total == 0
