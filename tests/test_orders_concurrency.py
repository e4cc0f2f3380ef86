"""Racing buyers and racing cron runs, with real concurrent connections on PostgreSQL."""
from datetime import timedelta

import pytest

from marketplace.extensions import db
from marketplace.models import Order, OrderStatus, Product, utcnow
from marketplace.services import checkout, orders
from tests import factories
from tests.concurrency import _postgres_only, in_threads  # noqa: F401  (_postgres_only is an autouse fixture)

pytestmark = pytest.mark.postgres_only



def test_twenty_buyers_racing_for_five_units_get_exactly_five_orders(app, session):
    product = factories.make_product(session, price=20_000, stock=5)
    product_id, seller_id, price = product.id, product.seller_id, product.price

    def buy():
        return checkout.place_order(
            db.session, [checkout.CartLine(product_id, 1, price)],
            buyer=checkout.Buyer("Tamu", "tamu@example.id", "+6281234567890"),
            address=checkout.Address(regency_code="35.05"),
            deliveries={seller_id: checkout.DeliveryMethod.PICKUP},
            payment_method=checkout.PaymentMethod.CASH, expiry_minutes={},
        ).number

    numbers, errors = in_threads(app, 20, buy)

    assert len(numbers) == 5
    assert len(set(numbers)) == 5
    assert len(errors) == 15
    assert all(isinstance(e, checkout.CheckoutRefused) and e.problems[0].code == "out_of_stock" for e in errors)
    session.expire_all()
    assert session.get(Product, product_id).stock == 0
    assert session.query(Order).count() == 5


def test_two_expiry_runs_at_once_release_stock_once(app, session):
    product = factories.make_product(session, price=20_000, stock=5)
    for _ in range(3):
        factories.place_order(session, [(product, 1)], payment="card")
    later = utcnow() + timedelta(minutes=31)

    counts, errors = in_threads(app, 2, lambda: orders.expire_orders(db.session, now=later))

    assert errors == []
    assert sorted(i for ids in counts for i in ids) == sorted(o.id for o in session.query(Order))
    session.expire_all()
    assert session.get(Product, product.id).stock == 5
    assert session.query(Order).filter_by(status=OrderStatus.EXPIRED).count() == 3
