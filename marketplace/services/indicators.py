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
- Filters: training type / cohort / kecamatan select sellers; category selects sales of products
  in that category or its sub-categories (offline sales without a product never match it);
  channel selects sales. `sellers_registered` / `sellers_new` follow the seller filters, and with
  a category filter count sellers having a product in it; the channel filter leaves them alone.
- "Approved" means `approved_at` set (the first approval, kept on later suspension) and on or
  before the period's end; `sellers_active` counts only such sellers, so active_rate <= 1.
- Repeat buyers: the "paid order before the period's start" is looked for under the same filters.
- `sellers_growing` is among sellers whose previous-period sales value is above zero (growth from
  zero has no ratio); growing means value * 100 >= previous * 115 in whole rupiah.

Queries: WIB dates become UTC bounds in Python; months are bucketed in SQL with a CASE over the
UTC bounds of each WIB month, so the same SQL runs on SQLite and PostgreSQL and each call makes
a fixed number of queries whatever the data size. Inside `shared_results()` an aggregate asked
for twice (the dashboard needs the same totals for every breakdown) runs once.
"""
from __future__ import annotations

import calendar
import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import (
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
    DeliveryMethod,
    OfflineSale,
    Order,
    OrderLine,
    PartStatus,
    Product,
    SellerCohort,
    SellerOrder,
    SellerProfile,
    TrainingType,
)
from marketplace.regions import BLITAR_REGENCIES, KECAMATAN_BY_CODE

CHANNELS = ("online", "offline")
DIMENSIONS = ("month", "channel", "training_type", "cohort", "kecamatan", "category", "seller")
MAX_PERIOD_DAYS = 3700          # about ten years: enough for any programme report
EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2100, 12, 31)
GROWTH_PERCENT = 115
BEFORE_AFTER_MONTHS = 6
_EXCLUDED_PARTS = (PartStatus.CANCELLED, PartStatus.REFUNDED)
# Results of the aggregate queries within one `shared_results()` block, keyed by the query's inputs.
_SHARED: ContextVar[dict | None] = ContextVar("indicator_results", default=None)


@contextlib.contextmanager
def shared_results() -> Iterator[None]:
    """Within the block, an aggregate query already run with the same inputs is not run again.

    For one read-only computation (a dashboard page, an export): the data must not change
    inside the block.
    """
    token = _SHARED.set({})
    try:
        yield
    finally:
        _SHARED.reset(token)


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


def wib_midnight_utc(day: date) -> datetime:
    """00:00 WIB of `day`, as an aware UTC datetime."""
    return datetime.combine(day, time(0), tzinfo=WIB).astimezone(UTC)


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
    orders: int = 0
    buyers: int = 0
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


def _seller_conditions(filters: Filters, seller_id_column) -> list:
    conditions = []
    if filters.cohort_id is not None:
        conditions.append(seller_id_column.in_(
            select(SellerCohort.seller_id).where(SellerCohort.cohort_id == filters.cohort_id)))
    if filters.training_type_id is not None:
        conditions.append(seller_id_column.in_(
            select(SellerCohort.seller_id).join(Cohort, Cohort.id == SellerCohort.cohort_id)
            .where(Cohort.training_type_id == filters.training_type_id)))
    if filters.kecamatan_code is not None:
        conditions.append(seller_id_column.in_(
            select(SellerProfile.id).where(SellerProfile.kecamatan_code == filters.kecamatan_code)))
    if filters.seller_id is not None:
        conditions.append(seller_id_column == filters.seller_id)
    return conditions


def _month_case(column, months: list[tuple[int, int]], *, utc: bool):
    """SQL CASE giving "YYYY-MM" (WIB month) for a UTC timestamp or a WIB date column."""
    whens = []
    for year, month in months:
        last = calendar.monthrange(year, month)[1]
        after = date(year, month, last) + timedelta(days=1)
        bound = wib_midnight_utc(after) if utc else after
        whens.append((column < bound, literal(f"{year:04d}-{month:02d}")))
    return case(*whens, else_=null())


def _dimension_columns(dimension: str | None, months: list[tuple[int, int]]):
    """(online key expression, offline key expression, extra joins needed) for a breakdown."""
    line_category = Product.category_id
    if dimension is None:
        return None, None
    if dimension == "month":
        return (_month_case(SellerOrder.payment_confirmed_at, months, utc=True),
                _month_case(OfflineSale.sale_date, months, utc=False))
    if dimension == "channel":
        return literal("online"), literal("offline")
    if dimension == "seller":
        return SellerOrder.seller_id, OfflineSale.seller_id
    if dimension == "kecamatan":
        return SellerProfile.kecamatan_code, SellerProfile.kecamatan_code
    if dimension == "category":
        return line_category, line_category
    if dimension in ("cohort", "training_type"):
        return None, None       # replaced by the membership subquery's group_id
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


def _facts(start_utc: datetime, end_utc: datetime, start: date, end: date, filters: Filters,
           dimension: str | None, months: list[tuple[int, int]], approved_by: date, category_ids: list[int] | None):
    """A UNION ALL of online sale lines and offline sales in the bounds, one row per line / record."""
    membership = _membership(dimension)
    online_key, offline_key = _dimension_columns(dimension, months)
    if membership is not None:
        online_key = offline_key = membership.c.group_id
    approved_utc = wib_midnight_utc(approved_by + timedelta(days=1))
    is_approved = and_(SellerProfile.approved_at.is_not(None), SellerProfile.approved_at < approved_utc)
    outside = and_(SellerOrder.delivery_method != DeliveryMethod.PICKUP,
                   Order.regency_code.not_in(list(BLITAR_REGENCIES)))
    value = OrderLine.unit_price * OrderLine.quantity - OrderLine.refunded_amount
    buyer_key = func.coalesce(cast(Order.buyer_id, String),
                              literal("guest:") + func.lower(func.trim(Order.buyer_email)))
    needs_product = category_ids is not None or dimension == "category"
    selects = []
    if filters.channel in (None, "online"):
        online = (
            select(
                (online_key if online_key is not None else literal(0)).label("key"),
                SellerOrder.seller_id.label("seller_id"),
                case((is_approved, SellerOrder.seller_id), else_=null()).label("approved_seller_id"),
                value.label("value"),
                value.label("online_value"),
                case((outside, value), else_=literal(0)).label("outside_value"),
                SellerOrder.id.label("part_id"),
                cast(null(), OfflineSale.id.type).label("offline_id"),
                SellerOrder.order_id.label("order_id"),
                buyer_key.label("buyer_key"),
            )
            .select_from(OrderLine)
            .join(SellerOrder, SellerOrder.id == OrderLine.seller_order_id)
            .join(Order, Order.id == SellerOrder.order_id)
            .join(SellerProfile, SellerProfile.id == SellerOrder.seller_id)
            .where(SellerOrder.payment_confirmed_at >= start_utc, SellerOrder.payment_confirmed_at < end_utc,
                   SellerOrder.status.not_in(_EXCLUDED_PARTS),
                   *_seller_conditions(filters, SellerOrder.seller_id))
        )
        if needs_product:
            online = online.outerjoin(Product, Product.id == OrderLine.product_id)
        if category_ids is not None:
            online = online.where(Product.category_id.in_(category_ids))
        if membership is not None:
            online = online.outerjoin(membership, membership.c.seller_id == SellerOrder.seller_id)
        selects.append(online)
    if filters.channel in (None, "offline"):
        offline = (
            select(
                (offline_key if offline_key is not None else literal(0)).label("key"),
                OfflineSale.seller_id.label("seller_id"),
                case((is_approved, OfflineSale.seller_id), else_=null()).label("approved_seller_id"),
                OfflineSale.value.label("value"),
                literal(0).label("online_value"),
                literal(0).label("outside_value"),
                cast(null(), SellerOrder.id.type).label("part_id"),
                OfflineSale.id.label("offline_id"),
                cast(null(), SellerOrder.order_id.type).label("order_id"),
                cast(null(), String).label("buyer_key"),
            )
            .select_from(OfflineSale)
            .join(SellerProfile, SellerProfile.id == OfflineSale.seller_id)
            .where(OfflineSale.voided_at.is_(None), OfflineSale.sale_date >= start, OfflineSale.sale_date <= end,
                   *_seller_conditions(filters, OfflineSale.seller_id))
        )
        if needs_product:
            offline = offline.outerjoin(Product, Product.id == OfflineSale.product_id)
        if category_ids is not None:
            offline = offline.where(Product.category_id.in_(category_ids))
        if membership is not None:
            offline = offline.outerjoin(membership, membership.c.seller_id == OfflineSale.seller_id)
        selects.append(offline)
    return union_all(*selects).subquery("facts")


def _aggregate(session: Session, period: Period, filters: Filters, dimension: str | None,
               category_ids: list[int] | None, *, approved_by: date | None = None) -> list[Row]:
    key = ("aggregate", id(session), period, filters, dimension,
           tuple(category_ids) if category_ids is not None else None, approved_by or period.end)
    rows = _shared(key, lambda: _run_aggregate(session, period, filters, dimension, category_ids, approved_by))
    return [replace(row) for row in rows]


def _run_aggregate(session: Session, period: Period, filters: Filters, dimension: str | None,
                   category_ids: list[int] | None, approved_by: date | None) -> list[Row]:
    start_utc, end_utc = period.utc_bounds()
    facts = _facts(start_utc, end_utc, period.start, period.end, filters, dimension, period.months(),
                   approved_by or period.end, category_ids)
    # One row per transaction in each group first (a part's lines summed; an offline sale is one
    # row already): counting them needs no DISTINCT, and the other DISTINCTs see fewer rows.
    # Order, buyer and approval are the part's own, so max() just carries them.
    sales = (
        select(facts.c.key,
               func.sum(facts.c.value).label("value"),
               func.sum(facts.c.online_value).label("online_value"),
               func.sum(facts.c.outside_value).label("outside_value"),
               func.max(facts.c.order_id).label("order_id"),
               func.max(facts.c.buyer_key).label("buyer_key"),
               func.max(facts.c.approved_seller_id).label("approved_seller_id"))
        .group_by(facts.c.key, facts.c.part_id, facts.c.offline_id)
        .subquery("sales")
    )
    query = select(
        sales.c.key,
        func.coalesce(func.sum(sales.c.value), 0),
        func.coalesce(func.sum(sales.c.online_value), 0),
        func.count(),
        func.count(func.distinct(sales.c.order_id)),
        func.count(func.distinct(sales.c.buyer_key)),
        func.count(func.distinct(sales.c.approved_seller_id)),
        func.coalesce(func.sum(sales.c.outside_value), 0),
    ).group_by(sales.c.key)
    rows = []
    for key, gmv, online, transactions, orders, buyers, active, outside in session.execute(query):
        gmv, online = int(gmv), int(online)
        rows.append(Row(key=key, gmv=gmv, gmv_online=online, gmv_offline=gmv - online,
                        transactions=int(transactions), orders=int(orders), buyers=int(buyers),
                        sellers_active=int(active), value_outside_blitar=int(outside)))
    return rows


def _sellers_registered(session: Session, period: Period, filters: Filters,
                        category_ids: list[int] | None) -> tuple[int, int]:
    """(approved on or before the end, approved within the period), under the seller filters."""
    start_utc, end_utc = period.utc_bounds()
    conditions = [SellerProfile.approved_at.is_not(None), SellerProfile.approved_at < end_utc,
                  *_seller_conditions(filters, SellerProfile.id)]
    if category_ids is not None:
        conditions.append(SellerProfile.id.in_(select(Product.seller_id).where(Product.category_id.in_(category_ids))))
    registered, new = session.execute(
        select(func.count(SellerProfile.id),
               func.count(case((SellerProfile.approved_at >= start_utc, SellerProfile.id), else_=null())))
        .where(*conditions)
    ).one()
    return int(registered), int(new)


def _repeat_buyers(session: Session, period: Period, filters: Filters, category_ids: list[int] | None) -> int:
    """Buyers of the period with a paid order before its start or two or more paid orders within it."""
    if filters.channel == "offline":
        return 0
    key = ("repeat", id(session), period, filters, tuple(category_ids) if category_ids is not None else None)
    return _shared(key, lambda: _count_repeat_buyers(session, period, filters, category_ids))


def _count_repeat_buyers(session: Session, period: Period, filters: Filters, category_ids: list[int] | None) -> int:
    start_utc, end_utc = period.utc_bounds()
    confirmed = SellerOrder.payment_confirmed_at
    buyer_key = func.coalesce(cast(Order.buyer_id, String),
                              literal("guest:") + func.lower(func.trim(Order.buyer_email)))
    within = case((confirmed >= start_utc, SellerOrder.order_id), else_=null())
    before = case((confirmed < start_utc, 1), else_=0)
    query = (
        select(buyer_key.label("buyer"), func.count(func.distinct(within)).label("orders_within"),
               func.max(before).label("before"))
        .select_from(OrderLine)
        .join(SellerOrder, SellerOrder.id == OrderLine.seller_order_id)
        .join(Order, Order.id == SellerOrder.order_id)
        .where(confirmed.is_not(None), confirmed < end_utc, SellerOrder.status.not_in(_EXCLUDED_PARTS),
               *_seller_conditions(filters, SellerOrder.seller_id))
        .group_by(buyer_key)
    )
    if category_ids is not None:
        query = query.join(Product, Product.id == OrderLine.product_id).where(Product.category_id.in_(category_ids))
    buyers = query.subquery()
    count = session.execute(
        select(func.count()).select_from(buyers)
        .where(buyers.c.orders_within > 0, or_(buyers.c.orders_within >= 2, buyers.c.before == 1))
    ).scalar_one()
    return int(count)


def _seller_values(session: Session, period: Period, filters: Filters,
                   category_ids: list[int] | None) -> dict[int, int]:
    """Sales value per seller in the period under the filters: the `gmv` of the "seller" breakdown's
    rows, by a lighter query (sums only) for the growth indicator."""
    key = ("seller_values", id(session), period, filters, tuple(category_ids) if category_ids is not None else None)
    return dict(_shared(key, lambda: _sum_seller_values(session, period, filters, category_ids)))


def _sum_seller_values(session: Session, period: Period, filters: Filters,
                       category_ids: list[int] | None) -> dict[int, int]:
    start_utc, end_utc = period.utc_bounds()
    values: dict[int, int] = {}
    queries = []
    if filters.channel in (None, "online"):
        value = OrderLine.unit_price * OrderLine.quantity - OrderLine.refunded_amount
        online = (
            select(SellerOrder.seller_id, func.sum(value))
            .select_from(OrderLine)
            .join(SellerOrder, SellerOrder.id == OrderLine.seller_order_id)
            .where(SellerOrder.payment_confirmed_at >= start_utc, SellerOrder.payment_confirmed_at < end_utc,
                   SellerOrder.status.not_in(_EXCLUDED_PARTS), *_seller_conditions(filters, SellerOrder.seller_id))
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
                   OfflineSale.sale_date <= period.end, *_seller_conditions(filters, OfflineSale.seller_id))
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


def breakdown(session: Session, period: Period, filters: Filters | None, dimension: str) -> Breakdown:
    """The summable indicators split by `dimension` (see DIMENSIONS), with the unsplit total.

    Rows are ordered by key (months, channels, ids, codes), the None row last; a month or
    channel with no sales has no row.
    """
    if dimension not in DIMENSIONS:
        raise IndicatorError("unknown_dimension", "dimension")
    filters = filters or Filters()
    category_ids = _prepare(session, period, filters)
    rows = _aggregate(session, period, filters, dimension, category_ids)
    total = next(iter(_aggregate(session, period, filters, None, category_ids)), Row())
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

