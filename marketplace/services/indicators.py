"""The programme's indicators, computed exactly as /work/shared/context/indicators.md defines them.

API for the dashboard, exports and statements (all read-only, no commits):

    period = Period.parse("2025-01-01", "2025-03-31")      # WIB dates, inclusive; IndicatorError if bad
    filters = Filters(training_type_id=2, channel="online")  # every field optional, all combinable;
                                                           # Filters(seller_id=7) gives one producer's figures
    check_filters(session, filters)                        # IndicatorError for unknown ids / codes
    ind = indicators(session, period, filters)             # -> Indicators (every key of the spec)
    rows = breakdown(session, period, filters, "month")    # -> Breakdown(rows=[Row...], total=Row)
    before_after(session, seller_id, today=date(...))      # -> [TrainingComparison] per completed cohort

Reason codes of IndicatorError (worded for people in admin/exhibition_forms.py INDICATOR_MESSAGES):
invalid_input, invalid_date, out_of_range, end_before_start, too_long, unknown_channel, unknown_kecamatan,
unknown_training_type, unknown_cohort, unknown_category, unknown_seller, unknown_dimension.
A monthly statement for a producer: breakdown(session, period, Filters(seller_id=...), "month").

`breakdown` dimensions: "month" (WIB, keys "YYYY-MM"), "channel", "training_type", "cohort",
"kecamatan", "category", "seller". Each Row holds the summable indicators of its group; the
`total` row comes from the same query without grouping (never by adding rows): a seller in
two cohorts counts in both cohort rows, a part with products of two categories in both
category rows. Rows without a value for the dimension (no cohort, no category) have key None.

Rules beyond the specification's words, chosen so every figure has one meaning:
- An online sale line belongs to a part whose `payment_confirmed_at` is set and whose status is
  neither cancelled nor refunded (a refunded part is a cancelled one whose money went back).
- Offline sales count when not voided; their date is `sale_date` (already a WIB date).
- A buyer is an account's id, or for a guest order minus the id of its `guest_buyers` row (one per
  normalised e-mail address); a part's value is its subtotal less its lines' refunds.
- Filters: training type / cohort / kecamatan select sellers; category selects sales of products
  in that category or its sub-categories (offline sales without a product never match it);
  channel selects sales. `sellers_registered` / `sellers_new` follow the seller filters, and with
  a category filter count sellers having a product in it; the channel filter leaves them alone.
- "Approved" means `approved_at` set (the first approval, kept on later suspension) and on or
  before the period's end; `sellers_active` counts only such sellers, so active_rate <= 1.
- Repeat buyers: the "paid order before the period's start" is looked for under the same filters.
- `sellers_growing` is among sellers whose previous-period sales value is above zero (growth from
  zero has no ratio); growing means value * 100 >= previous * 115 in whole rupiah.

Queries: WIB dates become UTC bounds in Python; months are bucketed in SQL by `wib_month` (one
SQL function per engine), and each call makes a fixed number of queries whatever the data size. The training type, cohort and kecamatan filters
are turned into a list of seller ids first, so the sales queries read those sellers' sales only.
Inside `shared_results()` an aggregate asked for twice (the dashboard needs the same totals for
every breakdown) runs once, and `prefetch` computes a whole report's total and breakdowns in one
statement that reads the period's sales once (a WITH query the groupings share).

Without a seller or category filter (the officers' first view), the sums come from the monthly
summaries of services/sales_summary.py (seller-months, read raw for the partly covered months at
the period's ends) and the distinct orders, buyers and repeat buyers from the paid parts' links;
breakdowns that count distinct orders and buyers per row (the exports) still read the sales.
The summaries are exact, so both ways give the same figures (tests/test_indicators_summaries.py).
"""
from __future__ import annotations

import calendar
import contextlib
import functools
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import (
    Integer,
    String,
    and_,
    case,
    cast,
    func,
    literal,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from marketplace.formatting import WIB
from marketplace.models import (
    Category,
    Cohort,
    MonthlySellerCategorySales,
    MonthlySellerSales,
    OfflineSale,
    Order,
    OrderLine,
    PaidPartLink,
    Product,
    SellerCohort,
    SellerOrder,
    SellerProfile,
    TrainingType,
)
from marketplace.regions import KECAMATAN_BY_CODE
from marketplace.services.sales_summary import (
    EXCLUDED_PART_STATUSES,
    FIGURES,
    apply_pending,
    buyer_key,
    delivered_outside_blitar,
    line_value,
    month_key,
    part_refunds,
    sales_cells,
    summed_cells,
    wib_midnight_utc,
    wib_month,
)

CHANNELS = ("online", "offline")
DIMENSIONS = ("month", "channel", "training_type", "cohort", "kecamatan", "category", "seller")
SELLER_PROPERTIES = ("training_type", "cohort", "kecamatan")   # dimensions that group sellers, not sales
MAX_PERIOD_DAYS = 3700          # about ten years: enough for any programme report
EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2100, 12, 31)
GROWTH_PERCENT = 115
BEFORE_AFTER_MONTHS = 6
_EXCLUDED_PARTS = EXCLUDED_PART_STATUSES
# Results of the aggregate queries within one `shared_results()` block, keyed by the query's inputs.
_SHARED: ContextVar[dict | None] = ContextVar("indicator_results", default=None)


@contextlib.contextmanager
def shared_results() -> Iterator[None]:
    """Within the block, an aggregate query already run with the same inputs is not run again.

    For one read-only computation (a dashboard page, an export): the data must not change
    inside the block. A block inside another one shares the outer block's results.
    """
    if _SHARED.get() is not None:
        yield
        return
    token = _SHARED.set({})
    try:
        yield
    finally:
        _SHARED.reset(token)


def with_shared_results(function):
    """Run `function` inside `shared_results()` (a block of its own unless the caller opened one),
    so that what its queries have in common, such as the filters' sellers, is looked up once."""
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with shared_results():
            return function(*args, **kwargs)
    return wrapper


def _shared(key: tuple, compute):
    """`compute()`, or its result from earlier in the current `shared_results()` block."""
    results = _SHARED.get()
    if results is None:
        return compute()
    if key not in results:
        results[key] = compute()
    return results[key]


class IndicatorError(ValueError):
    """Bad period or filter; `code` is a reason the views word as a 400 message, `field` names the input."""

    def __init__(self, code: str, field: str = ""):
        super().__init__(f"{field}: {code}" if field else code)
        self.code = code
        self.field = field


# ---- inputs ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Period:
    """WIB calendar dates, both inclusive."""

    start: date
    end: date

    def __post_init__(self):
        if not isinstance(self.start, date) or not isinstance(self.end, date):
            raise IndicatorError("invalid_date")
        if self.start < EARLIEST_DATE or self.end > LATEST_DATE or self.start > LATEST_DATE:
            raise IndicatorError("out_of_range")
        if self.end < self.start:
            raise IndicatorError("end_before_start", "to")
        if self.days > MAX_PERIOD_DAYS:
            raise IndicatorError("too_long")

    @classmethod
    def parse(cls, start: str | None, end: str | None) -> Period:
        """A period from two ISO dates typed in a URL or form."""
        def one(raw: str | None, name: str) -> date:
            try:
                return date.fromisoformat((raw or "").strip())
            except ValueError:
                raise IndicatorError("invalid_date", name) from None
        return cls(one(start, "from"), one(end, "to"))

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The period of the same length just before this one."""
        return Period(self.start - timedelta(days=self.days), self.start - timedelta(days=1))

    def utc_bounds(self) -> tuple[datetime, datetime]:
        """[start, end) in UTC: WIB midnight at the start date to WIB midnight after the end date."""
        return wib_midnight_utc(self.start), wib_midnight_utc(self.end + timedelta(days=1))

    def months(self) -> list[tuple[int, int]]:
        """(year, month) of every WIB month the period touches, in order."""
        result, year, month = [], self.start.year, self.start.month
        while (year, month) <= (self.end.year, self.end.month):
            result.append((year, month))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return result


@dataclass(frozen=True)
class Filters:
    """Optional selections, combinable: ids of a training type, cohort, category; a kecamatan code; a channel."""

    training_type_id: int | None = None
    cohort_id: int | None = None
    kecamatan_code: str | None = None
    category_id: int | None = None
    channel: str | None = None
    seller_id: int | None = None      # one producer's figures, for statements (not a dashboard filter)

    def __post_init__(self):
        if self.channel is not None and self.channel not in CHANNELS:
            raise IndicatorError("unknown_channel", "channel")
        if self.kecamatan_code is not None and self.kecamatan_code not in KECAMATAN_BY_CODE:
            raise IndicatorError("unknown_kecamatan", "kecamatan")
        for name in ("training_type_id", "cohort_id", "category_id", "seller_id"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value <= 0):
                raise IndicatorError(f"unknown_{name[:-3]}", name)


def check_filters(session: Session, filters: Filters) -> None:
    """Raise IndicatorError when a filter names a training type, cohort or category that does not exist."""
    for name, model in (("training_type_id", TrainingType), ("cohort_id", Cohort), ("category_id", Category),
                        ("seller_id", SellerProfile)):
        value = getattr(filters, name)
        if value is not None and session.get(model, value) is None:
            raise IndicatorError(f"unknown_{name[:-3]}", name)


# ---- outputs --------------------------------------------------------------------------------

@dataclass
class Row:
    """The summable indicators of one group of sales (or of all of them, for a total)."""

    key: object = None
    gmv: int = 0
    gmv_online: int = 0
    gmv_offline: int = 0
    transactions: int = 0
    orders: int | None = 0      # None in rows read without buyers (see `breakdown`)
    buyers: int | None = 0
    sellers_active: int = 0
    value_outside_blitar: int = 0

    @property
    def aov(self) -> int | None:
        return _round_div(self.gmv_online, self.orders)

    @property
    def reach_outside_blitar(self) -> float | None:
        return self.value_outside_blitar / self.gmv_online if self.gmv_online else None


@dataclass
class Breakdown:
    dimension: str
    rows: list[Row]
    total: Row


@dataclass
class Indicators:
    """Every indicator of the specification for one period and filters."""

    period: Period
    gmv: int
    gmv_by_channel: dict[str, int]
    transactions: int
    orders: int
    aov: int | None
    buyers: int
    repeat_buyers: int
    repeat_buyer_rate: float | None
    sellers_registered: int
    sellers_new: int
    sellers_active: int
    active_rate: float | None
    value_outside_blitar: int
    reach_outside_blitar: float | None
    sellers_with_previous_sales: int
    sellers_growing: int
    sellers_growing_share: float | None
    extra: dict = field(default_factory=dict)


@dataclass
class TrainingComparison:
    """Average monthly sales value before and after one completed cohort."""

    cohort_id: int
    completed_on: date
    months_before: list[tuple[int, int]]
    months_after: list[tuple[int, int]]
    average_before: int | None
    average_after: int | None

    @property
    def enough_data(self) -> bool:
        return bool(self.months_before) and bool(self.months_after)


def _round_div(numerator: int, denominator: int) -> int | None:
    """Whole-number division rounded half up (rupiah); None when dividing by zero."""
    if not denominator:
        return None
    return (2 * numerator + denominator) // (2 * denominator)


def _rate(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


# ---- the sales facts ------------------------------------------------------------------------

def _category_ids(session: Session, category_id: int) -> list[int]:
    """The category and all its sub-categories (one query over the small categories table)."""
    children: dict[int | None, list[int]] = {}
    for cid, parent in session.execute(select(Category.id, Category.parent_id)):
        children.setdefault(parent, []).append(cid)
    found, todo = [], [category_id]
    while todo:
        current = todo.pop()
        if current in found:
            continue
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def _matching_sellers(session: Session, filters: Filters) -> list[int] | None:
    """Ids of the sellers the training type, cohort, kecamatan and seller filters select (one small
    query, once per `shared_results()` block), or None when none of them is set.

    An explicit list lets the sales queries read only those sellers' sales through the seller index,
    instead of scanning the period and testing each sale's seller against the filters.
    """
    if (filters.cohort_id, filters.training_type_id, filters.kecamatan_code, filters.seller_id) == (None,) * 4:
        return None
    key = ("sellers", id(session), filters.cohort_id, filters.training_type_id, filters.kecamatan_code,
           filters.seller_id)

    def find() -> list[int]:
        query = select(SellerProfile.id).order_by(SellerProfile.id)
        if filters.cohort_id is not None:
            query = query.where(SellerProfile.id.in_(
                select(SellerCohort.seller_id).where(SellerCohort.cohort_id == filters.cohort_id)))
        if filters.training_type_id is not None:
            query = query.where(SellerProfile.id.in_(
                select(SellerCohort.seller_id).join(Cohort, Cohort.id == SellerCohort.cohort_id)
                .where(Cohort.training_type_id == filters.training_type_id)))
        if filters.kecamatan_code is not None:
            query = query.where(SellerProfile.kecamatan_code == filters.kecamatan_code)
        if filters.seller_id is not None:
            query = query.where(SellerProfile.id == filters.seller_id)
        return list(session.scalars(query))
    return _shared(key, find)


def _seller_conditions(session: Session, filters: Filters, seller_id_column) -> list:
    """The WHERE conditions restricting `seller_id_column` to the sellers the filters select."""
    sellers = _matching_sellers(session, filters)
    if sellers is None:
        return []
    if len(sellers) == 1:
        return [seller_id_column == sellers[0]]
    return [seller_id_column.in_(sellers)]


def _dimension_columns(dimension: str | None):
    """(online key expression, offline key expression) of a breakdown's groups, for the dimensions
    that are a property of a whole transaction; (None, None) for the total, for cohort and training
    type (their groups come from `_membership`) and for category (from `_category_sales`)."""
    if dimension is None or dimension in ("cohort", "training_type", "category"):
        return None, None
    if dimension == "month":
        return wib_month(SellerOrder.payment_confirmed_at), wib_month(OfflineSale.sale_date)
    if dimension == "channel":
        return literal("online"), literal("offline")
    if dimension == "seller":
        return SellerOrder.seller_id, OfflineSale.seller_id
    if dimension == "kecamatan":
        return SellerProfile.kecamatan_code, SellerProfile.kecamatan_code
    raise IndicatorError("unknown_dimension", "dimension")


def _membership(dimension: str | None):
    """Distinct (seller, cohort) or (seller, training type) pairs, so that a seller's sale appears
    once in each of their groups and never twice in one (two cohorts of the same type)."""
    if dimension == "cohort":
        return select(SellerCohort.seller_id, SellerCohort.cohort_id.label("group_id")).distinct().subquery("groups")
    if dimension == "training_type":
        return (select(SellerCohort.seller_id, Cohort.training_type_id.label("group_id"))
                .join(Cohort, Cohort.id == SellerCohort.cohort_id).distinct().subquery("groups"))
    return None


def _key_column(dimension: str | None) -> str:
    return f"key_{dimension or 'total'}"


def _has_line_in(category_ids: list[int]):
    """The condition that a part has a line of a product in one of the categories."""
    return (select(OrderLine.id).join(Product, Product.id == OrderLine.product_id)
            .where(OrderLine.seller_order_id == SellerOrder.id, Product.category_id.in_(category_ids)).exists())


def _transactions(session: Session, period: Period, filters: Filters, dimensions: tuple[str | None, ...],
                  approved_by: date, category_ids: list[int] | None):
    """One row per transaction of the period: a paid part with its lines summed (only the lines of
    the category filter's categories, and only parts having such a line), or a counted offline sale.

    `txn_id` is the part's id, or minus the offline sale's; `key_<dimension>` columns hold the groups
    of the dimensions that are a property of the whole transaction (not category, not the seller's
    cohorts). Each part's order, buyer and seller are looked up once, not once per line.
    """
    start_utc, end_utc = period.utc_bounds()
    approved_utc = wib_midnight_utc(approved_by + timedelta(days=1))
    is_approved = and_(SellerProfile.approved_at.is_not(None), SellerProfile.approved_at < approved_utc)
    outside = delivered_outside_blitar()
    keys = {dimension: columns for dimension in dimensions
            if (columns := _dimension_columns(dimension))[0] is not None}
    selects = []
    if filters.channel in (None, "online"):
        if category_ids is None:
            # The part's subtotal less the refunds of its lines (found in the small index of refunded lines).
            refunds = part_refunds()
            value = SellerOrder.subtotal - func.coalesce(refunds.c.amount, 0)
        else:
            value = (select(func.sum(line_value())).where(OrderLine.seller_order_id == SellerOrder.id)
                     .join(Product, Product.id == OrderLine.product_id).where(Product.category_id.in_(category_ids))
                     .scalar_subquery())
        online = (
            select(
                *(online_key.label(_key_column(dimension)) for dimension, (online_key, _) in keys.items()),
                SellerOrder.id.label("txn_id"),
                SellerOrder.seller_id.label("seller_id"),
                case((is_approved, SellerOrder.seller_id), else_=null()).label("approved_seller_id"),
                value.label("value"),
                literal(1).label("online"),
                case((outside, 1), else_=0).label("outside"),
                SellerOrder.order_id.label("order_id"),
                buyer_key().label("buyer_key"),
            )
            .join(Order, Order.id == SellerOrder.order_id)
            .join(SellerProfile, SellerProfile.id == SellerOrder.seller_id)
            .where(SellerOrder.payment_confirmed_at >= start_utc, SellerOrder.payment_confirmed_at < end_utc,
                   SellerOrder.status.not_in(_EXCLUDED_PARTS),
                   *_seller_conditions(session, filters, SellerOrder.seller_id))
        )
        if category_ids is None:
            online = online.outerjoin(refunds, refunds.c.seller_order_id == SellerOrder.id)
        else:
            online = online.where(_has_line_in(category_ids))
        selects.append(online)
    if filters.channel in (None, "offline"):
        offline = (
            select(
                *(offline_key.label(_key_column(dimension)) for dimension, (_, offline_key) in keys.items()),
                (-OfflineSale.id).label("txn_id"),
                OfflineSale.seller_id.label("seller_id"),
                case((is_approved, OfflineSale.seller_id), else_=null()).label("approved_seller_id"),
                OfflineSale.value.label("value"),
                literal(0).label("online"),
                literal(0).label("outside"),
                cast(null(), SellerOrder.order_id.type).label("order_id"),
                cast(null(), Order.buyer_id.type).label("buyer_key"),
            )
            .select_from(OfflineSale)
            .join(SellerProfile, SellerProfile.id == OfflineSale.seller_id)
            .where(OfflineSale.voided_at.is_(None), OfflineSale.sale_date >= period.start,
                   OfflineSale.sale_date <= period.end,
                   *_seller_conditions(session, filters, OfflineSale.seller_id))
        )
        if category_ids is not None:
            offline = offline.join(Product, Product.id == OfflineSale.product_id).where(
                Product.category_id.in_(category_ids))
        selects.append(offline)
    return union_all(*selects).cte("transactions")


def _category_sales(transactions, category_ids: list[int] | None):
    """One row per line of the period's transactions (an offline sale is one line), with its product's
    category as `key`, its own value and its transaction's other columns: the rows a category
    breakdown groups. Read through `transactions`, so only the filters' sales take part; with a
    category filter, only the lines of its categories. (Parts have positive and offline sales
    negative `txn_id`s, so each join finds only its own kind.)"""
    shared = [transactions.c[name] for name in ("txn_id", "online", "outside", "order_id", "buyer_key",
                                                "approved_seller_id")]
    online = (
        select(Product.category_id.label("key"), line_value().label("value"), *shared)
        .select_from(transactions)
        .join(OrderLine, OrderLine.seller_order_id == transactions.c.txn_id)
        .outerjoin(Product, Product.id == OrderLine.product_id)
    )
    offline = (
        select(Product.category_id.label("key"), transactions.c.value, *shared)
        .select_from(transactions)
        .join(OfflineSale, OfflineSale.id == -transactions.c.txn_id)
        .outerjoin(Product, Product.id == OfflineSale.product_id)
    )
    if category_ids is not None:
        online, offline = (one.where(Product.category_id.in_(category_ids)) for one in (online, offline))
    return union_all(online, offline).subquery("category_sales")


def _group_key(dimension: str | None, raw: str | None):
    """A group's key as `breakdown` gives it, from its text form in the UNION."""
    if raw is None:
        return None
    return raw if dimension in ("month", "channel", "kecamatan") else int(raw)


def _aggregate(session: Session, period: Period, filters: Filters, dimension: str | None,
               category_ids: list[int] | None, *, approved_by: date | None = None) -> list[Row]:
    """The rows of one grouping (None: the total), from `prefetch` when it computed them already."""
    return [replace(row) for row in
            _aggregates(session, period, filters, (dimension,), category_ids, approved_by)[dimension]]


def _aggregate_key(session: Session, period: Period, filters: Filters, dimension: str | None,
                   category_ids: list[int] | None, approved_by: date | None, with_buyers: bool = True) -> tuple:
    # The total always counts its buyers and orders.
    return ("aggregate", id(session), period, filters, dimension,
            tuple(category_ids) if category_ids is not None else None, approved_by or period.end,
            with_buyers or dimension is None)


def _aggregates(session: Session, period: Period, filters: Filters, dimensions: tuple[str | None, ...],
                category_ids: list[int] | None, approved_by: date | None,
                with_buyers: bool = True) -> dict[str | None, list[Row]]:
    """Rows per dimension; the dimensions not yet known in the `shared_results()` block are computed
    together, in one statement that reads the period's sales once."""
    keys = {dimension: _aggregate_key(session, period, filters, dimension, category_ids, approved_by, with_buyers)
            for dimension in dimensions}
    results = _SHARED.get()
    known = results if results is not None else {}
    missing = tuple(dimension for dimension in dimensions if keys[dimension] not in known)
    found = {dimension: known[keys[dimension]] for dimension in dimensions if dimension not in missing}
    if missing:
        computed = _run_aggregates(session, period, filters, missing, category_ids, approved_by or period.end,
                                   with_buyers)
        found.update(computed)
        if results is not None:
            results.update((keys[dimension], rows) for dimension, rows in computed.items())
    return found


def _run_aggregates(session: Session, period: Period, filters: Filters, dimensions: tuple[str | None, ...],
                    category_ids: list[int] | None, approved_by: date,
                    with_buyers: bool = True) -> dict[str | None, list[Row]]:
    """The rows of each dimension in one statement. Without buyers, the groups' distinct orders and
    buyers are not counted (None) and the seller properties' rows are added up from the seller rows."""
    rolled_up = () if with_buyers else tuple(dimension for dimension in dimensions if dimension in SELLER_PROPERTIES)
    queried = tuple(dict.fromkeys(dimension for dimension in (*dimensions, *(("seller",) if rolled_up else ()))
                                  if dimension not in rolled_up))
    if _summarised(session, filters, category_ids) and (not with_buyers or queried == (None,)):
        rows = _summary_aggregates(session, period, filters, queried, approved_by)
    else:
        rows = _query_aggregates(session, period, filters, queried, category_ids, approved_by, with_buyers)
    for dimension in rolled_up:
        rows[dimension] = _roll_up(session, rows["seller"], dimension)
    return {dimension: rows[dimension] for dimension in dimensions}


def _roll_up(session: Session, seller_rows: list[Row], dimension: str) -> list[Row]:
    """The rows of a dimension that is a property of the seller, added up from the seller rows (each
    seller once in each of their groups), without distinct orders and buyers."""
    groups_of = _seller_groups(session, dimension)
    rows: dict = {}
    for seller in seller_rows:
        for key in groups_of.get(seller.key, (None,)):
            row = rows.setdefault(key, Row(key=key, orders=None, buyers=None))
            row.gmv += seller.gmv
            row.gmv_online += seller.gmv_online
            row.gmv_offline += seller.gmv_offline
            row.transactions += seller.transactions
            row.sellers_active += seller.sellers_active
            row.value_outside_blitar += seller.value_outside_blitar
    return list(rows.values())


def _seller_groups(session: Session, dimension: str) -> dict[int, tuple]:
    """The groups (kecamatan, cohorts or training types) of every seller having any, by seller id."""
    def find() -> dict[int, tuple]:
        if dimension == "kecamatan":
            pairs = session.execute(select(SellerProfile.id, SellerProfile.kecamatan_code))
        else:
            membership = _membership(dimension)
            pairs = session.execute(select(membership.c.seller_id, membership.c.group_id))
        groups: dict[int, list] = {}
        for seller_id, key in pairs:
            groups.setdefault(seller_id, []).append(key)
        return {seller_id: tuple(keys) for seller_id, keys in groups.items()}
    return _shared(("seller_groups", id(session), dimension), find)


def _query_aggregates(session: Session, period: Period, filters: Filters, dimensions: tuple[str | None, ...],
                      category_ids: list[int] | None, approved_by: date,
                      with_buyers: bool) -> dict[str | None, list[Row]]:
    transactions = _transactions(session, period, filters, dimensions, approved_by, category_ids)
    groupings = []
    for tag, dimension in enumerate(dimensions):
        distinct_buyers = with_buyers or dimension is None
        membership = _membership(dimension)
        if dimension == "category":
            # A part with lines of two categories counts in both groups, once in each.
            sales = source = _category_sales(transactions, category_ids)
            key = sales.c.key
        elif membership is not None:
            sales = transactions
            source = transactions.outerjoin(membership, membership.c.seller_id == transactions.c.seller_id)
            key = membership.c.group_id
        else:
            sales = source = transactions
            key = transactions.c[_key_column(dimension)] if dimension is not None else None
        grouping = select(
            literal(tag).label("grouping"),
            cast(key if key is not None else literal(0), String).label("key"),   # one type for the UNION
            func.coalesce(func.sum(sales.c.value), 0),
            func.coalesce(func.sum(sales.c.value * sales.c.online), 0),
            func.count(func.distinct(sales.c.txn_id)) if dimension == "category" else func.count(),
            func.count(func.distinct(sales.c.order_id)) if distinct_buyers else null(),
            func.count(func.distinct(sales.c.buyer_key)) if distinct_buyers else null(),
            func.count(func.distinct(sales.c.approved_seller_id)),
            func.coalesce(func.sum(sales.c.value * sales.c.outside), 0),
        ).select_from(source)
        groupings.append(grouping.group_by(key) if key is not None else grouping)
    query = groupings[0] if len(groupings) == 1 else union_all(*groupings)
    rows: dict[str | None, list[Row]] = {dimension: [] for dimension in dimensions}
    for tag, key, gmv, online, transactions_count, orders, buyers, active, outside in session.execute(query):
        if not transactions_count:
            continue            # the total of a period without sales
        dimension = dimensions[tag]
        gmv, online = int(gmv), int(online)
        rows[dimension].append(Row(key=_group_key(dimension, key), gmv=gmv, gmv_online=online,
                                   gmv_offline=gmv - online, transactions=int(transactions_count),
                                   orders=None if orders is None else int(orders),
                                   buyers=None if buyers is None else int(buyers), sellers_active=int(active),
                                   value_outside_blitar=int(outside)))
    return rows


# ---- from the summaries (services/sales_summary.py) ----------------------------------------------

def _summarised(session: Session, filters: Filters, category_ids: list[int] | None) -> bool:
    """Whether the monthly summaries and paid parts' links answer for these filters: any channel,
    but no filter on sellers or categories (those read the sales themselves)."""
    return category_ids is None and _matching_sellers(session, filters) is None


def _summary_cells(period: Period, channel: str | None, by_category: bool):
    """Seller-month (and category) cells of the period's sales under a channel filter, one per
    seller and month (and category): the stored summaries for the months wholly inside the
    period, cells computed from the sales for the days of the months at its ends that it only
    partly covers."""
    model = MonthlySellerCategorySales if by_category else MonthlySellerSales
    online, offline = channel in (None, "online"), channel in (None, "offline")
    full, partial = [], []
    for year, month in period.months():
        first = date(year, month, 1)
        last = date(year, month, calendar.monthrange(year, month)[1])
        if period.start <= first and last <= period.end:
            full.append(month_key(first))
        else:
            partial.append((max(first, period.start), min(last, period.end)))
    keys = [model.seller_id, model.month, *([model.category_id] if by_category else [])]
    figures = [(model.__table__.c[name] if (online if name.startswith(("online", "outside")) else offline)
                else literal(0)).label(name) for name in FIGURES]
    selects = [select(*keys, *figures).where(model.month.in_(full))] if full else []
    for first, last in partial:
        confirmed = SellerOrder.payment_confirmed_at
        selects.append(summed_cells(sales_cells(
            online=[confirmed >= wib_midnight_utc(first), confirmed < wib_midnight_utc(last + timedelta(days=1))]
            if online else None,
            offline=[OfflineSale.sale_date >= first, OfflineSale.sale_date <= last] if offline else None,
            by_category=by_category), by_category))
    return union_all(*selects).subquery("summary_cells" if not by_category else "summary_category_cells")


def _summary_aggregates(session: Session, period: Period, filters: Filters, dimensions: tuple[str | None, ...],
                        approved_by: date) -> dict[str | None, list[Row]]:
    """`_query_aggregates` for dimensions of whole transactions (total, month, channel, seller) and
    category, from the summaries: one statement over some 60,000 seller-months a year. The total's
    distinct orders and buyers come from the links; the other rows have none (None)."""
    apply_pending(session)
    approved_utc = wib_midnight_utc(approved_by + timedelta(days=1))
    is_approved = and_(SellerProfile.approved_at.is_not(None), SellerProfile.approved_at < approved_utc)

    def with_approval(cells):
        return (select(cells, case((is_approved, cells.c.seller_id), else_=null()).label("approved_seller_id"))
                .join(SellerProfile, SellerProfile.id == cells.c.seller_id).cte())

    by_seller = with_approval(_summary_cells(period, filters.channel, False)) if set(dimensions) - {"category"} \
        else None
    by_category = with_approval(_summary_cells(period, filters.channel, True)) if "category" in dimensions else None

    def active(cells, transactions, *, once=False):
        """Approved sellers with a transaction; `once`: each seller has one cell in the group."""
        seller = case((transactions > 0, cells.c.approved_seller_id), else_=null())
        return func.count(seller) if once else func.count(func.distinct(seller))

    def sums(*columns):
        return [func.coalesce(func.sum(column), 0) for column in columns]

    groupings = []
    if {None, "channel"} & set(dimensions):
        # The total and both channels in one pass over the cells.
        c = by_seller.c
        totals = select(
            *sums(c.online_value + c.offline_value, c.online_value, c.offline_value,
                  c.online_transactions + c.offline_transactions, c.online_transactions, c.offline_transactions,
                  c.outside_value),
            active(by_seller, c.online_transactions + c.offline_transactions).label("active"),
            active(by_seller, c.online_transactions).label("active_online"),
            active(by_seller, c.offline_transactions).label("active_offline"),
        ).cte("totals")
        value, online, offline, transactions, online_transactions, offline_transactions, outside = (
            totals.c[index] for index in range(7))
        zero = literal(0)
        for tag, dimension in enumerate(dimensions):
            if dimension is None:
                groupings.append(select(literal(tag), cast(zero, String), value, online, transactions,
                                        totals.c.active, outside))
            elif dimension == "channel":
                groupings.append(select(literal(tag), cast(literal("online"), String), online, online,
                                        online_transactions, totals.c.active_online, outside))
                groupings.append(select(literal(tag), cast(literal("offline"), String), offline, zero,
                                        offline_transactions, totals.c.active_offline, zero))
    for tag, dimension in enumerate(dimensions):
        if dimension in (None, "channel"):
            continue
        cells = by_category if dimension == "category" else by_seller
        c = cells.c
        transactions = c.online_transactions + c.offline_transactions
        key = func.nullif(c.category_id, 0) if dimension == "category" else c[
            {"month": "month", "seller": "seller_id"}[dimension]]
        # A seller has one cell a month: counting them needs no DISTINCT by month, nor by seller.
        groupings.append(select(literal(tag), cast(key, String),
                                *sums(c.online_value + c.offline_value, c.online_value, transactions),
                                active(cells, transactions, once=dimension == "month") if dimension != "seller"
                                else func.max(case((transactions > 0, cells.c.approved_seller_id), else_=null()))
                                .is_not(None).cast(Integer),
                                *sums(c.outside_value)).group_by(key))
    rows: dict[str | None, list[Row]] = {dimension: [] for dimension in dimensions}
    query = groupings[0] if len(groupings) == 1 else union_all(*groupings)
    for tag, key, gmv, online, transactions_count, active, outside in session.execute(query):
        if not transactions_count:
            continue
        dimension = dimensions[tag]
        orders = buyers = None
        if dimension is None:
            orders, buyers, _repeat = (_link_counts(session, (period,))[0] if filters.channel != "offline"
                                       else (0, 0, 0))
        gmv, online = int(gmv), int(online)
        rows[dimension].append(Row(key=_group_key(dimension, key), gmv=gmv, gmv_online=online,
                                   gmv_offline=gmv - online, transactions=int(transactions_count),
                                   orders=orders, buyers=buyers, sellers_active=int(active),
                                   value_outside_blitar=int(outside)))
    return rows


def _link_counts(session: Session, periods: tuple[Period, ...]) -> list[tuple[int, int, int]]:
    """(distinct orders, distinct buyers, repeat buyers) of each period, from the paid parts' links
    (one statement per period, once in a `shared_results()` block).

    A part of the period is its order's first in the period when the order's previous part was
    confirmed before the period (or there is none), and the same for its buyer. A buyer is a
    repeat buyer when that first part has an earlier one, or else when the buyer's second order
    began before the period's end.
    """
    results = _SHARED.get()
    known = results if results is not None else {}
    keys = [("links", id(session), period) for period in periods]
    missing = [period for period, key in zip(periods, keys) if key not in known]
    if missing:
        apply_pending(session)
        link = PaidPartLink
        for period in missing:
            start, end = period.utc_bounds()
            first_of_buyer = and_(link.buyer_key.is_not(None),
                                  or_(link.prev_buyer_at.is_(None), link.prev_buyer_at < start))
            repeat = or_(link.prev_buyer_at < start, and_(link.prev_buyer_at.is_(None), link.second_order_at < end))
            counts = session.execute(
                select(func.count().filter(or_(link.prev_order_at.is_(None), link.prev_order_at < start)),
                       func.count().filter(first_of_buyer), func.count().filter(and_(first_of_buyer, repeat)))
                .where(link.confirmed_at >= start, link.confirmed_at < end)).one()
            known[("links", id(session), period)] = tuple(int(count) for count in counts)
    return [known[key] for key in keys]


def prefetch(session: Session, period: Period, filters: Filters | None, dimensions, *,
             with_buyers: bool = True) -> None:
    """Inside `shared_results()`: read at once what `indicators` for the period and for the previous
    one and `breakdown` by each of `dimensions` (`with_buyers` as given) will ask for, so that they
    find it computed: the period's total, breakdowns and per-seller values in one statement (the
    period's sales are read once instead of once per breakdown), the previous period's in another,
    and both periods' repeat buyers in a third. Outside such a block it does nothing.
    """
    results = _SHARED.get()
    if results is None:
        return
    for dimension in dimensions:
        if dimension not in DIMENSIONS:
            raise IndicatorError("unknown_dimension", "dimension")
    filters = filters or Filters()
    category_ids = _prepare(session, period, filters)
    previous = period.previous()
    if filters.channel != "offline" and _summarised(session, filters, category_ids):
        _link_counts(session, (period, previous))
    _aggregates(session, period, filters, tuple(dict.fromkeys((None, *dimensions, "seller"))), category_ids, None,
                with_buyers)
    _aggregates(session, previous, filters, (None, "seller"), category_ids, None, with_buyers)
    if filters.channel != "offline":
        counts = _count_repeat_buyers(session, (period, previous), filters, category_ids)
        for one, count in zip((period, previous), counts):
            results[_repeat_key(session, one, filters, category_ids)] = count


def _sellers_registered(session: Session, period: Period, filters: Filters,
                        category_ids: list[int] | None) -> tuple[int, int]:
    """(approved on or before the end, approved within the period), under the seller filters."""
    start_utc, end_utc = period.utc_bounds()
    conditions = [SellerProfile.approved_at.is_not(None), SellerProfile.approved_at < end_utc,
                  *_seller_conditions(session, filters, SellerProfile.id)]
    if category_ids is not None:
        conditions.append(SellerProfile.id.in_(select(Product.seller_id).where(Product.category_id.in_(category_ids))))
    registered, new = session.execute(
        select(func.count(SellerProfile.id),
               func.count(case((SellerProfile.approved_at >= start_utc, SellerProfile.id), else_=null())))
        .where(*conditions)
    ).one()
    return int(registered), int(new)


def _repeat_key(session: Session, period: Period, filters: Filters, category_ids: list[int] | None) -> tuple:
    return ("repeat", id(session), period, filters, tuple(category_ids) if category_ids is not None else None)


def _repeat_buyers(session: Session, period: Period, filters: Filters, category_ids: list[int] | None) -> int:
    """Buyers of the period with a paid order before its start or two or more paid orders within it."""
    if filters.channel == "offline":
        return 0
    key = _repeat_key(session, period, filters, category_ids)
    return _shared(key, lambda: _count_repeat_buyers(session, (period,), filters, category_ids)[0])


def _count_repeat_buyers(session: Session, periods: tuple[Period, ...], filters: Filters,
                         category_ids: list[int] | None) -> list[int]:
    """The repeat buyers of each period, reading the paid history up to the last period's end once."""
    if _summarised(session, filters, category_ids):
        return [repeat for _orders, _buyers, repeat in _link_counts(session, periods)]
    bounds = [period.utc_bounds() for period in periods]
    confirmed = SellerOrder.payment_confirmed_at
    buyer = buyer_key()
    columns = []
    for index, (start_utc, end_utc) in enumerate(bounds):
        within = case((and_(confirmed >= start_utc, confirmed < end_utc), SellerOrder.order_id), else_=null())
        columns += [func.count(func.distinct(within)).label(f"within_{index}"),
                    func.max(case((confirmed < start_utc, 1), else_=0)).label(f"before_{index}")]
    query = (
        select(buyer.label("buyer"), *columns)
        .select_from(SellerOrder)
        .join(Order, Order.id == SellerOrder.order_id)
        .where(confirmed.is_not(None), confirmed < max(end for _, end in bounds),
               SellerOrder.status.not_in(_EXCLUDED_PARTS),
               *_seller_conditions(session, filters, SellerOrder.seller_id))
        .group_by(buyer)
    )
    if category_ids is not None:
        query = query.where(_has_line_in(category_ids))
    buyers = query.subquery()
    counts = session.execute(select(*(
        func.coalesce(func.sum(case((and_(buyers.c[f"within_{index}"] > 0,
                                          or_(buyers.c[f"within_{index}"] >= 2, buyers.c[f"before_{index}"] == 1)),
                                     1), else_=0)), 0)
        for index in range(len(periods))))).one()
    return [int(count) for count in counts]


def _seller_values(session: Session, period: Period, filters: Filters,
                   category_ids: list[int] | None) -> dict[int, int]:
    """Sales value per seller in the period under the filters, for the growth indicator: the `gmv` of
    the "seller" breakdown's rows when `prefetch` read them, else a lighter query (sums only)."""
    results = _SHARED.get() or {}
    for with_buyers in (True, False):
        seller_rows = results.get(_aggregate_key(session, period, filters, "seller", category_ids, None, with_buyers))
        if seller_rows is not None:         # `prefetch` read the seller breakdown already
            return {row.key: row.gmv for row in seller_rows}
    if _summarised(session, filters, category_ids):
        seller_rows = _aggregates(session, period, filters, ("seller",), category_ids, None, False)["seller"]
        return {row.key: row.gmv for row in seller_rows}
    key = ("seller_values", id(session), period, filters, tuple(category_ids) if category_ids is not None else None)
    return dict(_shared(key, lambda: _sum_seller_values(session, period, filters, category_ids)))


def _sum_seller_values(session: Session, period: Period, filters: Filters,
                       category_ids: list[int] | None) -> dict[int, int]:
    start_utc, end_utc = period.utc_bounds()
    values: dict[int, int] = {}
    queries = []
    if filters.channel in (None, "online"):
        value = line_value()
        online = (
            select(SellerOrder.seller_id, func.sum(value))
            .select_from(OrderLine)
            .join(SellerOrder, SellerOrder.id == OrderLine.seller_order_id)
            .where(SellerOrder.payment_confirmed_at >= start_utc, SellerOrder.payment_confirmed_at < end_utc,
                   SellerOrder.status.not_in(_EXCLUDED_PARTS),
                   *_seller_conditions(session, filters, SellerOrder.seller_id))
            .group_by(SellerOrder.seller_id)
        )
        if category_ids is not None:
            online = online.join(Product, Product.id == OrderLine.product_id).where(
                Product.category_id.in_(category_ids))
        queries.append(online)
    if filters.channel in (None, "offline"):
        offline = (
            select(OfflineSale.seller_id, func.sum(OfflineSale.value))
            .where(OfflineSale.voided_at.is_(None), OfflineSale.sale_date >= period.start,
                   OfflineSale.sale_date <= period.end,
                   *_seller_conditions(session, filters, OfflineSale.seller_id))
            .group_by(OfflineSale.seller_id)
        )
        if category_ids is not None:
            offline = offline.join(Product, Product.id == OfflineSale.product_id).where(
                Product.category_id.in_(category_ids))
        queries.append(offline)
    for query in queries:
        for seller_id, amount in session.execute(query):
            values[seller_id] = values.get(seller_id, 0) + int(amount or 0)
    return values


def _prepare(session: Session, period: Period, filters: Filters) -> list[int] | None:
    if not isinstance(period, Period) or not isinstance(filters, Filters):
        raise IndicatorError("invalid_input")
    check_filters(session, filters)
    return _category_ids(session, filters.category_id) if filters.category_id is not None else None


@with_shared_results
def indicators(session: Session, period: Period, filters: Filters | None = None) -> Indicators:
    """Every indicator of the specification for `period` under `filters` (a fixed handful of queries)."""
    filters = filters or Filters()
    category_ids = _prepare(session, period, filters)
    total = next(iter(_aggregate(session, period, filters, None, category_ids)), Row())
    registered, new = _sellers_registered(session, period, filters, category_ids)
    repeat = _repeat_buyers(session, period, filters, category_ids)
    now_by_seller = _seller_values(session, period, filters, category_ids)
    previous = _seller_values(session, period.previous(), filters, category_ids)
    base = [value for value in previous.values() if value > 0]
    growing = sum(1 for seller_id, value in previous.items()
                  if value > 0 and now_by_seller.get(seller_id, 0) * 100 >= value * GROWTH_PERCENT)
    return Indicators(
        period=period,
        gmv=total.gmv,
        gmv_by_channel={"online": total.gmv_online, "offline": total.gmv_offline},
        transactions=total.transactions,
        orders=total.orders,
        aov=total.aov,
        buyers=total.buyers,
        repeat_buyers=repeat,
        repeat_buyer_rate=_rate(repeat, total.buyers),
        sellers_registered=registered,
        sellers_new=new,
        sellers_active=total.sellers_active,
        active_rate=_rate(total.sellers_active, registered),
        value_outside_blitar=total.value_outside_blitar,
        reach_outside_blitar=total.reach_outside_blitar,
        sellers_with_previous_sales=len(base),
        sellers_growing=growing,
        sellers_growing_share=_rate(growing, len(base)),
    )


@with_shared_results
def breakdown(session: Session, period: Period, filters: Filters | None, dimension: str, *,
              with_buyers: bool = True) -> Breakdown:
    """The summable indicators split by `dimension` (see DIMENSIONS), with the unsplit total.

    Rows are ordered by key (months, channels, ids, codes), the None row last; a month or
    channel with no sales has no row. Without buyers the rows' distinct `orders` and `buyers`
    are None (the total still has them): pages that show neither skip their costly counting.
    """
    if dimension not in DIMENSIONS:
        raise IndicatorError("unknown_dimension", "dimension")
    filters = filters or Filters()
    category_ids = _prepare(session, period, filters)
    found = _aggregates(session, period, filters, (None, dimension), category_ids, None, with_buyers)
    rows = [replace(row) for row in found[dimension]]
    total = next(iter(found[None]), Row())
    rows.sort(key=lambda row: (row.key is None, str(row.key) if dimension in ("month", "channel", "kecamatan")
                               else (row.key or 0)))
    return Breakdown(dimension=dimension, rows=rows, total=total)


# ---- before / after training ------------------------------------------------------------------

def _add_months(year: int, month: int, count: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + count
    return index // 12, index % 12 + 1


def _month_first(ym: tuple[int, int]) -> date:
    return date(ym[0], ym[1], 1)


def _month_last(ym: tuple[int, int]) -> date:
    return date(ym[0], ym[1], calendar.monthrange(*ym)[1])


def data_start(session: Session) -> date | None:
    """The first WIB date the marketplace has a sale for (online or offline), or None."""
    first_online = session.execute(
        select(func.min(SellerOrder.payment_confirmed_at))
        .where(SellerOrder.payment_confirmed_at.is_not(None), SellerOrder.status.not_in(_EXCLUDED_PARTS))
    ).scalar_one()
    first_offline = session.execute(
        select(func.min(OfflineSale.sale_date)).where(OfflineSale.voided_at.is_(None))).scalar_one()
    candidates = []
    if first_online is not None:
        if first_online.tzinfo is None:      # min() over a TypeDecorator column comes back raw on some engines
            first_online = first_online.replace(tzinfo=UTC)
        candidates.append(first_online.astimezone(WIB).date())
    if first_offline is not None:
        candidates.append(first_offline if isinstance(first_offline, date) else date.fromisoformat(str(first_offline)))
    return min(candidates) if candidates else None


@with_shared_results
def before_after(session: Session, seller_id: int, *, today: date) -> list[TrainingComparison]:
    """For each cohort the seller completed: average monthly sales value over the complete months
    after the completion date (at most 6) and before it (at most 6) that the marketplace has data for.

    A month counts when it lies wholly on one side of the completion date, wholly on or after the
    marketplace's first sale date, and is over before `today` (WIB). Months without sales count as 0.
    Averages are rounded to whole rupiah; `enough_data` is False unless both sides have a month.
    """
    completions = session.execute(
        select(SellerCohort.cohort_id, SellerCohort.completed_on)
        .where(SellerCohort.seller_id == seller_id).order_by(SellerCohort.completed_on, SellerCohort.cohort_id)
    ).all()
    if not completions:
        return []
    first = data_start(session)
    plans = []
    for cohort_id, completed_on in completions:
        before, after = [], []
        if first is not None:
            ym = _add_months(completed_on.year, completed_on.month, -1)
            while len(before) < BEFORE_AFTER_MONTHS and _month_first(ym) >= first:
                before.append(ym)
                ym = _add_months(*ym, -1)
            before.reverse()
            ym = _add_months(completed_on.year, completed_on.month, 1)
            while len(after) < BEFORE_AFTER_MONTHS and _month_last(ym) < today and _month_first(ym) >= first:
                after.append(ym)
                ym = _add_months(*ym, 1)
        plans.append((cohort_id, completed_on, before, after))
    wanted = sorted({ym for *_, before, after in plans for ym in before + after})
    by_month: dict[str, int] = {}
    if wanted:
        period = Period(_month_first(wanted[0]), _month_last(wanted[-1]))
        for row in _aggregate(session, period, Filters(seller_id=seller_id), "month", None):
            by_month[row.key] = row.gmv
    result = []
    for cohort_id, completed_on, before, after in plans:
        def average(months):
            if not months:
                return None
            return _round_div(sum(by_month.get(f"{y:04d}-{m:02d}", 0) for y, m in months), len(months))
        result.append(TrainingComparison(cohort_id=cohort_id, completed_on=completed_on, months_before=before,
                                         months_after=after, average_before=average(before),
                                         average_after=average(after)))
    return result

