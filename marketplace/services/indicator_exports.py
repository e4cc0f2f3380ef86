"""Officers' programme dashboard data and its exports (CSV, JSON, XLSX, transactions CSV).

All read-only except `record_export`, which writes one audit entry and commits. Every function
takes the session, a Period and Filters from services/indicators.py; each makes a fixed number
of queries whatever the data size.
"""
from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.formatting import to_wib
from marketplace.models import (
    Category,
    Cohort,
    OfflineSale,
    Order,
    OrderLine,
    Product,
    SellerCohort,
    SellerOrder,
    SellerProfile,
    TrainingType,
)
from marketplace.regions import KECAMATAN_BY_CODE
from marketplace.services import audit
from marketplace.services.indicators import (
    Breakdown,
    Filters,
    Indicators,
    Period,
    Row,
    breakdown,
    indicators,
    prefetch,
    shared_results,
    with_shared_results,
)
from marketplace.services.sales_summary import EXCLUDED_PART_STATUSES

# Breakdowns shown on the dashboard and written to the JSON / XLSX exports.
DASHBOARD_DIMENSIONS = ("month", "channel", "training_type", "cohort", "kecamatan", "category")
EXPORT_DIMENSIONS = DASHBOARD_DIMENSIONS + ("seller",)
# (key, kind): kind is "rupiah", "count" or "rate" and decides formatting.
INDICATOR_KEYS = (
    ("gmv", "rupiah"), ("gmv_online", "rupiah"), ("gmv_offline", "rupiah"), ("transactions", "count"),
    ("orders", "count"), ("aov", "rupiah"), ("buyers", "count"), ("repeat_buyers", "count"),
    ("repeat_buyer_rate", "rate"), ("sellers_registered", "count"), ("sellers_new", "count"),
    ("sellers_active", "count"), ("active_rate", "rate"), ("value_outside_blitar", "rupiah"),
    ("reach_outside_blitar", "rate"), ("sellers_with_previous_sales", "count"), ("sellers_growing", "count"),
    ("sellers_growing_share", "rate"),
)
ROW_KEYS = ("gmv", "gmv_online", "gmv_offline", "transactions", "orders", "buyers", "sellers_active",
            "value_outside_blitar")
SELLER_SORTS = ("value", "-value", "transactions", "-transactions", "growth", "-growth", "name", "-name")
_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def indicator_value(ind: Indicators, key: str):
    """One indicator by its key (the channel split lives in a dict)."""
    if key in ("gmv_online", "gmv_offline"):
        return ind.gmv_by_channel[key[4:]]
    return getattr(ind, key)


def change(current, previous):
    """Relative change from `previous` to `current` (None when there is no base to compare to)."""
    if current is None or previous in (None, 0):
        return None
    return (current - previous) / previous


def neutralise(value):
    """A spreadsheet cell that cannot run as a formula: text starting with = + - @ gets a leading quote."""
    if isinstance(value, str) and value.startswith(_DANGEROUS):
        return "'" + value
    return value


@dataclass
class Labels:
    """Names for the ids and codes that breakdown keys hold, read in one query per table."""

    training_types: dict[int, str]
    cohorts: dict[int, str]
    categories: dict[int, str]
    sellers: dict[int, str]

    def of(self, dimension: str, key) -> str:
        if key is None:
            return "-"
        if dimension == "training_type":
            return self.training_types.get(key, str(key))
        if dimension == "cohort":
            return self.cohorts.get(key, str(key))
        if dimension == "category":
            return self.categories.get(key, str(key))
        if dimension == "seller":
            return self.sellers.get(key, str(key))
        if dimension == "kecamatan":
            found = KECAMATAN_BY_CODE.get(key)
            return found.name if found else str(key)
        return str(key)


def load_labels(session: Session, locale: str, *, with_sellers: bool = False) -> Labels:
    """Names of training types, cohorts, categories (and sellers) in the reader's language."""
    types = {t.id: t.name(locale) for t in session.scalars(select(TrainingType))}
    cohorts = {c_id: f"{types.get(t_id, '')} · {name}".strip(" ·")
               for c_id, t_id, name in session.execute(select(Cohort.id, Cohort.training_type_id, Cohort.name))}
    categories = {c.id: c.name(locale) for c in session.scalars(select(Category))}
    sellers = dict(session.execute(select(SellerProfile.id, SellerProfile.shop_name)).all()) if with_sellers else {}
    return Labels(types, cohorts, categories, sellers)


@dataclass
class Report:
    """Everything the dashboard and the full exports show for one period and filters."""

    period: Period
    filters: Filters
    current: Indicators
    previous: Indicators
    breakdowns: dict[str, Breakdown]


def build_report(session: Session, period: Period, filters: Filters, dimensions=DASHBOARD_DIMENSIONS, *,
                 with_buyers: bool = True) -> Report:
    """Indicators for the period and the previous one, plus the breakdowns (IndicatorError if bad).

    `with_buyers=False` for pages whose breakdown tables show no orders or buyers (the dashboard,
    the PDF report): their rows then leave those None, which is much quicker to read.
    """
    with shared_results():     # what the calls below ask for is read once, by prefetch
        prefetch(session, period, filters, dimensions, with_buyers=with_buyers)
        current = indicators(session, period, filters)
        previous = indicators(session, period.previous(), filters)
        parts = {dimension: breakdown(session, period, filters, dimension, with_buyers=with_buyers)
                 for dimension in dimensions}
    return Report(period, filters, current, previous, parts)


def month_rows(result: Breakdown, period: Period) -> list[Row]:
    """A month breakdown's rows with every month of the period, months without sales as zero rows."""
    found = {row.key: row for row in result.rows}
    keys = [f"{year:04d}-{month:02d}" for year, month in period.months()]
    return [found.get(key) or Row(key=key) for key in keys]


def filters_dict(filters: Filters) -> dict:
    return {name: getattr(filters, name) for name in
            ("training_type_id", "cohort_id", "kecamatan_code", "category_id", "channel")}


# ---- producers table --------------------------------------------------------------------------

@dataclass
class SellerLine:
    seller_id: int
    shop_name: str
    kecamatan_code: str | None
    value: int
    transactions: int
    previous_value: int
    first_sale: date | None
    last_sale: date | None

    @property
    def active(self) -> bool:
        return self.transactions > 0

    @property
    def growth(self) -> float | None:
        return change(self.value, self.previous_value)


def _sale_dates(session: Session, period: Period, filters: Filters) -> dict[int, tuple[date, date]]:
    """First and last WIB sale date per seller in the period under the channel and category filters
    (two queries; the seller filters need no repeating as callers look up sellers already selected)."""
    from marketplace.services.indicators import _category_ids

    category_ids = _category_ids(session, filters.category_id) if filters.category_id is not None else None
    start_utc, end_utc = period.utc_bounds()
    dates: dict[int, list[date]] = {}
    if filters.channel in (None, "online"):
        query = (select(SellerOrder.seller_id, SellerOrder.payment_confirmed_at).distinct()
                 .select_from(OrderLine).join(SellerOrder, SellerOrder.id == OrderLine.seller_order_id)
                 .outerjoin(Product, Product.id == OrderLine.product_id)
                 .where(SellerOrder.payment_confirmed_at >= start_utc, SellerOrder.payment_confirmed_at < end_utc,
                        SellerOrder.status.not_in(EXCLUDED_PART_STATUSES)))
        if category_ids is not None:
            query = query.where(Product.category_id.in_(category_ids))
        for seller_id, moment in session.execute(query):
            dates.setdefault(seller_id, []).append(to_wib(moment).date())
    if filters.channel in (None, "offline"):
        query = (select(OfflineSale.seller_id, OfflineSale.sale_date)
                 .outerjoin(Product, Product.id == OfflineSale.product_id)
                 .where(OfflineSale.voided_at.is_(None), OfflineSale.sale_date >= period.start,
                        OfflineSale.sale_date <= period.end))
        if category_ids is not None:
            query = query.where(Product.category_id.in_(category_ids))
        for seller_id, day in session.execute(query):
            dates.setdefault(seller_id, []).append(day)
    return {seller_id: (min(days), max(days)) for seller_id, days in dates.items()}


def seller_table(session: Session, period: Period, filters: Filters, sort: str = "-value") -> list[SellerLine]:
    """Per producer with sales in this or the previous period: value, transactions, first/last sale, growth."""
    now = {row.key: row for row in breakdown(session, period, filters, "seller", with_buyers=False).rows}
    before = {row.key: row.gmv for row in breakdown(session, period.previous(), filters, "seller",
                                                    with_buyers=False).rows}
    ids = sorted(set(now) | set(before))
    profiles = {p.id: p for p in session.scalars(select(SellerProfile).where(SellerProfile.id.in_(ids)))} if ids else {}
    dates = _sale_dates(session, period, filters) if ids else {}
    lines = []
    for seller_id in ids:
        profile = profiles.get(seller_id)
        row = now.get(seller_id)
        first, last = dates.get(seller_id, (None, None)) if row else (None, None)
        lines.append(SellerLine(seller_id, profile.shop_name if profile else str(seller_id),
                                profile.kecamatan_code if profile else None, row.gmv if row else 0,
                                row.transactions if row else 0, before.get(seller_id, 0), first, last))
    key = sort.lstrip("-") if sort in SELLER_SORTS else "value"
    reverse = sort.startswith("-") if sort in SELLER_SORTS else True
    sorters = {
        "value": lambda line: (line.value, line.shop_name.lower()),
        "transactions": lambda line: (line.transactions, line.shop_name.lower()),
        "growth": lambda line: (line.growth is not None, line.growth or 0, line.shop_name.lower()),
        "name": lambda line: line.shop_name.lower(),
    }
    return sorted(lines, key=sorters[key], reverse=reverse)


# ---- exports ----------------------------------------------------------------------------------

def _csv(rows: list[list]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])
    return buffer.getvalue()


def indicator_table(report: Report) -> list[list]:
    """Header plus one row per indicator: key, value, previous period's value, change."""
    rows = [["indicator", "value", "previous_value", "change"]]
    for key, _kind in INDICATOR_KEYS:
        value, previous = indicator_value(report.current, key), indicator_value(report.previous, key)
        rows.append([key, value, previous, change(value, previous)])
    return rows


def breakdown_table(result: Breakdown, labels: Labels) -> list[list]:
    """Header plus one row per group and a total row."""
    rows = [["key", "label", *ROW_KEYS]]
    for row in result.rows:
        rows.append([row.key, labels.of(result.dimension, row.key), *(getattr(row, k) for k in ROW_KEYS)])
    rows.append(["total", "", *(getattr(result.total, k) for k in ROW_KEYS)])
    return rows


def indicators_csv(report: Report) -> str:
    header = [["period_start", report.period.start.isoformat(), "period_end", report.period.end.isoformat()]]
    return _csv(header + indicator_table(report))


def breakdown_csv(result: Breakdown, labels: Labels) -> str:
    return _csv(breakdown_table(result, labels))


def _indicators_json(ind: Indicators) -> dict:
    return {
        "period": {"start": ind.period.start.isoformat(), "end": ind.period.end.isoformat()},
        **{key: indicator_value(ind, key) for key, _kind in INDICATOR_KEYS},
    }


def report_json(report: Report, labels: Labels) -> str:
    """Everything: period, filters, indicators, the previous period's, every breakdown."""
    data = {
        "period": {"start": report.period.start.isoformat(), "end": report.period.end.isoformat()},
        "filters": filters_dict(report.filters),
        "indicators": _indicators_json(report.current),
        "previous_period": _indicators_json(report.previous),
        "breakdowns": {
            dimension: {
                "rows": [{"key": row.key, "label": labels.of(dimension, row.key),
                          **{k: getattr(row, k) for k in ROW_KEYS}} for row in result.rows],
                "total": {k: getattr(result.total, k) for k in ROW_KEYS},
            }
            for dimension, result in report.breakdowns.items()
        },
    }
    return json.dumps(data, ensure_ascii=False, indent=2)


_RUPIAH_FORMAT = "#,##0"
_RATE_FORMAT = "0.0%"


def _sheet(workbook, title: str, rows: list[list], formats: dict[int, str]) -> None:
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    sheet = workbook.create_sheet(title=title[:31])
    for row in rows:
        sheet.append([neutralise(cell) for cell in row])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for column, number_format in formats.items():
        for (cell,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
            cell.number_format = number_format
    for index in range(1, sheet.max_column + 1):
        longest = max(len(str(cell.value or "")) for (cell,) in sheet.iter_rows(min_col=index, max_col=index))
        sheet.column_dimensions[get_column_letter(index)].width = min(max(longest + 2, 10), 50)


def report_xlsx(report: Report, labels: Labels) -> bytes:
    """A workbook: sheet "Indikator" plus one sheet per breakdown, formatted for reading."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    kinds = dict(INDICATOR_KEYS)
    rows = indicator_table(report)
    _sheet(workbook, "Indikator", rows, {4: _RATE_FORMAT})
    sheet = workbook["Indikator"]
    for (name_cell, value_cell, previous_cell, _change) in sheet.iter_rows(min_row=2):
        number_format = {"rupiah": _RUPIAH_FORMAT, "rate": _RATE_FORMAT}.get(kinds.get(name_cell.value))
        if number_format:
            value_cell.number_format = previous_cell.number_format = number_format
    money_columns = {i + 3: _RUPIAH_FORMAT for i, k in enumerate(ROW_KEYS)
                     if k in ("gmv", "gmv_online", "gmv_offline", "value_outside_blitar")}
    for dimension, result in report.breakdowns.items():
        _sheet(workbook, dimension, breakdown_table(result, labels), money_columns)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


TRANSACTION_HEADER = ["date_wib", "channel", "reference", "seller_shop", "kecamatan", "training_types", "category",
                      "product", "quantity", "value", "payment_method", "delivery_regency"]


@with_shared_results
def transactions_csv(session: Session, period: Period, filters: Filters, labels: Labels) -> str:
    """One row per sale in the period under the seller and channel filters; no buyer's personal data.

    Online: one row per sale line of a paid, not cancelled part. Offline: one row per counted sale.
    The category filter selects lines whose product is in the category or a sub-category.
    """
    from marketplace.services.indicators import _prepare, _seller_conditions

    category_ids = _prepare(session, period, filters)
    start_utc, end_utc = period.utc_bounds()
    training = {}
    for seller_id, type_id in session.execute(
            select(SellerCohort.seller_id, Cohort.training_type_id).join(Cohort, Cohort.id == SellerCohort.cohort_id)
            .distinct()):
        training.setdefault(seller_id, set()).add(labels.training_types.get(type_id, str(type_id)))
    rows: list[list] = [TRANSACTION_HEADER]
    sales = []
    if filters.channel in (None, "online"):
        query = (
            select(SellerOrder.payment_confirmed_at, Order.number, SellerProfile.id, SellerProfile.shop_name,
                   SellerProfile.kecamatan_code, Product.category_id, OrderLine.product_name, OrderLine.quantity,
                   OrderLine.unit_price * OrderLine.quantity - OrderLine.refunded_amount, Order.payment_method,
                   SellerOrder.delivery_method, Order.regency_name, Order.regency_code)
            .select_from(OrderLine)
            .join(SellerOrder, SellerOrder.id == OrderLine.seller_order_id)
            .join(Order, Order.id == SellerOrder.order_id)
            .join(SellerProfile, SellerProfile.id == SellerOrder.seller_id)
            .outerjoin(Product, Product.id == OrderLine.product_id)
            .where(SellerOrder.payment_confirmed_at >= start_utc, SellerOrder.payment_confirmed_at < end_utc,
                   SellerOrder.status.not_in(EXCLUDED_PART_STATUSES),
                   *_seller_conditions(session, filters, SellerOrder.seller_id))
            .order_by(SellerOrder.payment_confirmed_at, OrderLine.id)
        )
        if category_ids is not None:
            query = query.where(Product.category_id.in_(category_ids))
        for (moment, number, seller_id, shop, kecamatan, category_id, product, quantity, value, method, delivery,
             regency_name, regency_code) in session.execute(query):
            day = to_wib(moment).date()
            regency = "" if str(getattr(delivery, "value", delivery)) == "pickup" else (regency_name or regency_code)
            sales.append((day, "online", number, seller_id, shop, kecamatan, category_id, product, quantity, value,
                          getattr(method, "value", method), regency))
    if filters.channel in (None, "offline"):
        query = (
            select(OfflineSale.sale_date, OfflineSale.id, SellerProfile.id, SellerProfile.shop_name,
                   SellerProfile.kecamatan_code, Product.category_id, Product.name, OfflineSale.quantity,
                   OfflineSale.value)
            .select_from(OfflineSale)
            .join(SellerProfile, SellerProfile.id == OfflineSale.seller_id)
            .outerjoin(Product, Product.id == OfflineSale.product_id)
            .where(OfflineSale.voided_at.is_(None), OfflineSale.sale_date >= period.start,
                   OfflineSale.sale_date <= period.end,
                   *_seller_conditions(session, filters, OfflineSale.seller_id))
            .order_by(OfflineSale.sale_date, OfflineSale.id)
        )
        if category_ids is not None:
            query = query.where(Product.category_id.in_(category_ids))
        for day, sale_id, seller_id, shop, kecamatan, category_id, product, quantity, value in session.execute(query):
            sales.append((day, "offline", f"offline-{sale_id}", seller_id, shop, kecamatan, category_id,
                          product or "", quantity, value, "cash", ""))
    sales.sort(key=lambda sale: (sale[0], sale[1], str(sale[2])))
    for day, channel, ref, seller_id, shop, kecamatan, category_id, product, quantity, value, method, regency in sales:
        rows.append([day.isoformat(), channel, ref, shop, labels.of("kecamatan", kecamatan),
                     "; ".join(sorted(training.get(seller_id, ()))),
                     labels.of("category", category_id) if category_id else "", product,
                     quantity if quantity is not None else "", int(value), method, regency])
    return _csv(rows)


def record_export(session: Session, *, actor_id: int, action: str, kind: str, period: Period,
                  filters: Filters) -> None:
    """Write who exported what (format, period, filters) to the audit log and commit."""
    audit.record(session, actor_id=actor_id, action=action, subject_type="report", subject_id=None,
                 details={"format": kind, "start": period.start.isoformat(), "end": period.end.isoformat(),
                          **{k: v for k, v in filters_dict(filters).items() if v is not None}})
    session.commit()
