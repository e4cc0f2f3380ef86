"""Officers' programme dashboard: indicators with the previous period, charts, the producers
table, one producer's page, and the exports (CSV, JSON, XLSX, transactions CSV, PDF report)."""
from __future__ import annotations

import math
from dataclasses import dataclass

from flask import Response, abort, current_app, render_template, request
from flask_babel import format_percent
from flask_babel import gettext as _
from flask_login import current_user

from marketplace.admin.exhibition_forms import INDICATOR_MESSAGES
from marketplace.admin.indicator_forms import (
    CHANNEL_LABELS,
    DIMENSION_LABELS,
    INDICATOR_LABELS,
    PRESETS,
    SORT_LABELS,
    IndicatorFilterForm,
    Selection,
    read_selection,
)
from marketplace.admin.routes import PER_PAGE, bp, get_or_404
from marketplace.auth.decorators import officer_required
from marketplace.extensions import db
from marketplace.fields import parse_whole_number
from marketplace.formatting import to_wib
from marketplace.i18n import current_language
from marketplace.models import Cohort, SellerProfile, utcnow
from marketplace.services import indicator_exports as exports
from marketplace.services import indicator_report
from marketplace.services.indicators import (
    DIMENSIONS,
    Filters,
    IndicatorError,
    Period,
    before_after,
    breakdown,
    check_filters,
    shared_results,
)

# Which form field an IndicatorError's `field` belongs to.
_FORM_FIELDS = {"from": "start", "to": "end", "training_type_id": "training_type", "cohort_id": "cohort",
                "kecamatan": "kecamatan", "category_id": "category", "channel": "channel",
                "training_type": "training_type", "cohort": "cohort", "category": "category", "preset": "preset"}
_DOWNLOAD_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _today():
    return to_wib(utcnow()).date()


def _percent(value: float) -> str:
    """A rate as a percentage with one decimal, in the reader's language (66,7 % / 66.7%)."""
    return format_percent(value, "#,##0.0%")


def _render(template: str, **context) -> str:
    """Render an indicators page with the words for indicators, dimensions, channels and sorts."""
    return render_template(template, indicator_labels=INDICATOR_LABELS, dimension_labels=DIMENSION_LABELS,
                           channel_labels=CHANNEL_LABELS, sort_labels=SORT_LABELS, presets=PRESETS,
                           percent=_percent, **context)


def _message(error: IndicatorError) -> str:
    if error.code == "comparison_out_of_range":
        return _("The comparison period before these dates would start before the year 2000. "
                 "Choose a later start date or a shorter period.")
    return str(INDICATOR_MESSAGES.get(error.code, INDICATOR_MESSAGES["invalid_input"]))


def _selection(form: IndicatorFilterForm | None = None) -> Selection:
    """The period and filters of the request, checked against the database (IndicatorError if bad)."""
    selection = read_selection(request.args, _today())
    if form is not None:
        form.preset.data = selection.query["preset"]      # dates without a preset mean "custom"
    check_filters(db.session, selection.filters)
    try:
        # The previous period's growth figure compares it with the period before it in turn.
        selection.period.previous().previous()
    except IndicatorError:
        raise IndicatorError("comparison_out_of_range", "from") from None
    return selection


def _form() -> IndicatorFilterForm:
    form = IndicatorFilterForm(request.args)
    form.fill_choices(db.session, current_language())
    return form


def _refuse(form: IndicatorFilterForm, error: IndicatorError, template: str = "admin/indicators.html", **context):
    """Re-render the page with the message beside the field (or on top) and status 400."""
    message = _message(error)
    field = form._fields.get(_FORM_FIELDS.get(error.field, ""))
    if field is not None:
        field.errors = [*field.errors, message]
    return _render(template, form=form, error=message, report=None, **context), 400


@bp.route("/indikator")
@officer_required
def indicators():
    """Every indicator for the chosen period beside the previous period, with charts and tables."""
    form = _form()
    try:
        selection = _selection(form)
    except IndicatorError as error:
        return _refuse(form, error)
    report = exports.build_report(db.session, selection.period, selection.filters, with_buyers=False)
    labels = exports.load_labels(db.session, current_language())
    return _render("admin/indicators.html", form=form, error=None, report=report, labels=labels,
                           query=selection.query, indicator_keys=exports.INDICATOR_KEYS,
                           value_of=exports.indicator_value, change=exports.change,
                           months=exports.month_rows(report.breakdowns["month"], selection.period))


@dataclass
class ListPage:
    """One page of an already computed list, shaped like Flask-SQLAlchemy's pagination for the pager."""

    items: list
    page: int
    pages: int

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


@bp.route("/indikator/penjual")
@officer_required
def indicator_sellers():
    """Producers with sales in the period or the previous one, sortable and paginated."""
    form = _form()
    sort = request.args.get("sort") or "-value"
    try:
        selection = _selection(form)
    except IndicatorError as error:
        return _refuse(form, error, "admin/indicators_sellers.html", page=None, sort=sort, query={})
    if sort not in exports.SELLER_SORTS:
        return _render("admin/indicators_sellers.html", form=form, report=None, page=None, sort="-value",
                               query=selection.query, error=_("Choose how to sort the table from the list.")), 400
    lines = exports.seller_table(db.session, selection.period, selection.filters, sort)
    number = parse_whole_number(request.args.get("page", "1"))
    pages = max(1, math.ceil(len(lines) / PER_PAGE))
    if number is None or not 1 <= number <= pages:
        abort(404)
    page = ListPage(lines[(number - 1) * PER_PAGE:number * PER_PAGE], number, pages)
    return _render("admin/indicators_sellers.html", form=form, error=None, report=True, page=page,
                           sort=sort, query=selection.query, period=selection.period,
                           sorts=exports.SELLER_SORTS)


@bp.route("/indikator/penjual/<int:seller_id>")
@officer_required
def indicator_seller(seller_id: int):
    """One producer: monthly sales in the period and average sales before and after each training."""
    seller = get_or_404(SellerProfile, seller_id)
    form = _form()
    try:
        selection = _selection(form)
    except IndicatorError as error:
        return _refuse(form, error, "admin/indicators_seller.html", seller=seller, query={})
    months = breakdown(db.session, selection.period, Filters(seller_id=seller.id), "month")
    comparisons = before_after(db.session, seller.id, today=_today())
    cohorts = {c.id: c for c in db.session.query(Cohort).filter(
        Cohort.id.in_([c.cohort_id for c in comparisons]))} if comparisons else {}
    return _render("admin/indicators_seller.html", form=form, error=None, report=months, seller=seller,
                           comparisons=comparisons, cohorts=cohorts, query=selection.query,
                   months=exports.month_rows(months, selection.period),
                           period=selection.period)


def _download(body, mimetype: str, name: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _export_selection() -> Selection:
    try:
        return _selection()
    except IndicatorError as error:
        abort(400, _message(error))


def _name(selection: Selection, stem: str, kind: str) -> str:
    period: Period = selection.period
    return f"{stem}-{period.start.isoformat()}-{period.end.isoformat()}.{kind}"


@bp.route("/indikator/ekspor.<fmt>")
@officer_required
def indicators_export(fmt: str):
    """The indicators (or one breakdown with ?breakdown=) as CSV; everything as JSON or XLSX."""
    if fmt not in _DOWNLOAD_TYPES:
        abort(404)
    selection = _export_selection()
    dimension = (request.args.get("breakdown") or "").strip()
    if dimension and (fmt != "csv" or dimension not in DIMENSIONS):
        abort(400, str(INDICATOR_MESSAGES["unknown_dimension"]))
    locale = current_language()
    session = db.session
    if fmt == "csv" and dimension:
        result = breakdown(session, selection.period, selection.filters, dimension)
        labels = exports.load_labels(session, locale, with_sellers=dimension == "seller")
        body, stem = exports.breakdown_csv(result, labels), f"indikator-{dimension}"
    elif fmt == "csv":
        body = exports.indicators_csv(exports.build_report(session, selection.period, selection.filters, ()))
        stem = "indikator"
    else:
        report = exports.build_report(session, selection.period, selection.filters, exports.EXPORT_DIMENSIONS)
        labels = exports.load_labels(session, locale, with_sellers=True)
        body = exports.report_json(report, labels) if fmt == "json" else exports.report_xlsx(report, labels)
        stem = "indikator"
    exports.record_export(session, actor_id=current_user.id, action="export.indicators",
                          kind=f"{fmt}:{dimension}" if dimension else fmt, period=selection.period,
                          filters=selection.filters)
    return _download(body, _DOWNLOAD_TYPES[fmt], _name(selection, stem, fmt))


@bp.route("/indikator/transaksi.csv")
@officer_required
def indicators_transactions():
    """One row per sale in the period under the filters, without any buyer's personal data."""
    selection = _export_selection()
    labels = exports.load_labels(db.session, current_language())
    body = exports.transactions_csv(db.session, selection.period, selection.filters, labels)
    exports.record_export(db.session, actor_id=current_user.id, action="export.transactions", kind="csv",
                          period=selection.period, filters=selection.filters)
    return _download(body, _DOWNLOAD_TYPES["csv"], _name(selection, "transaksi", "csv"))


@bp.route("/indikator/laporan.pdf")
@officer_required
def indicators_report():
    """The dashboard as a PDF summary report (figures, charts, tables) in the reader's language."""
    selection = _export_selection()
    locale = current_language()
    session = db.session
    with shared_results():      # the producers' table reuses the report's seller rows
        report = exports.build_report(session, selection.period, selection.filters, with_buyers=False)
        sellers = exports.seller_table(session, selection.period, selection.filters, "-value")
    labels = exports.load_labels(session, locale)
    body = indicator_report.render_report(
        report, labels, sellers, indicator_labels=INDICATOR_LABELS, dimension_labels=DIMENSION_LABELS,
        channel_labels=CHANNEL_LABELS, programme=current_app.config["SITE_NAME"], issued_by=current_user.name,
        generated_at=utcnow(), locale=locale)
    exports.record_export(session, actor_id=current_user.id, action="export.indicators", kind="pdf",
                          period=selection.period, filters=selection.filters)
    period = selection.period
    return _download(body, "application/pdf",
                     f"laporan-indikator-{period.start.isoformat()}_{period.end.isoformat()}.pdf")
