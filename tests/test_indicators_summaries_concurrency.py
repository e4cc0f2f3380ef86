"""The sales summaries stay exact when sales of the same producer and buyer are recorded at the
same moment in concurrent transactions (PostgreSQL)."""
from datetime import date

from marketplace.extensions import db
from marketplace.models import MonthlySellerSales, Order, PaidPartLink, SellerProfile
from marketplace.services import offline_sales, payments
from marketplace.services.order_states import OFFICER
from tests import factories
from tests.concurrency import _postgres_only, in_threads  # noqa: F401  (_postgres_only is an autouse fixture)
from tests.test_indicators_summaries import assert_exact


def test_payments_confirmed_at_once_each_count_once(app, session, officer):
    seller = factories.make_seller(session)
    product = factories.make_product(session, seller=seller, price=15_000, stock=100)
    buyer = factories.make_user(session, name="Pembeli Setia")
    order_ids = [factories.place_order(session, [(product, 1)], buyer_user=buyer).id for _ in range(6)]
    officer_id = officer.id

    def confirm():
        order_id = order_ids.pop()
        return payments.confirm_transfer(db.session, db.session.get(Order, order_id), actor_id=officer_id,
                                         actor_role=OFFICER)

    results, errors = in_threads(app, 6, confirm)

    assert errors == [] and results == [True] * 6
    session.expire_all()
    cells = session.query(MonthlySellerSales).filter_by(seller_id=seller.id).all()
    assert sum(cell.online_transactions for cell in cells) == 6
    assert sum(cell.online_value for cell in cells) == 6 * 15_000
    assert session.query(PaidPartLink).filter(PaidPartLink.prev_buyer_at.is_(None)).count() == 1
    assert_exact(session)


def test_offline_sales_recorded_at_once_each_count_once(app, session, officer):
    seller = factories.make_seller(session)
    seller_id, officer_id = seller.id, officer.id

    def record():
        producer = db.session.get(SellerProfile, seller_id)
        return offline_sales.record_sale(db.session, actor_id=officer_id, seller=producer, today=date(2026, 3, 15),
                                         data=offline_sales.SaleInput(sale_date=date(2026, 3, 1), value=10_000)).id

    results, errors = in_threads(app, 6, record)

    assert errors == [] and len(results) == 6
    session.expire_all()
    cell = session.get(MonthlySellerSales, ("2026-03", seller_id))
    assert (cell.offline_value, cell.offline_transactions) == (60_000, 6)
    assert_exact(session)
