"""Racing buyers and racing cron runs, with real concurrent connections on PostgreSQL."""
import threading
from datetime import timedelta

import pytest

from marketplace.extensions import db
from marketplace.models import Order, OrderStatus, Product, utcnow
from marketplace.services import checkout, orders
from tests import factories

pytestmark = pytest.mark.postgres_only


@pytest.fixture(autouse=True)
def _postgres_only(app):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("real concurrent connections need PostgreSQL (set TEST_DATABASE_URL)")


def _in_threads(app, count, work):
    """Run work() in `count` threads, each with its own app context and connection, started together."""
    barrier = threading.Barrier(count)
    results, errors = [], []

    def run():
        with app.app_context():
            barrier.wait()
            try:
                results.append(work())
            except Exception as exc:  # collected and asserted on by the test
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results, errors


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

    numbers, errors = _in_threads(app, 20, buy)

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

    counts, errors = _in_threads(app, 2, lambda: orders.expire_orders(db.session, now=later))

    assert errors == []
    assert sorted(i for ids in counts for i in ids) == sorted(o.id for o in session.query(Order))
    session.expire_all()
    assert session.get(Product, product.id).stock == 5
    assert session.query(Order).filter_by(status=OrderStatus.EXPIRED).count() == 3
