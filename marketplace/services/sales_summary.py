"""Monthly sales summaries and paid parts' links, kept exact with every change of a sale.

The unfiltered programme dashboard reads a year of sales as some 60,000 seller-months instead of
300,000 transactions and a million lines, and counts distinct orders and buyers from the links
(services/indicators.py reads them when no seller or category filter is set):

- `monthly_seller_sales`: per seller and WIB month, online and offline value and transactions and
  the online value delivered outside Blitar;
- `monthly_seller_category_sales`: the same per product category;
- `paid_part_links`: per counted part, when the previous part of its order, the buyer's previous
  part and the buyer's second order were confirmed (see `link_counts`).

Kept exact: an ORM hook notes at each flush what a change can affect (the seller-month of a part
whose payment, status, value or seller changed, or one of whose lines was refunded; of an offline
sale recorded, corrected or voided; every month of a seller whose product changed category; the
buyers of those parts). Before the transaction commits, those seller-months and buyers are
recomputed from the sales tables in the same transaction. On PostgreSQL a transaction-scoped
advisory lock per seller and per buyer, taken in one order, makes two transactions that touch the
same seller or buyer recompute one after the other, the second seeing the first's committed sales
(READ COMMITTED); on SQLite writers are serialised anyway. The summary tables have no foreign keys,
so that writing them never waits for a lock on a sale. Code that writes sales with Core statements
(bench seeding) calls `rebuild_all`; `flask rebuild-sales-summaries` does the same.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from sqlalchemy import (
    Connection,
    Date,
    String,
    and_,
    case,
    delete,
    event,
    func,
    inspect,
    literal,
    null,
    or_,
    select,
    text,
    union_all,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.functions import FunctionElement

from marketplace.formatting import WIB
from marketplace.models import (
    DeliveryMethod,
    MonthlySellerCategorySales,
    MonthlySellerSales,
    OfflineSale,
    Order,
    OrderLine,
    PaidPartLink,
    PartStatus,
    Product,
    SellerOrder,
)
from marketplace.regions import BLITAR_REGENCIES

EXCLUDED_PART_STATUSES = (PartStatus.CANCELLED, PartStatus.REFUNDED)
FIGURES = ("online_value", "online_transactions", "offline_value", "offline_transactions", "outside_value")
_SELLER_LOCKS, _BUYER_LOCKS = 7301, 7302        # namespaces of the advisory locks
_PENDING = "sales_summary_pending"               # key in session.info


def wib_midnight_utc(day: date) -> datetime:
    """00:00 WIB of `day`, as an aware UTC datetime."""
    return datetime.combine(day, time(0), tzinfo=WIB).astimezone(UTC)


def month_key(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def month_bounds(month: str) -> tuple[date, date]:
    """First day of the month "YYYY-MM" and first day of the next one."""
    year, number = int(month[:4]), int(month[5:7])
    return date(year, number, 1), date(year + number // 12, number % 12 + 1, 1)


# ---- SQL building blocks, shared with services/indicators.py ------------------------------------

class wib_month(FunctionElement):  # noqa: N801 (an SQL function)
    """"YYYY-MM" of the WIB month of a column: a naive-UTC timestamp (WIB is UTC+7, without daylight
    saving time), or a date, which is already a WIB date."""

    type = String()
    inherit_cache = True

    @property
    def is_date(self) -> bool:
        return isinstance(next(iter(self.clauses)).type, Date)


@compiles(wib_month, "sqlite")
def _wib_month_sqlite(element, compiler, **kw):
    shift = "" if element.is_date else ", '+7 hours'"
    return f"strftime('%Y-%m', {compiler.process(element.clauses, **kw)}{shift})"


@compiles(wib_month, "postgresql")
def _wib_month_postgresql(element, compiler, **kw):
    shift = "" if element.is_date else " + interval '7 hours'"
    return f"to_char({compiler.process(element.clauses, **kw)}{shift}, 'YYYY-MM')"


def counted_part() -> list:
    """Conditions of a part whose sales count: paid and neither cancelled nor refunded."""
    return [SellerOrder.payment_confirmed_at.is_not(None), SellerOrder.status.not_in(EXCLUDED_PART_STATUSES)]


def delivered_outside_blitar():
    """A part delivered (not picked up) to an address outside Kabupaten and Kota Blitar (needs Order)."""
    return and_(SellerOrder.delivery_method != DeliveryMethod.PICKUP,
                Order.regency_code.not_in(list(BLITAR_REGENCIES)))


def part_refunds():
    """Refunded amount per part, read from the small index of refunded lines."""
    return (select(OrderLine.seller_order_id, func.sum(OrderLine.refunded_amount).label("amount"))
            .where(OrderLine.refunded_amount > 0).group_by(OrderLine.seller_order_id).subquery("refunds"))


def line_value():
    return OrderLine.unit_price * OrderLine.quantity - OrderLine.refunded_amount


def buyer_key():
    """The buyer of an order as a number: the account's id, or minus the guest buyer's id."""
    return func.coalesce(Order.buyer_id, -Order.guest_buyer_id)


def sales_cells(*, online: list | None, offline: list | None, by_category: bool) -> list:
    """SELECTs of cells straight from the sales: one row per seller, WIB month (and category, 0 for
    none) with the FIGURES columns, for the online parts matching `online` and the offline sales matching
    `offline` (None leaves that channel out). A seller-month may get an online and an offline row."""
    zero = literal(0)
    selects = []
    if online is not None:
        month = wib_month(SellerOrder.payment_confirmed_at)
        outside = delivered_outside_blitar()
        if by_category:
            value = line_value()
            query = (select(SellerOrder.seller_id.label("seller_id"), month.label("month"),
                            func.coalesce(Product.category_id, 0).label("category_id"),
                            func.sum(value).label("online_value"),
                            func.count(func.distinct(SellerOrder.id)).label("online_transactions"),
                            zero.label("offline_value"), zero.label("offline_transactions"),
                            func.sum(case((outside, value), else_=0)).label("outside_value"))
                     .select_from(OrderLine)
                     .join(SellerOrder, SellerOrder.id == OrderLine.seller_order_id)
                     .outerjoin(Product, Product.id == OrderLine.product_id)
                     .group_by(SellerOrder.seller_id, month, Product.category_id))
        else:
            refunds = part_refunds()
            value = SellerOrder.subtotal - func.coalesce(refunds.c.amount, 0)
            query = (select(SellerOrder.seller_id.label("seller_id"), month.label("month"),
                            func.sum(value).label("online_value"), func.count().label("online_transactions"),
                            zero.label("offline_value"), zero.label("offline_transactions"),
                            func.sum(case((outside, value), else_=0)).label("outside_value"))
                     .select_from(SellerOrder)
                     .outerjoin(refunds, refunds.c.seller_order_id == SellerOrder.id)
                     .group_by(SellerOrder.seller_id, month))
        selects.append(query.join(Order, Order.id == SellerOrder.order_id).where(*counted_part(), *online))
    if offline is not None:
        month = wib_month(OfflineSale.sale_date)
        keys = [OfflineSale.seller_id.label("seller_id"), month.label("month")]
        if by_category:
            keys.append(func.coalesce(Product.category_id, 0).label("category_id"))
        query = (select(*keys, zero.label("online_value"), zero.label("online_transactions"),
                        func.sum(OfflineSale.value).label("offline_value"),
                        func.count().label("offline_transactions"), zero.label("outside_value"))
                 .select_from(OfflineSale)
                 .where(OfflineSale.voided_at.is_(None), *offline)
                 .group_by(*(key.element for key in keys)))
        if by_category:
            query = query.outerjoin(Product, Product.id == OfflineSale.product_id)
        selects.append(query)
    return selects


def summed_cells(selects: list, by_category: bool):
    """One row per seller-month (and category): the online and offline rows added together."""
    cells = union_all(*selects).subquery("cells")
    keys = [cells.c.seller_id, cells.c.month, *([cells.c.category_id] if by_category else [])]
    return select(*keys, *(func.sum(cells.c[name]).label(name) for name in FIGURES)).group_by(*keys)


def _link_rows(condition):
    """The PaidPartLink rows of the counted parts of the orders matching `condition`, computed with
    window functions over each order's and each buyer's parts (in confirmation order)."""
    confirmed = SellerOrder.payment_confirmed_at
    buyer = buyer_key()
    order_by = (confirmed, SellerOrder.id)
    parts = (
        select(SellerOrder.id.label("seller_order_id"), SellerOrder.order_id.label("order_id"),
               buyer.label("buyer_key"), confirmed.label("confirmed_at"),
               func.lag(confirmed).over(partition_by=SellerOrder.order_id, order_by=order_by).label("prev_order_at"),
               func.lag(confirmed).over(partition_by=buyer, order_by=order_by).label("prev_buyer_at"),
               func.first_value(SellerOrder.order_id).over(partition_by=buyer, order_by=order_by)
               .label("first_order_id"))
        .join(Order, Order.id == SellerOrder.order_id)
        .where(*counted_part(), condition)
        .subquery("parts")
    )
    second_order = func.min(case((parts.c.order_id != parts.c.first_order_id, parts.c.confirmed_at), else_=null()))
    return select(parts.c.seller_order_id, parts.c.order_id, parts.c.buyer_key, parts.c.confirmed_at,
                  parts.c.prev_order_at, parts.c.prev_buyer_at,
                  second_order.over(partition_by=parts.c.buyer_key).label("second_order_at"))


def _insert(connection: Connection, model, query) -> None:
    """INSERT INTO the model's table the rows of `query`, whose columns are named as the table's."""
    connection.execute(model.__table__.insert().from_select(list(query.selected_columns.keys()), query))


# ---- recomputing -----------------------------------------------------------------------------

def rebuild_all(connection: Connection) -> None:
    """Recompute every summary row and link from the sales tables (in the caller's transaction)."""
    rebuild_months(connection)
    connection.execute(delete(PaidPartLink.__table__))
    _insert(connection, PaidPartLink, _link_rows(literal(True)))


def rebuild_months(connection: Connection) -> None:
    """Recompute the monthly summaries only: enough after offline sales, which have no buyer links."""
    _refresh_cells(connection, online=[], offline=[], cell_condition=lambda model: literal(True))


def _refresh_cells(connection: Connection, *, online: list, offline: list, cell_condition=None) -> None:
    """Replace the summary rows matching `cell_condition(model)` with cells recomputed from the
    sales matching `online` and `offline` (the same seller-months)."""
    for model, by_category in ((MonthlySellerSales, False), (MonthlySellerCategorySales, True)):
        if cell_condition is not None:
            connection.execute(delete(model.__table__).where(cell_condition(model)))
        _insert(connection, model,
                summed_cells(sales_cells(online=online, offline=offline, by_category=by_category), by_category))


def refresh_seller_months(connection: Connection, cells: set[tuple[int, str | None]]) -> None:
    """Recompute the summaries of these (seller id, "YYYY-MM") pairs; a None month means every month."""
    whole = {seller for seller, month in cells if month is None}
    if whole:
        sellers = sorted(whole)
        _refresh_cells(connection, online=[SellerOrder.seller_id.in_(sellers)],
                       offline=[OfflineSale.seller_id.in_(sellers)],
                       cell_condition=lambda model: model.seller_id.in_(sellers))
    for seller, month in sorted(cell for cell in cells if cell[1] is not None and cell[0] not in whole):
        first, after = month_bounds(month)
        _refresh_cells(
            connection,
            online=[SellerOrder.seller_id == seller, SellerOrder.payment_confirmed_at >= wib_midnight_utc(first),
                    SellerOrder.payment_confirmed_at < wib_midnight_utc(after)],
            offline=[OfflineSale.seller_id == seller, OfflineSale.sale_date >= first, OfflineSale.sale_date < after],
            cell_condition=lambda model, seller=seller, month=month: and_(model.seller_id == seller,
                                                                          model.month == month))


def refresh_buyers(connection: Connection, buyers: set[int | None], parts: set[int] = frozenset()) -> None:
    """Recompute the links of every counted part of these buyers (None: orders without a buyer),
    dropping the links of `parts` that no longer count."""
    keys = sorted(key for key in buyers if key is not None)
    accounts = [key for key in keys if key > 0]
    guests = [-key for key in keys if key < 0]
    orders = []
    stale = []
    if accounts:
        orders.append(Order.buyer_id.in_(accounts))
    if guests:
        orders.append(Order.guest_buyer_id.in_(guests))
    if keys:
        stale.append(PaidPartLink.buyer_key.in_(keys))
    if None in buyers:
        orders.append(and_(Order.buyer_id.is_(None), Order.guest_buyer_id.is_(None)))
        stale.append(PaidPartLink.buyer_key.is_(None))
    if parts:
        stale.append(PaidPartLink.seller_order_id.in_(sorted(parts)))
    if stale:
        connection.execute(delete(PaidPartLink.__table__).where(or_(*stale)))
    if orders:
        _insert(connection, PaidPartLink, _link_rows(or_(*orders)))


# ---- keeping them exact ------------------------------------------------------------------------

@dataclass
class _Pending:
    """What the flushes of the current transaction may have changed."""

    parts: set[int] = field(default_factory=set)            # parts whose cell and buyer are looked up
    orders: set[int] = field(default_factory=set)           # orders whose parts are looked up
    cells: set[tuple[int, str | None]] = field(default_factory=set)
    buyers: set[int | None] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.parts or self.orders or self.cells or self.buyers)


_PART_FIELDS = ("payment_confirmed_at", "status", "subtotal", "seller_id", "order_id", "delivery_method")
_LINE_FIELDS = ("refunded_amount", "unit_price", "quantity", "product_id", "seller_order_id")
_OFFLINE_FIELDS = ("seller_id", "sale_date", "value", "voided_at", "product_id")
_ORDER_FIELDS = ("buyer_id", "guest_buyer_id", "regency_code")


def _history(obj, names) -> tuple[bool, dict[str, list]]:
    """(whether any of the attributes changed, their values before the change)."""
    state = inspect(obj)
    changed, old = False, {}
    for name in names:
        history = state.attrs[name].history
        if history.has_changes():
            changed = True
            old[name] = list(history.deleted)
    return changed, old


def _utc_month(moment: datetime | None) -> str | None:
    return None if moment is None else month_key(moment.astimezone(WIB).date())


def _note_flush(session: Session, _context) -> None:
    pending = session.info.get(_PENDING) or _Pending()
    for obj in (*session.new, *session.dirty, *session.deleted):
        is_new = obj in session.new
        if isinstance(obj, SellerOrder):
            changed, old = _history(obj, _PART_FIELDS)
            moments = [moment for moment in old.get("payment_confirmed_at", []) + [obj.payment_confirmed_at]
                       if moment is not None]
            if moments and (is_new or changed or obj in session.deleted):     # an unpaid part counts nowhere
                pending.parts.add(obj.id)
                pending.cells.update((seller, _utc_month(moment)) for moment in moments
                                     for seller in old.get("seller_id", []) + [obj.seller_id])
        elif isinstance(obj, OrderLine):
            changed, old = _history(obj, _LINE_FIELDS)
            if changed or obj in session.deleted:
                pending.parts.update(part for part in old.get("seller_order_id", []) + [obj.seller_order_id]
                                     if part is not None)
        elif isinstance(obj, OfflineSale):
            changed, old = _history(obj, _OFFLINE_FIELDS)
            if is_new or changed or obj in session.deleted:
                for seller in old.get("seller_id", []) + [obj.seller_id]:
                    for day in old.get("sale_date", []) + [obj.sale_date]:
                        if seller is not None and day is not None:
                            pending.cells.add((seller, month_key(day)))
        elif isinstance(obj, Product):
            changed, _old = _history(obj, ("category_id",))
            if changed and not is_new:
                pending.cells.add((obj.seller_id, None))
        elif isinstance(obj, Order) and not is_new:
            changed, old = _history(obj, _ORDER_FIELDS)
            if changed:
                pending.orders.add(obj.id)
                accounts = old.get("buyer_id", []) + [obj.buyer_id]
                guests = old.get("guest_buyer_id", []) + [obj.guest_buyer_id]
                pending.buyers.update(account for account in accounts if account is not None)
                pending.buyers.update(-guest for guest in guests if guest is not None)
    if pending:
        session.info[_PENDING] = pending


def apply_pending(session: Session) -> None:
    """Flush, then recompute what the transaction's flushes may have changed. Runs before every
    commit; the indicators call it before reading the summaries, so they see the transaction's
    own uncommitted sales too."""
    session.flush()
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    connection = session.connection()
    if pending.parts or pending.orders:
        looked_up = select(SellerOrder.id, SellerOrder.seller_id, SellerOrder.payment_confirmed_at,
                           buyer_key()).join(Order, Order.id == SellerOrder.order_id)
        conditions = []
        if pending.parts:
            conditions.append(SellerOrder.id.in_(sorted(pending.parts)))
        if pending.orders:
            conditions.append(SellerOrder.order_id.in_(sorted(pending.orders)))
        for part_id, seller_id, confirmed, buyer in connection.execute(looked_up.where(or_(*conditions))):
            pending.parts.add(part_id)
            pending.buyers.add(buyer)
            if confirmed is not None:
                pending.cells.add((seller_id, _utc_month(confirmed)))
    if connection.dialect.name == "postgresql":
        locks = [(_SELLER_LOCKS, seller) for seller in sorted({seller for seller, _ in pending.cells})]
        locks += [(_BUYER_LOCKS, buyer or 0) for buyer in sorted(pending.buyers, key=lambda key: key or 0)]
        for namespace, key in locks:
            connection.execute(text("SELECT pg_advisory_xact_lock(CAST(:namespace AS integer), CAST(:key AS integer))"),
                               {"namespace": namespace, "key": key})
    refresh_seller_months(connection, pending.cells)
    refresh_buyers(connection, pending.buyers, pending.parts)


def _forget_on_rollback(session: Session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(_PENDING, None)


def init_sales_summaries() -> None:
    """Listen to every ORM session (once) so the summaries follow the sales."""
    for name, listener in (("after_flush", _note_flush), ("before_commit", apply_pending),
                           ("after_transaction_end", _forget_on_rollback)):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)


init_sales_summaries()
