"""The sales history shared by the sales page and statement tests, and the statement's canonical figures.

The history (January-February 2026, WIB):

Producer `seller` (Anyaman Bu Sri):
  online  2026-01-10 10:00 WIB  Tas x2 by transfer                 100.000
  online  2026-02-01 01:00 WIB  Sambal x1 paid cash (Jan 31 UTC)    20.000
  online  2026-01-20            Tas x1, cancelled                   excluded
  offline 2026-01-05            no product                          15.000
  offline 2026-02-03            Sambal x2                           30.000
So: January 115.000 (2 transactions), February 50.000 (2), total 165.000 (4).
The other producer sells 70.000 online on 2026-01-12: never on our producer's figures.
The buyer's name, e-mail and phone must never appear on a statement.
"""
from __future__ import annotations

from datetime import UTC, date, datetime
from itertools import count

import pytest
from sqlalchemy import func, select

from marketplace.models import (
    AuditLog,
    DeliveryMethod,
    Order,
    OrderLine,
    OrderStatus,
    PartStatus,
    PaymentMethod,
    SellerOrder,
    StatementIssue,
)
from marketplace.services import offline_sales, statements
from marketplace.services.indicators import Filters, Period, breakdown, indicators
from tests import factories

BUYER_NAME = "Pembeli Rahasia"
BUYER_EMAIL = "rahasia@example.id"
BUYER_PHONE = "+6281299998888"
_numbers = count(1)


def paid_order(session, seller, product, quantity, confirmed, *, method=PaymentMethod.TRANSFER,
               status=PartStatus.NEW) -> Order:
    n = next(_numbers)
    order = Order(number=f"PLB-S-{n:06d}", buyer_name=BUYER_NAME, buyer_email=BUYER_EMAIL, buyer_phone=BUYER_PHONE,
                  access_token=f"statement-token-{n}", payment_method=method, status=OrderStatus.PAID,
                  regency_code="35.05", subtotal=0, total=0, paid_at=confirmed, street="Jl. Rahasia 7")
    part = SellerOrder(seller_id=seller.id, status=status, delivery_method=DeliveryMethod.PICKUP,
                       subtotal=product.price * quantity, delivery_fee=0, payment_confirmed_at=confirmed)
    part.lines.append(OrderLine(product_id=product.id, product_name=product.name, unit=product.unit,
                                unit_price=product.price, quantity=quantity, refunded_amount=0))
    order.parts.append(part)
    session.add(order)
    session.commit()
    return order


def build(session, seller, other_seller, officer) -> dict:
    bag = factories.make_product(session, seller=seller, name="Tas", price=50_000)
    sambal = factories.make_product(session, seller=seller, name="Sambal", price=20_000)
    rice = factories.make_product(session, seller=other_seller, name="Beras Organik", price=70_000)
    paid_order(session, seller, bag, 2, datetime(2026, 1, 10, 3, tzinfo=UTC))
    paid_order(session, seller, sambal, 1, datetime(2026, 1, 31, 18, tzinfo=UTC), method=PaymentMethod.CASH)
    paid_order(session, seller, bag, 1, datetime(2026, 1, 20, 3, tzinfo=UTC), status=PartStatus.CANCELLED)
    paid_order(session, other_seller, rice, 1, datetime(2026, 1, 12, 3, tzinfo=UTC))
    for day, value, product, quantity in ((date(2026, 1, 5), 15_000, None, None),
                                          (date(2026, 2, 3), 30_000, sambal, 2)):
        offline_sales.record_sale(
            session, actor_id=officer.id, seller=seller, today=date(2026, 3, 1),
            data=offline_sales.SaleInput(sale_date=day, value=value, product_id=product.id if product else None,
                                         quantity=quantity))
    return {"bag": bag, "sambal": sambal, "rice": rice}


# ---- the dataset itself, and the canonical figures a statement certifies -----------------------

JAN_FEB = Period(date(2026, 1, 1), date(2026, 2, 28))


@pytest.fixture
def history(session, seller, other_seller, officer):
    return build(session, seller, other_seller, officer)


def test_the_dataset_gives_the_documented_figures(session, seller, history):
    figures = indicators(session, JAN_FEB, Filters(seller_id=seller.id))
    assert (figures.gmv, figures.transactions) == (165_000, 4)
    assert figures.gmv_by_channel == {"online": 120_000, "offline": 45_000}


def test_statement_lines_add_up_to_the_monthly_rows_of_the_indicator_engine(session, seller, history):
    data = statements.statement_data(session, seller, JAN_FEB)
    months = breakdown(session, JAN_FEB, Filters(seller_id=seller.id), "month")
    assert data.months == months
    by_month: dict[str, int] = {}
    for line in data.lines:
        by_month[line.day.strftime("%Y-%m")] = by_month.get(line.day.strftime("%Y-%m"), 0) + line.value
    assert by_month == {row.key: row.gmv for row in months.rows} == {"2026-01": 115_000, "2026-02": 50_000}
    assert [(line.day, line.channel, line.method, line.value) for line in data.lines] == [
        (date(2026, 1, 5), "offline", "in_person", 15_000),
        (date(2026, 1, 10), "online", "transfer", 100_000),
        (date(2026, 2, 1), "online", "cash", 20_000),
        (date(2026, 2, 3), "offline", "in_person", 30_000),
    ]
    canonical = data.canonical()
    assert canonical["total"] == [165_000, 120_000, 45_000, 4]
    assert canonical["ledger"]["sales_cash"] == 20_000


def test_the_hash_changes_when_a_figure_changes(session, seller, history, officer):
    before = statements.statement_data(session, seller, JAN_FEB).sha256()
    assert statements.statement_data(session, seller, JAN_FEB).sha256() == before
    offline_sales.record_sale(session, actor_id=officer.id, seller=seller, today=date(2026, 3, 1),
                              data=offline_sales.SaleInput(sale_date=date(2026, 2, 10), value=1_000))
    assert statements.statement_data(session, seller, JAN_FEB).sha256() != before


@pytest.mark.parametrize("first, last, code", [
    ("2026-02", "2026-01", "end_before_start"),
    ("2026-13", "2026-12", "invalid_month"),
    ("januari", "2026-02", "invalid_month"),
    ("", "2026-02", "invalid_month"),
    ("2024-01", "2026-01", "too_long"),
])
def test_bad_month_ranges_are_refused(first, last, code):
    with pytest.raises(statements.StatementError) as caught:
        statements.month_range(first, last)
    assert caught.value.code == code


def test_a_month_range_covers_whole_months():
    assert statements.month_range("2024-02", "2024-02") == Period(date(2024, 2, 1), date(2024, 2, 29))
    assert statements.month_range(" 2025-12 ", "2026-01") == Period(date(2025, 12, 1), date(2026, 1, 31))


def test_codes_are_long_and_unambiguous():
    codes = {statements.new_code() for _ in range(50)}
    assert len(codes) == 50
    assert all(len(code) == 12 and not set(code) & set("01OI") for code in codes)


def test_a_statement_that_cannot_be_rendered_is_not_recorded_as_issued(session, seller, history):
    def broken(issue, data):
        raise RuntimeError("printer on fire")

    with pytest.raises(RuntimeError):
        statements.issue_statement(session, seller, JAN_FEB, issued_by_id=seller.user_id, render=broken)
    assert session.scalar(select(func.count(StatementIssue.id))) == 0
    assert session.scalar(select(func.count(AuditLog.id)).where(AuditLog.action == "statement.issued")) == 0
    issue, pdf = statements.issue_statement(session, seller, JAN_FEB, issued_by_id=seller.user_id,
                                            render=lambda issue, data: f"{issue.code}:{data.months.total.gmv}".encode())
    assert pdf == f"{issue.code}:165000".encode()
    assert session.scalar(select(func.count(StatementIssue.id))) == 1
