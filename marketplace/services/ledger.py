"""The producers' ledger: what the marketplace owes each producer, in whole rupiah.

Card and transfer money lands with the operator; each producer's share is credited when
the payment is confirmed, reversed for refunds and cancellations, and debited by payouts.
Entries are only ever added; every balance is a sum of entries.

Commission: a rate in basis points (250 = 2.5%) on the goods value of a sale (delivery fees
go to the producer in full), rounded to whole rupiah half-up (Rp 12.345 at 2.5% = 308.625
-> Rp 309). The rate in force is recorded on the sale entry; a refund gives back the
difference between the commission on the goods value before and after it, so after any
refunds the commission is always exactly the rate applied to what was finally sold.
Cash sales (cash on delivery, pay at pickup) go to the producer directly and are not here.

Every function adds to the caller's transaction; callers commit.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from marketplace.formatting import WIB
from marketplace.models import (
    EntryKind,
    LedgerEntry,
    MarketplaceSettings,
    Order,
    OrderLine,
    PartStatus,
    Payment,
    PaymentMethod,
    PaymentStatus,
    SellerOrder,
    SellerProfile,
    utcnow,
)

SETTINGS_ID = 1
BPS = 10_000
MARKETPLACE_METHODS = (PaymentMethod.CARD, PaymentMethod.TRANSFER)
# Money of a cancelled part belongs to the buyer until it is refunded; never pay it out.
ALWAYS_HELD = (PartStatus.CANCELLED,)
# With "hold until delivered" on, a sale is paid out only once the goods reached the buyer.
UNDELIVERED = (PartStatus.AWAITING_PAYMENT, PartStatus.NEW, PartStatus.PACKING, PartStatus.SHIPPED,
               PartStatus.READY_FOR_PICKUP)


@dataclass(frozen=True)
class Settings:
    commission_bps: int = 0
    hold_until_delivered: bool = False
    payout_minimum: int = 0


def get_settings(session: Session) -> Settings:
    """The operator's settlement settings (defaults until an admin saves them: 0%, no hold, no minimum)."""
    row = session.get(MarketplaceSettings, SETTINGS_ID)
    if row is None:
        return Settings()
    return Settings(row.commission_bps, row.hold_until_delivered, row.payout_minimum)


def save_settings(session: Session, *, commission_bps: int, hold_until_delivered: bool, payout_minimum: int,
                  actor_id: int | None) -> None:
    """Store new settings (the caller commits and audits). Rates apply to sales confirmed from now on."""
    if not 0 <= commission_bps <= BPS or payout_minimum < 0:
        raise ValueError("out of range")
    row = session.get(MarketplaceSettings, SETTINGS_ID)
    if row is None:
        row = MarketplaceSettings(id=SETTINGS_ID)
        session.add(row)
    row.commission_bps = commission_bps
    row.hold_until_delivered = hold_until_delivered
    row.payout_minimum = payout_minimum
    row.updated_by_id = actor_id


def commission_on(value: int, bps: int) -> int:
    """Commission on `value` rupiah at `bps` basis points, rounded to whole rupiah half-up."""
    return (value * bps + BPS // 2) // BPS


def effective_rate(session: Session, seller: SellerProfile) -> int:
    """The producer's own rate when an admin set one, else the marketplace's."""
    if seller.commission_bps is not None:
        return seller.commission_bps
    return get_settings(session).commission_bps


def _goods_value(part: SellerOrder) -> int:
    return sum(line.value for line in part.lines)


def credit_sale(session: Session, part: SellerOrder, *, now: datetime | None = None) -> LedgerEntry | None:
    """Credit the producer's share of a part whose card or transfer payment was just confirmed.

    Called in the payment confirmation's transaction; cash parts get nothing (None).
    """
    if part.order.payment_method not in MARKETPLACE_METHODS:
        return None
    bps = effective_rate(session, part.seller)
    goods = _goods_value(part)
    gross = goods + part.delivery_fee
    commission = commission_on(goods, bps)
    entry = LedgerEntry(seller_id=part.seller_id, kind=EntryKind.SALE, seller_order_id=part.id, gross=gross,
                        commission=commission, commission_bps=bps, amount=gross - commission,
                        created_at=now or utcnow())
    session.add(entry)
    return entry


def reverse_refund(session: Session, part: SellerOrder, amount: int, *, actor_id: int | None, reason: str = "",
                   now: datetime | None = None) -> LedgerEntry | None:
    """Debit a refund of `amount` rupiah of a part, after its lines' refunded amounts were updated.

    Nothing happens for parts that were never credited (cash, or paid before the ledger existed).
    """
    session.flush()
    sale = session.scalar(select(LedgerEntry).where(LedgerEntry.seller_order_id == part.id,
                                                    LedgerEntry.kind == EntryKind.SALE))
    if sale is None:
        return None
    commission_so_far = session.scalar(
        select(func.coalesce(func.sum(LedgerEntry.commission), 0)).where(LedgerEntry.seller_order_id == part.id)
    )
    commission_after = commission_on(_goods_value(part), sale.commission_bps)
    commission_back = commission_so_far - commission_after
    entry = LedgerEntry(seller_id=part.seller_id, kind=EntryKind.REVERSAL, seller_order_id=part.id, gross=-amount,
                        commission=-commission_back, commission_bps=sale.commission_bps,
                        amount=-amount + commission_back, actor_id=actor_id, reason=reason or "",
                        created_at=now or utcnow())
    session.add(entry)
    return entry


def add_adjustment(session: Session, seller_id: int, amount: int, *, reason: str, actor_id: int | None,
                   now: datetime | None = None) -> LedgerEntry:
    """A manual correction (either sign) with its reason; the caller commits and audits."""
    if amount == 0:
        raise ValueError("zero")
    if not (reason or "").strip():
        raise ValueError("reason required")
    entry = LedgerEntry(seller_id=seller_id, kind=EntryKind.ADJUSTMENT, amount=amount, reason=reason.strip(),
                        actor_id=actor_id, created_at=now or utcnow())
    session.add(entry)
    return entry


# ---- balances --------------------------------------------------------------------------------

def _held_condition(hold_until_delivered: bool):
    statuses = ALWAYS_HELD + (UNDELIVERED if hold_until_delivered else ())
    return SellerOrder.status.in_(statuses)


@dataclass(frozen=True)
class Balance:
    seller_id: int
    total: int       # everything owed, including held sales
    pending: int     # held: paid orders not yet delivered (when the operator holds), cancelled parts

    @property
    def available(self) -> int:
        """What can be paid out now."""
        return self.total - self.pending


def balances(session: Session, seller_ids: list[int] | None = None, *,
             hold_until_delivered: bool | None = None) -> dict[int, Balance]:
    """Balances per producer, summed from the entries (only producers with entries appear)."""
    if hold_until_delivered is None:
        hold_until_delivered = get_settings(session).hold_until_delivered
    held = case((_held_condition(hold_until_delivered), LedgerEntry.amount), else_=0)
    query = (select(LedgerEntry.seller_id, func.sum(LedgerEntry.amount), func.sum(held))
             .outerjoin(SellerOrder, SellerOrder.id == LedgerEntry.seller_order_id)
             .group_by(LedgerEntry.seller_id))
    if seller_ids is not None:
        query = query.where(LedgerEntry.seller_id.in_(seller_ids))
    return {sid: Balance(sid, int(total or 0), int(pending or 0)) for sid, total, pending in session.execute(query)}


def balance(session: Session, seller_id: int, *, hold_until_delivered: bool | None = None) -> Balance:
    """One producer's balance (zero when they have no entries)."""
    found = balances(session, [seller_id], hold_until_delivered=hold_until_delivered)
    return found.get(seller_id, Balance(seller_id, 0, 0))


def entries_query(seller_id: int):
    """A producer's entries, newest first (for pagination)."""
    return (select(LedgerEntry).where(LedgerEntry.seller_id == seller_id)
            .order_by(LedgerEntry.created_at.desc(), LedgerEntry.id.desc()))


# ---- statement figures -----------------------------------------------------------------------

def wib_day_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """UTC moments for [start 00:00 WIB, the day after end 00:00 WIB): a period of WIB dates, both inclusive."""
    begin = datetime.combine(start, time(0), tzinfo=WIB).astimezone(UTC)
    finish = datetime.combine(end + timedelta(days=1), time(0), tzinfo=WIB).astimezone(UTC)
    return begin, finish


@dataclass(frozen=True)
class StatementFigures:
    """A producer's money for a period of WIB dates (inclusive), for the balance page and sales statements."""

    seller_id: int
    start: date
    end: date
    sales_value: int             # online sale lines dated in the period (any payment method), per indicators.md
    sales_via_marketplace: int   # the card and transfer part of sales_value: the marketplace collected it
    sales_cash: int              # the cash part: the producer collected it directly
    opening_balance: int         # owed at the start of the period
    credited: int                # producer's share of card/transfer sales confirmed in the period
    commission: int              # commission taken in the period (net of commission given back on refunds)
    reversed: int                # refunds and cancellations in the period (negative)
    adjustments: int
    paid_out: int                # payouts in the period, net of cancelled ones (negative)
    closing_balance: int         # owed at the end of the period


def statement_figures(session: Session, seller_id: int, start: date, end: date) -> StatementFigures:
    """The ledger and sales figures of one producer for the WIB dates start..end (both inclusive)."""
    begin, finish = wib_day_bounds(start, end)
    sums = {kind: (0, 0) for kind in EntryKind}
    for kind, amount, commission in session.execute(
        select(LedgerEntry.kind, func.sum(LedgerEntry.amount), func.sum(LedgerEntry.commission))
        .where(LedgerEntry.seller_id == seller_id, LedgerEntry.created_at >= begin, LedgerEntry.created_at < finish)
        .group_by(LedgerEntry.kind)
    ):
        sums[kind] = (int(amount or 0), int(commission or 0))
    opening = session.scalar(select(func.coalesce(func.sum(LedgerEntry.amount), 0))
                             .where(LedgerEntry.seller_id == seller_id, LedgerEntry.created_at < begin))
    line_value = OrderLine.unit_price * OrderLine.quantity - OrderLine.refunded_amount
    by_method = dict(session.execute(
        select(Order.payment_method, func.coalesce(func.sum(line_value), 0))
        .join(SellerOrder, SellerOrder.id == OrderLine.seller_order_id)
        .join(Order, Order.id == SellerOrder.order_id)
        .where(SellerOrder.seller_id == seller_id, SellerOrder.payment_confirmed_at >= begin,
               SellerOrder.payment_confirmed_at < finish,
               SellerOrder.status.not_in([PartStatus.CANCELLED, PartStatus.REFUNDED]))
        .group_by(Order.payment_method)
    ).all())
    via_marketplace = sum(int(by_method.get(m, 0)) for m in MARKETPLACE_METHODS)
    cash = int(by_method.get(PaymentMethod.CASH, 0))
    period_total = sum(amount for amount, _ in sums.values())
    return StatementFigures(
        seller_id=seller_id, start=start, end=end, sales_value=via_marketplace + cash,
        sales_via_marketplace=via_marketplace, sales_cash=cash, opening_balance=int(opening),
        credited=sums[EntryKind.SALE][0], commission=sums[EntryKind.SALE][1] + sums[EntryKind.REVERSAL][1],
        reversed=sums[EntryKind.REVERSAL][0], adjustments=sums[EntryKind.ADJUSTMENT][0],
        paid_out=sums[EntryKind.PAYOUT][0] + sums[EntryKind.PAYOUT_CANCELLED][0],
        closing_balance=int(opening) + period_total,
    )


@dataclass(frozen=True)
class CommissionTotals:
    commission: int      # net commission the operator kept
    stripe_fees: int     # Stripe's fees on card payments, borne by the operator
    net: int


def commission_totals(session: Session) -> CommissionTotals:
    """What the operator earned in commission, less Stripe's fees on card payments (for officers)."""
    commission = session.scalar(select(func.coalesce(func.sum(LedgerEntry.commission), 0))) or 0
    fees = session.scalar(select(func.coalesce(func.sum(Payment.stripe_fee), 0)).where(
        Payment.method == PaymentMethod.CARD,
        Payment.status.in_([PaymentStatus.SUCCEEDED, PaymentStatus.PARTIALLY_REFUNDED, PaymentStatus.REFUNDED]),
    )) or 0
    return CommissionTotals(int(commission), int(fees), int(commission) - int(fees))
