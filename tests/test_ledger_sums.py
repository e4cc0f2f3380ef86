"""The producers' ledger: credits on payment, reversals on refunds and cancellations, commission
rounding, holds, and statement figures, checked against hand-computed rupiah."""
from datetime import UTC, date, datetime, timedelta

import pytest

from marketplace.formatting import to_wib
from marketplace.models import EntryKind, LedgerEntry, PartStatus, SellerOrder, utcnow
from marketplace.services import ledger, orders, payments, payouts
from marketplace.services.order_states import OFFICER, SELLER
from tests import factories


@pytest.fixture
def seller_with_bank(session):
    return factories.make_seller(session, shop_name="Anyaman Bu Sri", bank_name="Bank Jatim",
                                 bank_account_number="0012345678", bank_account_holder="Sri Wahyuni")


def paid_order(session, product, quantity, *, method="transfer"):
    order = factories.place_order(session, [(product, quantity)], payment=method)
    if method != "cash":
        orders.confirm_payment(session, order.id, actor_id=None, actor_role=OFFICER)
    return order


def set_rate(session, bps, hold=False, minimum=0):
    ledger.save_settings(session, commission_bps=bps, hold_until_delivered=hold, payout_minimum=minimum,
                         actor_id=None)
    session.commit()


def no_stripe():
    return payments.StripeSettings(None, None, None, "http://127.0.0.1:9", 10_000)


def test_commission_is_rounded_half_up_to_whole_rupiah():
    assert ledger.commission_on(12_345, 250) == 309       # 308.625
    assert ledger.commission_on(10_020, 250) == 251       # 250.5 rounds up
    assert ledger.commission_on(10_019, 250) == 250       # 250.475
    assert ledger.commission_on(100_000, 0) == 0


def test_a_confirmed_transfer_credits_the_sale_less_commission_with_the_rate_recorded(session, seller_with_bank):
    set_rate(session, 250)
    product = factories.make_product(session, seller=seller_with_bank, price=12_345, stock=10)

    paid_order(session, product, 1)

    entry = session.query(LedgerEntry).one()
    assert (entry.kind, entry.gross, entry.commission, entry.commission_bps, entry.amount) == \
        (EntryKind.SALE, 12_345, 309, 250, 12_036)
    assert ledger.balance(session, seller_with_bank.id).available == 12_036


def test_confirming_twice_credits_once(session, seller_with_bank):
    product = factories.make_product(session, seller=seller_with_bank, price=50_000)
    order = paid_order(session, product, 2)

    orders.confirm_payment(session, order.id, actor_id=None, actor_role=OFFICER)

    assert session.query(LedgerEntry).count() == 1
    assert ledger.balance(session, seller_with_bank.id).total == 100_000   # 0% commission by default


def test_cash_sales_are_the_producers_own_money_and_not_in_the_ledger(session, seller_with_bank):
    product = factories.make_product(session, seller=seller_with_bank, price=30_000)
    order = paid_order(session, product, 1, method="cash")
    orders.record_cash_received(session, order.parts[0].id, actor_id=seller_with_bank.user_id)

    assert session.query(LedgerEntry).count() == 0
    today = to_wib(utcnow()).date()
    figures = ledger.statement_figures(session, seller_with_bank.id, today, today)
    assert (figures.sales_value, figures.sales_cash, figures.sales_via_marketplace, figures.closing_balance) == \
        (30_000, 30_000, 0, 0)


def test_sales_partial_refund_cancellation_and_payout_sum_to_hand_computed_figures(session, seller_with_bank):
    set_rate(session, 250)
    bags = factories.make_product(session, seller=seller_with_bank, price=50_000, stock=10)
    officer = factories.make_user(session, role=factories.Role.OFFICER)

    first = paid_order(session, bags, 2)      # 100.000, commission 2.500 -> 97.500
    second = paid_order(session, bags, 1)     # 50.000, commission 1.250 -> 48.750
    third = paid_order(session, bags, 1)      # 50.000 -> 48.750, then cancelled
    assert ledger.balance(session, seller_with_bank.id).total == 97_500 + 48_750 + 48_750

    part = session.get(SellerOrder, first.parts[0].id)
    payments.refund_part(session, part, amount=20_000, actor_id=officer.id, settings=no_stripe(), reason="rusak")
    # goods 80.000 now: commission 2.000, so 500 of commission comes back: -20.000 + 500
    reversal = session.query(LedgerEntry).filter_by(kind=EntryKind.REVERSAL).one()
    assert (reversal.gross, reversal.commission, reversal.amount) == (-20_000, -500, -19_500)

    payments.cancel_part(session, third.parts[0].id, actor_role=OFFICER, actor_id=officer.id, reason="habis",
                         settings=no_stripe())
    owed = 78_000 + 48_750
    assert ledger.balance(session, seller_with_bank.id).total == owed
    assert ledger.balance(session, seller_with_bank.id).available == owed

    result = payouts.create_batch(session, actor_id=officer.id, seller_ids=[seller_with_bank.id])
    assert [p.amount for p in result.created] == [owed]
    assert ledger.balance(session, seller_with_bank.id).total == 0

    assert sum(e.commission for e in session.query(LedgerEntry)) == 2_000 + 1_250   # third: 1.250 given back
    assert ledger.balance(session, seller_with_bank.id).total == 0 and second.parts[0].status == PartStatus.NEW


def test_refunding_everything_gives_back_all_commission(session, seller_with_bank):
    set_rate(session, 333)
    product = factories.make_product(session, seller=seller_with_bank, price=10_001)
    order = paid_order(session, product, 3)    # 30.003 at 3.33% = 999.0999 -> 999
    officer = factories.make_user(session, role=factories.Role.OFFICER)
    part = session.get(SellerOrder, order.parts[0].id)

    payments.refund_part(session, part, amount=10_000, actor_id=officer.id, settings=no_stripe())
    payments.refund_part(session, part, amount=20_003, actor_id=officer.id, settings=no_stripe())

    entries = session.query(LedgerEntry).all()
    assert sum(e.amount for e in entries) == 0
    assert sum(e.commission for e in entries) == 0


def test_a_producers_own_rate_overrides_the_marketplace_rate(session, seller_with_bank):
    set_rate(session, 500)
    admin = factories.make_user(session, role=factories.Role.ADMIN)
    payouts.set_commission_override(session, seller_with_bank, 100, actor_id=admin.id)
    product = factories.make_product(session, seller=seller_with_bank, price=40_000)

    paid_order(session, product, 1)

    entry = session.query(LedgerEntry).one()
    assert (entry.commission_bps, entry.commission, entry.amount) == (100, 400, 39_600)


def test_held_until_delivered_moves_to_available_on_delivery(session, seller_with_bank):
    set_rate(session, 0, hold=True)
    product = factories.make_product(session, seller=seller_with_bank, price=25_000)
    order = paid_order(session, product, 2)
    part_id = order.parts[0].id

    before = ledger.balance(session, seller_with_bank.id)
    assert (before.total, before.pending, before.available) == (50_000, 50_000, 0)

    user_id = seller_with_bank.user_id
    for status in (PartStatus.PACKING, PartStatus.READY_FOR_PICKUP, PartStatus.DELIVERED):
        orders.advance_part(session, part_id, status, actor_role=SELLER, actor_id=user_id)

    after = ledger.balance(session, seller_with_bank.id)
    assert (after.total, after.pending, after.available) == (50_000, 0, 50_000)


def test_statement_figures_split_a_period_by_wib_dates(session, seller_with_bank):
    set_rate(session, 1_000)
    product = factories.make_product(session, seller=seller_with_bank, price=20_000, stock=10)
    officer = factories.make_user(session, role=factories.Role.OFFICER)

    # 16:59 UTC on 30 Nov is 23:59 WIB on 30 Nov; 17:01 UTC is already 1 Dec in WIB.
    late_november = datetime(2026, 11, 30, 16, 59, tzinfo=UTC)
    early_december = datetime(2026, 11, 30, 17, 1, tzinfo=UTC)
    for moment in (late_november, early_december):
        order = factories.place_order(session, [(product, 1)], payment="transfer", now=moment - timedelta(minutes=5))
        orders.confirm_payment(session, order.id, actor_id=officer.id, actor_role=OFFICER, now=moment)
    payouts.create_batch(session, actor_id=officer.id, seller_ids=[seller_with_bank.id],
                         now=datetime(2026, 12, 2, 3, 0, tzinfo=UTC))

    november = ledger.statement_figures(session, seller_with_bank.id, date(2026, 11, 1), date(2026, 11, 30))
    december = ledger.statement_figures(session, seller_with_bank.id, date(2026, 12, 1), date(2026, 12, 31))

    assert (november.sales_value, november.credited, november.commission, november.closing_balance) == \
        (20_000, 18_000, 2_000, 18_000)
    assert (december.opening_balance, december.credited, december.paid_out, december.closing_balance) == \
        (18_000, 18_000, -36_000, 0)


def test_card_sales_are_credited_and_officers_see_commission_net_of_stripe_fees(session, seller_with_bank):
    set_rate(session, 500)
    product = factories.make_product(session, seller=seller_with_bank, price=60_000)
    order = factories.place_order(session, [(product, 1)], payment="card")

    orders.confirm_payment(session, order.id, actor_id=None, actor_role=OFFICER, stripe_fee=2_100)

    assert ledger.balance(session, seller_with_bank.id).total == 57_000   # the producer pays only the 5%
    assert ledger.commission_totals(session) == ledger.CommissionTotals(commission=3_000, stripe_fees=2_100, net=900)
