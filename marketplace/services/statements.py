"""A producer's own sales figures and the verifiable monthly sales statement (PDF).

    period_for_preset(preset, today) / Period.parse(...)   # the sales page's periods
    sales_overview(session, seller_id, period)            # -> SalesOverview (indicators, months, top products)
    month_range("2026-01", "2026-03")                      # -> Period of whole WIB months; StatementError if bad
    statement_data(session, seller, period)               # -> StatementData (every sale, months, ledger figures)
    issue_statement(session, seller, period, issued_by_id=..., render=...)  # stores, audits, COMMITS
    reissue_data(session, issue)                           # same figures again, or None if they changed
    render_pdf(data, issue, verify_url, labels=..., locale=...)  # -> PDF bytes (labels: translated words)
    find_issue(session, code)                              # -> StatementIssue or None

Figures come from services/indicators.py (totals, months) and services/ledger.py (what the
marketplace owes and paid); the listed sales are the same facts line by line, so the lines of
a month add up to the month's row. No buyer name, phone, e-mail or address is ever read here.
"""
from __future__ import annotations

import hashlib
import io
import json
import re
import secrets
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from marketplace.formatting import (
    WIB,
    format_rupiah,
    format_wib_date,
    format_wib_datetime,
)
from marketplace.models import (
    OfflineSale,
    Order,
    OrderLine,
    Product,
    SellerOrder,
    SellerProfile,
    StatementIssue,
    utcnow,
)
from marketplace.regions import kecamatan_name
from marketplace.services import audit, ledger
from marketplace.services.indicators import (
    Breakdown,
    Filters,
    Indicators,
    Period,
    Row,
    breakdown,
    indicators,
)
from marketplace.services.sales_summary import EXCLUDED_PART_STATUSES

PRESETS = ("30d", "this_month", "last_month", "12m", "this_year")
DEFAULT_PRESET = "12m"
MAX_STATEMENT_MONTHS = 24
TOP_PRODUCTS = 5
CODE_LENGTH = 12
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"     # no 0/O, 1/I: read off paper by people
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class StatementError(ValueError):
    """A bad month range; `code` is worded for people by the views (STATEMENT_MESSAGES)."""

    def __init__(self, code: str, field: str = ""):
        super().__init__(code)
        self.code = code
        self.field = field


# ---- periods ----------------------------------------------------------------------------------

def _month_end(year: int, month: int) -> date:
    return (date(year + (month == 12), month % 12 + 1, 1)) - timedelta(days=1)


def period_for_preset(preset: str, today: date) -> Period:
    """The sales page's ready-made periods, relative to `today` (WIB)."""
    if preset == "30d":
        return Period(today - timedelta(days=29), today)
    if preset == "this_month":
        return Period(today.replace(day=1), today)
    if preset == "last_month":
        last = today.replace(day=1) - timedelta(days=1)
        return Period(last.replace(day=1), last)
    if preset == "this_year":
        return Period(date(today.year, 1, 1), today)
    if preset == "12m":
        year, month = (today.year - 1, today.month + 1) if today.month < 12 else (today.year, 1)
        return Period(date(year, month, 1), today)
    raise StatementError("unknown_preset", "preset")


def month_range(first: str | None, last: str | None) -> Period:
    """Whole WIB months from "YYYY-MM" to "YYYY-MM" (at most MAX_STATEMENT_MONTHS)."""
    def parse(raw: str | None, name: str) -> tuple[int, int]:
        match = _MONTH.match((raw or "").strip())
        if not match or not 1 <= int(match.group(2)) <= 12 or not 2000 <= int(match.group(1)) <= 2100:
            raise StatementError("invalid_month", name)
        return int(match.group(1)), int(match.group(2))

    start, end = parse(first, "from_month"), parse(last, "to_month")
    if end < start:
        raise StatementError("end_before_start", "to_month")
    if (end[0] * 12 + end[1]) - (start[0] * 12 + start[1]) + 1 > MAX_STATEMENT_MONTHS:
        raise StatementError("too_long", "to_month")
    return Period(date(start[0], start[1], 1), _month_end(*end))


# ---- the sales page ---------------------------------------------------------------------------

@dataclass
class ProductSales:
    name: str
    value: int
    quantity: int


@dataclass
class SalesOverview:
    period: Period
    figures: Indicators
    months: Breakdown
    top_products: list[ProductSales]

    @property
    def every_month(self) -> list[Row]:
        """A row for each month of the period, with zero rows for months without sales (for the chart)."""
        found = {row.key: row for row in self.months.rows}
        keys = [f"{year:04d}-{month:02d}" for year, month in self.period.months()]
        return [found.get(key) or Row(key=key) for key in keys]


def top_products(session: Session, seller_id: int, period: Period, limit: int = TOP_PRODUCTS) -> list[ProductSales]:
    """The producer's best-selling products by value in `period` (online lines and offline sales)."""
    start_utc, end_utc = period.utc_bounds()
    totals: dict[str, list[int]] = {}
    value = OrderLine.unit_price * OrderLine.quantity - OrderLine.refunded_amount
    online = session.execute(
        select(OrderLine.product_name, func.sum(value), func.sum(OrderLine.quantity))
        .join(SellerOrder, SellerOrder.id == OrderLine.seller_order_id)
        .where(SellerOrder.seller_id == seller_id, SellerOrder.payment_confirmed_at >= start_utc,
               SellerOrder.payment_confirmed_at < end_utc, SellerOrder.status.not_in(EXCLUDED_PART_STATUSES))
        .group_by(OrderLine.product_name))
    offline = session.execute(
        select(Product.name, func.sum(OfflineSale.value), func.sum(func.coalesce(OfflineSale.quantity, 0)))
        .join(Product, Product.id == OfflineSale.product_id)
        .where(OfflineSale.seller_id == seller_id, OfflineSale.voided_at.is_(None),
               OfflineSale.sale_date >= period.start, OfflineSale.sale_date <= period.end)
        .group_by(Product.name))
    for name, amount, quantity in [*online, *offline]:
        entry = totals.setdefault(name, [0, 0])
        entry[0] += int(amount or 0)
        entry[1] += int(quantity or 0)
    ranked = sorted(totals.items(), key=lambda item: (-item[1][0], item[0]))[:limit]
    return [ProductSales(name, amount, quantity) for name, (amount, quantity) in ranked]


def sales_overview(session: Session, seller_id: int, period: Period) -> SalesOverview:
    """One producer's figures for `period`: the indicators, a row per WIB month, the top products."""
    filters = Filters(seller_id=seller_id)
    return SalesOverview(period=period, figures=indicators(session, period, filters),
                         months=breakdown(session, period, filters, "month"),
                         top_products=top_products(session, seller_id, period))


# ---- the statement ----------------------------------------------------------------------------

@dataclass
class SaleLine:
    """One sale on the statement: WIB date, channel, payment method, reference, product, value."""

    day: date
    channel: str        # "online" | "offline"
    method: str         # PaymentMethod value, or "in_person" for offline sales
    reference: str      # order number, or "F-<id>" for an offline sale
    product: str
    quantity: int | None
    value: int


@dataclass
class StatementData:
    seller: SellerProfile
    period: Period
    lines: list[SaleLine]
    months: Breakdown
    ledger: ledger.StatementFigures
    cohorts: list[str]

    def canonical(self) -> dict:
        """The figures the statement certifies, in a fixed shape: what the hash covers."""
        return {
            "seller_id": self.seller.id,
            "shop": self.seller.shop_name,
            "period": [self.period.start.isoformat(), self.period.end.isoformat()],
            "months": [[row.key, row.gmv, row.gmv_online, row.gmv_offline, row.transactions]
                       for row in self.months.rows],
            "total": [self.months.total.gmv, self.months.total.gmv_online, self.months.total.gmv_offline,
                      self.months.total.transactions],
            "lines": [[line.day.isoformat(), line.channel, line.method, line.reference, line.value]
                      for line in self.lines],
            "ledger": {key: value for key, value in asdict(self.ledger).items()
                       if key not in ("seller_id", "start", "end")},
        }

    def sha256(self) -> str:
        text = json.dumps(self.canonical(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def sale_lines(session: Session, seller_id: int, period: Period) -> list[SaleLine]:
    """Every paid sale of the producer in `period`, by WIB date (online lines and live offline sales)."""
    start_utc, end_utc = period.utc_bounds()
    lines = []
    for confirmed, method, number, name, quantity, value in session.execute(
        select(SellerOrder.payment_confirmed_at, Order.payment_method, Order.number, OrderLine.product_name,
               OrderLine.quantity, OrderLine.unit_price * OrderLine.quantity - OrderLine.refunded_amount)
        .join(SellerOrder, SellerOrder.id == OrderLine.seller_order_id)
        .join(Order, Order.id == SellerOrder.order_id)
        .where(SellerOrder.seller_id == seller_id, SellerOrder.payment_confirmed_at >= start_utc,
               SellerOrder.payment_confirmed_at < end_utc, SellerOrder.status.not_in(EXCLUDED_PART_STATUSES))
        .order_by(SellerOrder.payment_confirmed_at, OrderLine.id)
    ):
        lines.append(SaleLine(confirmed.astimezone(WIB).date(), "online", method.value, number, name,
                              quantity, int(value)))
    for sale_id, day, name, note, quantity, value in session.execute(
        select(OfflineSale.id, OfflineSale.sale_date, Product.name, OfflineSale.note, OfflineSale.quantity,
               OfflineSale.value)
        .outerjoin(Product, Product.id == OfflineSale.product_id)
        .where(OfflineSale.seller_id == seller_id, OfflineSale.voided_at.is_(None),
               OfflineSale.sale_date >= period.start, OfflineSale.sale_date <= period.end)
        .order_by(OfflineSale.sale_date, OfflineSale.id)
    ):
        lines.append(SaleLine(day, "offline", "in_person", f"F-{sale_id}", name or note or "", quantity, int(value)))
    lines.sort(key=lambda line: (line.day, line.channel, line.reference))
    return lines


def statement_data(session: Session, seller: SellerProfile, period: Period) -> StatementData:
    """Everything a statement shows for `seller` and `period`."""
    cohorts = sorted(f"{link.cohort.name} ({link.cohort.training_type.name_id}, {link.completed_on.isoformat()})"
                     for link in seller.cohorts)
    return StatementData(
        seller=seller, period=period, lines=sale_lines(session, seller.id, period),
        months=breakdown(session, period, Filters(seller_id=seller.id), "month"),
        ledger=ledger.statement_figures(session, seller.id, period.start, period.end), cohorts=cohorts)


def new_code() -> str:
    """An unguessable verification code: 12 characters from a 32-letter alphabet (60 bits)."""
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(raw: str) -> str:
    """The code as typed by a person: spaces and dashes dropped, upper case."""
    return re.sub(r"[\s-]", "", raw or "").upper()


def issue_statement(session: Session, seller: SellerProfile, period: Period, *, issued_by_id: int | None,
                    render: Callable[[StatementIssue, StatementData], bytes]) -> tuple[StatementIssue, bytes]:
    """Store a new statement for `seller` and `period`, write the audit entry, and commit.

    `render(issue, data)` makes the PDF before the commit, so a statement that cannot be
    produced is never recorded as issued.
    """
    data = statement_data(session, seller, period)
    total = data.months.total
    issue = StatementIssue(code=new_code(), seller_id=seller.id, period_start=period.start, period_end=period.end,
                           sales_value=total.gmv, sales_online=total.gmv_online, sales_offline=total.gmv_offline,
                           transactions=total.transactions, figures_sha256=data.sha256(),
                           issued_by_id=issued_by_id, issued_at=utcnow())
    session.add(issue)
    session.flush()
    audit.record(session, actor_id=issued_by_id, action="statement.issued", subject_type="seller",
                 subject_id=seller.id, details={"code": issue.code, "from": period.start, "to": period.end,
                                                "sales_value": total.gmv, "sha256": issue.figures_sha256})
    try:
        pdf = render(issue, data)
    except Exception:
        session.rollback()
        raise
    session.commit()
    return issue, pdf


def seller_issues(session: Session, seller_id: int, limit: int = 20) -> list[StatementIssue]:
    """The producer's latest issued statements, newest first."""
    return list(session.scalars(select(StatementIssue).where(StatementIssue.seller_id == seller_id)
                                .order_by(StatementIssue.id.desc()).limit(limit)))


def reissue_data(session: Session, issue: StatementIssue) -> StatementData | None:
    """The data of an issued statement rebuilt from today's records, or None when its figures
    have changed since (a late refund, a corrected stall sale): the old code must not vouch for new figures."""
    data = statement_data(session, issue.seller, Period(issue.period_start, issue.period_end))
    return data if secrets.compare_digest(data.sha256(), issue.figures_sha256) else None


def find_issue(session: Session, code: str) -> StatementIssue | None:
    """The statement with exactly this code (after normalising), or None."""
    code = normalise_code(code)
    if not code or len(code) > 32:
        return None
    return session.scalar(select(StatementIssue).where(StatementIssue.code == code))


# ---- the PDF ----------------------------------------------------------------------------------

def latin1(text: object) -> str:
    """Text the PDF core fonts can show: anything outside latin-1 becomes '?'."""
    return str(text).encode("latin-1", "replace").decode("latin-1")


_SALES_COLUMNS = (24, 20, 26, 38, 52, 30)     # mm; the last one (the value) is right-aligned


def _sales_table(pdf, headings: tuple[str, ...], rows) -> None:
    """The statement's list of sales as a bordered table, its heading repeated on every page.

    A busy producer's year is tens of thousands of rows, so they are drawn with fpdf's plain text
    and line operations: `cell()` costs about seven times as much per value.
    """
    row_height, heading_height = 5, 6
    edges = [pdf.l_margin]
    for width in _SALES_COLUMNS:
        edges.append(edges[-1] + width)

    def rule(y):
        pdf.line(edges[0], y, edges[-1], y)

    def close_block(top, bottom):
        for x in edges:
            pdf.line(x, top, x, bottom)

    def heading() -> float:
        pdf.set_font("Helvetica", "B", 8)
        top = pdf.get_y()
        rule(top)
        for x, text in zip(edges, headings):
            pdf.text(x + pdf.c_margin, top + heading_height / 2 + 0.3 * pdf.font_size, latin1(text))
        rule(top + heading_height)
        pdf.set_font("Helvetica", "", 8)
        return top

    widths: dict[str, float] = {}
    if pdf.get_y() + heading_height + row_height > pdf.page_break_trigger:    # no heading alone at a page's foot
        pdf.add_page()
    top = heading()
    y = top + heading_height
    for values in rows:
        if y + row_height > pdf.page_break_trigger:
            close_block(top, y)
            pdf.add_page()
            top = heading()
            y = top + heading_height
        baseline = y + row_height / 2 + 0.3 * pdf.font_size
        *left, value = (latin1(text) for text in values)
        for x, text in zip(edges, left):
            pdf.text(x + pdf.c_margin, baseline, text)
        if value not in widths:         # amounts repeat; measuring one costs as much as drawing three
            widths[value] = pdf.get_string_width(value)
        pdf.text(edges[-1] - pdf.c_margin - widths[value], baseline, value)
        y += row_height
        rule(y)
    close_block(top, y)
    pdf.set_xy(pdf.l_margin, y)


def render_pdf(data: StatementData, issue: StatementIssue, verify_url: str, *, labels: dict, locale: str) -> bytes:
    """The statement as PDF bytes; `labels` are the translated words (the view translates)."""
    import segno
    from fpdf import FPDF

    seller = data.seller
    rupiah = lambda amount: latin1(format_rupiah(amount, locale))
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(True, margin=15)
    pdf.set_title(latin1(labels["title"]))
    pdf.add_page()
    width = pdf.epw

    def text_line(value, size=10, style="", height=5):
        pdf.set_font("Helvetica", style, size)
        pdf.multi_cell(width, height, latin1(value), new_x="LMARGIN", new_y="NEXT")

    text_line(labels["site"], 9)
    text_line(labels["title"], 16, "B", 8)
    text_line(f'{labels["period"]}: {format_wib_date(data.period.start, locale)} - '
              f'{format_wib_date(data.period.end, locale)}', 11)
    pdf.ln(2)
    identity = [(labels["shop"], seller.shop_name), (labels["owner"], seller.user.name),
                (labels["kecamatan"], kecamatan_name(seller.kecamatan_code))]
    for key in ("nib", "pirt", "halal"):
        if getattr(seller, key):
            identity.append((labels[key], getattr(seller, key)))
    if data.cohorts:
        identity.append((labels["programme"], "; ".join(data.cohorts)))
    for label, value in identity:
        text_line(f"{label}: {value}")
    pdf.ln(3)

    text_line(labels["monthly"], 12, "B", 7)
    columns = (30, 40, 40, 40, 30)
    pdf.set_font("Helvetica", "B", 9)
    for size, head in zip(columns, (labels["month"], labels["online"], labels["offline"], labels["total"],
                                    labels["transactions"])):
        pdf.cell(size, 6, latin1(head), border=1)
    pdf.ln()
    pdf.set_font("Helvetica", "", 9)
    for row in [*data.months.rows, data.months.total]:
        name = row.key if row is not data.months.total else labels["total"]
        for size, value, align in zip(columns, (name, rupiah(row.gmv_online), rupiah(row.gmv_offline),
                                                rupiah(row.gmv), str(row.transactions)), "LRRRR"):
            pdf.cell(size, 6, latin1(value), border=1, align=align)
        pdf.ln()
    pdf.ln(3)

    text_line(labels["ledger"], 12, "B", 7)
    pdf.set_font("Helvetica", "", 10)
    figures = data.ledger
    for label, amount in ((labels["opening"], figures.opening_balance), (labels["credited"], figures.credited),
                          (labels["commission"], figures.commission), (labels["reversed"], figures.reversed),
                          (labels["adjustments"], figures.adjustments), (labels["paid_out"], -figures.paid_out),
                          (labels["closing"], figures.closing_balance), (labels["cash"], figures.sales_cash)):
        pdf.cell(110, 5, latin1(label))
        pdf.cell(40, 5, rupiah(amount), align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)

    text_line(labels["sales"], 12, "B", 7)
    _sales_table(pdf, (labels["date"], labels["channel"], labels["method"], labels["reference"], labels["product"],
                       labels["value"]),
                 ((line.day.isoformat(), labels["channels"][line.channel],
                   labels["methods"].get(line.method, line.method), line.reference, line.product[:34],
                   rupiah(line.value)) for line in data.lines))
    if not data.lines:
        text_line(labels["no_sales"], 9)
    pdf.ln(4)

    qr = io.BytesIO()
    segno.make(verify_url, error="m").save(qr, kind="png", scale=4, border=2)
    qr.seek(0)
    top = pdf.get_y()
    if top > pdf.h - 60:
        pdf.add_page()
        top = pdf.get_y()
    pdf.image(qr, x=pdf.l_margin, y=top, w=35, h=35)
    pdf.set_xy(pdf.l_margin + 40, top)
    pdf.set_font("Helvetica", "B", 11)
    pdf.multi_cell(width - 40, 6, latin1(f'{labels["code"]}: {issue.code}'), new_x="LMARGIN", new_y="NEXT")
    pdf.set_x(pdf.l_margin + 40)
    pdf.set_font("Helvetica", "", 9)
    pdf.multi_cell(width - 40, 5, latin1(f'{labels["verify"]} {verify_url}'), new_x="LMARGIN", new_y="NEXT")
    pdf.set_x(pdf.l_margin + 40)
    pdf.multi_cell(width - 40, 5, latin1(f'{labels["issued"]}: {format_wib_datetime(issue.issued_at, locale)}'),
                   new_x="LMARGIN", new_y="NEXT")
    pdf.set_x(pdf.l_margin + 40)
    pdf.set_font("Helvetica", "", 7)
    pdf.multi_cell(width - 40, 4, latin1(f"SHA-256: {issue.figures_sha256}"), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
