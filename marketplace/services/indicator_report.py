"""The officers' indicator report as a PDF: the dashboard's figures, charts and tables for one
period and filters, in the reader's language, ready to attach to an evaluation report.

    body = render_report(report, labels, sellers, indicator_labels=..., dimension_labels=...,
                         channel_labels=..., programme="Pasar Lokal Blitar", issued_by="Rina",
                         generated_at=utcnow(), locale="id")          # -> PDF bytes

`report`, `labels` and `sellers` are what services/indicator_exports.py computes for the dashboard
(build_report, load_labels, seller_table): nothing is queried here. The words come from gettext,
so call it inside a request (or under flask_babel.force_locale).

The charts are drawn with fpdf2's lines, rectangles and text from the same numbers as the tables.
The dashboard's SVG charts cannot be embedded as they are: their colours and strokes come from
CSS classes in static/css/app.css, which fpdf2's SVG reader does not see, so bars came out black
and the month lines and axes invisible. The PDF core fonts hold latin-1 only, so text is folded
to it as in services/statements.py ("Rp 1.234.567" and Indonesian words are plain latin-1).
"""
from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime

from babel.dates import format_date
from babel.numbers import format_percent
from flask_babel import gettext as _

from marketplace.formatting import (
    babel_locale,
    format_rupiah,
    format_wib_date,
    format_wib_datetime,
)
from marketplace.services.indicator_exports import (
    INDICATOR_KEYS,
    Labels,
    Report,
    SellerLine,
    change,
    indicator_value,
    month_rows,
)
from marketplace.services.indicators import Breakdown, Row
from marketplace.services.statements import latin1

TOP_SELLERS = 20
# Breakdown tables in the order of the dashboard (the month series first).
TABLE_DIMENSIONS = ("month", "channel", "training_type", "cohort", "kecamatan", "category")
_GREEN = (47, 125, 79)          # the dashboard's chart colour (.chart-bar-fill in app.css)
_GREY = (153, 153, 153)
_HEAD_FILL = (232, 241, 235)
_MARGIN = 15
_FOLD = str.maketrans({"\u2013": "-", "\u2014": "-", "\u2212": "-", "\u2018": "'", "\u2019": "'",
                       "\u201c": '"', "\u201d": '"', "\u2026": "...", "\u2265": ">=", "\u2264": "<=",
                       "\u2022": "\u00b7", "\u00a0": " ", "\u202f": " "})


def pdf_text(value: object) -> str:
    """Text the core fonts can show: typographic marks folded to plain ones, accents outside
    latin-1 dropped (ş -> s), anything else '?'."""
    text = str(value).translate(_FOLD)
    if all(ord(ch) < 256 for ch in text):
        return text
    folded = []
    for ch in text:
        if ord(ch) < 256:
            folded.append(ch)
        else:
            base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
            folded.append(base if base and all(ord(c) < 256 for c in base) else "?")
    return latin1("".join(folded))


class _Formats:
    """Numbers, rates, months and group names as the dashboard shows them, in one language."""

    def __init__(self, locale: str, labels: Labels, channel_labels: Mapping[str, str]):
        self.locale = locale
        self.labels = labels
        self.channel_labels = channel_labels

    def rupiah(self, amount: int | None) -> str:
        return "-" if amount is None else format_rupiah(amount, self.locale)

    def percent(self, rate: float | None) -> str:
        # The language itself (not babel_locale's en_ID) so that rates read as on the dashboard.
        return "-" if rate is None else format_percent(rate, "#,##0.0%", locale=self.locale)

    def change(self, rate: float | None) -> str:
        return "-" if rate is None else ("+" if rate > 0 else "") + self.percent(rate)

    def value(self, value, kind: str) -> str:
        if value is None:
            return "-"
        if kind == "rupiah":
            return self.rupiah(value)
        if kind == "rate":
            return self.percent(value)
        return str(value)

    def month(self, key: str, pattern: str = "MMMM yyyy") -> str:
        year, month = (int(part) for part in str(key).split("-"))
        return format_date(date(year, month, 1), pattern, locale=babel_locale(self.locale))

    def group(self, dimension: str, key) -> str:
        """A breakdown row's name, worded like the dashboard's key_label macro."""
        if key is None:
            if dimension in ("training_type", "cohort"):
                return _("No training")
            return _("No category") if dimension == "category" else _("Unknown")
        if dimension == "channel":
            return str(self.channel_labels.get(key, key))
        if dimension == "month":
            return self.month(key)
        return self.labels.of(dimension, key)


def filter_lines(report: Report, labels: Labels, dimension_labels: Mapping[str, str],
                 channel_labels: Mapping[str, str]) -> list[str]:
    """The filters applied, one "Name: value" each, or one line saying there are none."""
    filters = report.filters
    lines = []
    if filters.training_type_id is not None:
        lines.append((dimension_labels["training_type"], labels.of("training_type", filters.training_type_id)))
    if filters.cohort_id is not None:
        lines.append((dimension_labels["cohort"], labels.of("cohort", filters.cohort_id)))
    if filters.kecamatan_code is not None:
        lines.append((dimension_labels["kecamatan"], labels.of("kecamatan", filters.kecamatan_code)))
    if filters.category_id is not None:
        lines.append((dimension_labels["category"], labels.of("category", filters.category_id)))
    if filters.channel is not None:
        lines.append((dimension_labels["channel"], channel_labels.get(filters.channel, filters.channel)))
    if not lines:
        return [_("None: every producer and every sale")]
    return [f"{name}: {value}" for name, value in lines]


def _document(title: str, footer_left: str):
    from fpdf import FPDF

    class ReportPDF(FPDF):
        def footer(self):
            self.set_y(-12)
            self.set_font("Helvetica", "", 8)
            self.set_text_color(90, 90, 90)
            self.cell(self.epw * 0.7, 5, pdf_text(footer_left))
            # fpdf2 replaces "{nb}" with the page count when the document is written.
            self.cell(self.epw * 0.3, 5, pdf_text(_("Page %(page)s of %(pages)s", page=self.page_no(), pages="{nb}")),
                      align="R")
            self.set_text_color(0, 0, 0)

    pdf = ReportPDF(format="A4")
    pdf.set_margins(_MARGIN, _MARGIN, _MARGIN)
    pdf.set_auto_page_break(True, margin=18)
    pdf.set_title(pdf_text(title))
    return pdf


def _heading(pdf, text: str, size: int = 13, room: float = 30) -> None:
    """A section heading, on a new page when less than `room` mm would be left under it."""
    if pdf.get_y() + room > pdf.page_break_trigger:
        pdf.add_page()
    pdf.ln(3)
    pdf.set_font("Helvetica", "B", size)
    pdf.multi_cell(pdf.epw, size * 0.55, pdf_text(text), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)


def _note(pdf, text: str) -> None:
    pdf.set_font("Helvetica", "I", 8)
    pdf.multi_cell(pdf.epw, 4, pdf_text(text), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9)


def _table(pdf, header: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[float],
           align: str, total: Sequence[str] | None = None) -> None:
    """A table whose heading repeats on every page it runs over; `total` is a bold last row."""
    from fpdf.fonts import FontFace

    pdf.set_font("Helvetica", "", 8)
    bold = FontFace(emphasis="BOLD")
    with pdf.table(col_widths=tuple(widths), width=sum(widths), align="LEFT", line_height=4.6,
                   text_align=tuple({"L": "LEFT", "R": "RIGHT"}[a] for a in align),
                   headings_style=FontFace(emphasis="BOLD", fill_color=_HEAD_FILL), padding=(0.8, 1.2),
                   repeat_headings=1) as table:
        line = table.row()
        for text in header:
            line.cell(pdf_text(text))
        for values in rows:
            line = table.row()
            for text in values:
                line.cell(pdf_text(text))
        if total is not None:
            line = table.row()
            for text in total:
                line.cell(pdf_text(text), style=bold)
    pdf.ln(2)


def _fit(pdf, text: str, width: float) -> str:
    """`text` cut with "..." so it fits `width` mm in the current font."""
    text = pdf_text(text)
    if pdf.get_string_width(text) <= width:
        return text
    while text and pdf.get_string_width(text + "...") > width:
        text = text[:-1]
    return text + "..."


def _line_chart(pdf, title: str, names: list[str], values: list[int], show: Callable[[int], str]) -> None:
    """A line over the months with a dot at every point; values written where there is room."""
    height = 58
    _heading(pdf, title, 11, room=height + 12)
    left, top, width = pdf.l_margin, pdf.get_y(), pdf.epw
    plot_left, plot_right = left + 12, left + width - 12
    base, plot_top = top + height - 12, top + 8
    pdf.set_draw_color(*_GREY)
    pdf.set_line_width(0.3)
    pdf.line(left, base, left + width, base)
    pdf.set_font("Helvetica", "", 7)
    count, peak = len(values), max(values, default=0)
    if count == 0 or peak <= 0:
        pdf.set_xy(left, top + height / 2 - 4)
        pdf.cell(width, 5, pdf_text(_("No sales in this period.")), align="C")
    if count:
        step = (plot_right - plot_left) / (count - 1) if count > 1 else 0
        points = [(plot_left + step * i if count > 1 else (plot_left + plot_right) / 2,
                   base - (base - plot_top) * value / peak if peak > 0 else base) for i, value in enumerate(values)]
        pdf.set_draw_color(*_GREEN)
        pdf.set_fill_color(*_GREEN)
        pdf.set_line_width(0.6)
        if count > 1:
            pdf.polyline(points)
        every = 1 if count <= 12 else -(-count // 10)      # at most about ten month names under the axis
        for index, (x, y) in enumerate(points):
            pdf.circle(x, y, 0.8, style="F")
            first_or_last = index in (0, count - 1)
            if count <= 12 or first_or_last or values[index] == peak:
                pdf.set_xy(x - 15, y - 5.5)
                pdf.cell(30, 4, pdf_text(show(values[index])), align="C")
            if (index % every == 0 and count - 1 - index >= every / 2) or index == count - 1:
                pdf.set_xy(x - 12, base + 1.5)
                pdf.cell(24, 4, pdf_text(names[index]), align="C")
    pdf.set_draw_color(0, 0, 0)
    pdf.set_line_width(0.2)
    pdf.set_xy(left, top + height)


def _bar_chart(pdf, title: str, names: list[str], values: list[int], show: Callable[[int], str]) -> None:
    """One horizontal bar per group, its name on the left and its value after the bar."""
    row, label_width, value_width = 6.5, 55, 30
    _heading(pdf, title, 11, room=min(len(names), 6) * row + 14)
    left = pdf.l_margin
    bar_left = left + label_width + 2
    bar_room = pdf.epw - label_width - 4 - value_width
    peak = max(values, default=0)
    pdf.set_font("Helvetica", "", 8)
    if not names:
        pdf.cell(pdf.epw, 6, pdf_text(_("No sales in this period.")), new_x="LMARGIN", new_y="NEXT")
    pdf.set_fill_color(*_GREEN)
    for name, value in zip(names, values):
        if pdf.get_y() + row > pdf.page_break_trigger:
            pdf.add_page()
        y = pdf.get_y()
        pdf.set_xy(left, y)
        pdf.cell(label_width, row, _fit(pdf, name, label_width - 1))
        length = bar_room * value / peak if peak > 0 else 0
        if value > 0:
            pdf.rect(bar_left, y + 1.2, max(length, 0.5), row - 2.4, style="F")
        pdf.set_xy(bar_left + length + 1.5, y)
        pdf.cell(value_width, row, pdf_text(show(value)))
        pdf.set_xy(left, y + row)
    pdf.ln(2)


def render_report(report: Report, labels: Labels, sellers: Sequence[SellerLine], *,
                  indicator_labels: Mapping[str, str], dimension_labels: Mapping[str, str],
                  channel_labels: Mapping[str, str], programme: str, issued_by: str, generated_at: datetime,
                  locale: str, top_sellers: int = TOP_SELLERS) -> bytes:
    """The PDF summary report of the dashboard for `report`'s period and filters.

    `sellers` is the producers table sorted by sales value (its first `top_sellers` are shown);
    `*_labels` are the dashboard's translated names of indicators, dimensions and channels.
    """
    words = {key: str(value) for key, value in indicator_labels.items()}
    dimensions = {key: str(value) for key, value in dimension_labels.items()}
    channels = {key: str(value) for key, value in channel_labels.items()}
    fmt = _Formats(locale, labels, channels)
    current, previous = report.current, report.previous
    title = _("Programme indicators report")
    period_text = f"{format_wib_date(report.period.start, locale)} - {format_wib_date(report.period.end, locale)}"
    before = previous.period
    pdf = _document(title, f"{programme} · {title} · {period_text}")
    pdf.set_author(pdf_text(programme))
    pdf.set_creator(pdf_text(programme))
    pdf.set_lang(locale)
    pdf.add_page()
    width = pdf.epw

    # ---- title block
    pdf.set_font("Helvetica", "", 10)
    pdf.multi_cell(width, 5, pdf_text(programme), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "B", 18)
    pdf.multi_cell(width, 9, pdf_text(title), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    facts = [
        (_("Period"), period_text),
        (_("Compared with"),
         f"{format_wib_date(before.start, locale)} - {format_wib_date(before.end, locale)}"),
        (_("Filters"), "; ".join(filter_lines(report, labels, dimensions, channels))),
        (_("Generated"), format_wib_datetime(generated_at, locale)),
        (_("Issued by"), issued_by),
    ]
    for name, value in facts:
        pdf.set_font("Helvetica", "B", 10)
        pdf.cell(42, 6, pdf_text(name))
        pdf.set_font("Helvetica", "", 10)
        pdf.multi_cell(width - 42, 6, pdf_text(value), new_x="LMARGIN", new_y="NEXT")
    pdf.set_draw_color(*_GREY)
    pdf.line(pdf.l_margin, pdf.get_y() + 2, pdf.l_margin + width, pdf.get_y() + 2)
    pdf.set_draw_color(0, 0, 0)
    pdf.ln(3)

    # ---- indicators
    _heading(pdf, _("Indicators"))
    rows = []
    for key, kind in INDICATOR_KEYS:
        now, then = indicator_value(current, key), indicator_value(previous, key)
        rows.append([words.get(key, key), fmt.value(now, kind), fmt.value(then, kind), fmt.change(change(now, then))])
    _table(pdf, [_("Indicator"), _("This period"), _("Previous period"), _("Change (%)")], rows, (84, 36, 36, 24),
           "LRRR")

    # ---- charts
    months = month_rows(report.breakdowns["month"], report.period) if "month" in report.breakdowns else []
    month_names = [fmt.month(row.key, "MMM yyyy") for row in months]
    _heading(pdf, _("Charts"), room=80)
    _line_chart(pdf, _("Sales value by month"), month_names, [row.gmv for row in months], fmt.rupiah)
    _line_chart(pdf, _("Transactions by month"), month_names, [row.transactions for row in months], str)
    for dimension, chart_title in (("training_type", _("Sales value by training type")),
                                   ("kecamatan", _("Sales value by kecamatan")),
                                   ("channel", _("Sales value online and at exhibitions"))):
        result = report.breakdowns.get(dimension)
        if result is None:
            continue
        _bar_chart(pdf, chart_title, [fmt.group(dimension, row.key) for row in result.rows],
                   [row.gmv for row in result.rows], fmt.rupiah)
        if dimension == "training_type":
            _note(pdf, _("A producer who took part in two training types counts in both rows."))

    # ---- breakdown tables
    header_keys = ("gmv", "gmv_online", "gmv_offline", "transactions", "sellers_active")
    for dimension in TABLE_DIMENSIONS:
        result: Breakdown | None = report.breakdowns.get(dimension)
        if result is None:
            continue
        lines: list[Row] = months if dimension == "month" else result.rows
        _heading(pdf, _("By %(dimension)s", dimension=dimensions[dimension].lower()))
        body = [[fmt.group(dimension, row.key), fmt.rupiah(row.gmv), fmt.rupiah(row.gmv_online),
                 fmt.rupiah(row.gmv_offline), str(row.transactions), str(row.sellers_active)] for row in lines]
        if not body:
            body = [[_("No sales in this period."), "", "", "", "", ""]]
        total = result.total
        _table(pdf, [dimensions[dimension], *(words[key] for key in header_keys)], body, (52, 30, 28, 28, 21, 21),
               "LRRRRR", total=[_("Total"), fmt.rupiah(total.gmv), fmt.rupiah(total.gmv_online),
                                fmt.rupiah(total.gmv_offline), str(total.transactions), str(total.sellers_active)])
        if dimension == "cohort":
            _note(pdf, _("A producer in two cohorts counts in both rows, "
                         "so the rows can add up to more than the total."))
        elif dimension == "category":
            _note(pdf, _("An order with products of two categories counts in both rows."))
        elif dimension == "training_type":
            _note(pdf, _("A producer who took part in two training types counts in both rows."))

    # ---- producers
    shown = list(sellers[:top_sellers])
    _heading(pdf, _("Producers with the highest sales value"))
    if shown:
        rows = [[line.shop_name, labels.of("kecamatan", line.kecamatan_code), fmt.rupiah(line.value),
                 fmt.rupiah(line.previous_value), fmt.change(line.growth), str(line.transactions)] for line in shown]
        _table(pdf, [dimensions["seller"], dimensions["kecamatan"], words["gmv"], _("Previous period"), _("Change (%)"),
                     words["transactions"]], rows, (50, 32, 29, 29, 18, 22), "LLRRRR")
        _note(pdf, _("%(shown)s of %(total)s producers with sales in this period or the previous one.",
                     shown=len(shown), total=len(sellers)))
    else:
        _note(pdf, _("No sales in this period."))
    return bytes(pdf.output())
