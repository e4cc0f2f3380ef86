"""The GET form of the programme dashboard: a period preset or custom dates, and combinable filters.

`read_selection` turns the query string into a Period and Filters from services/indicators.py,
raising IndicatorError (worded in INDICATOR_MESSAGES) for anything it cannot accept.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import Session
from wtforms import SelectChoice, SelectField, StringField

from marketplace.fields import parse_whole_number
from marketplace.models import Category, Cohort, TrainingType
from marketplace.regions import kecamatan_choices
from marketplace.services.indicators import Filters, IndicatorError, Period

PRESETS = {
    "this_month": _l("This month"),
    "last_month": _l("Last month"),
    "this_quarter": _l("This quarter"),
    "last_quarter": _l("Last quarter"),
    "this_year": _l("This year"),
    "custom": _l("Custom dates"),
}
CHANNEL_LABELS = {"online": _l("Online"), "offline": _l("Exhibitions and stalls (offline)")}


def preset_period(preset: str, today: date) -> Period:
    """The period a preset names, computed from `today` (a WIB date)."""
    if preset == "last_month":
        end = today.replace(day=1) - timedelta(days=1)
        return Period(end.replace(day=1), end)
    first_month = 3 * ((today.month - 1) // 3) + 1
    if preset == "this_quarter":
        return Period(date(today.year, first_month, 1), today)
    if preset == "last_quarter":
        end = date(today.year, first_month, 1) - timedelta(days=1)
        return Period(date(end.year, end.month - 2, 1), end)
    if preset == "this_year":
        return Period(date(today.year, 1, 1), today)
    return Period(today.replace(day=1), today)


class IndicatorFilterForm(FlaskForm):
    """Period and filters; a GET form, so no CSRF token."""

    class Meta:
        csrf = False

    preset = SelectField(_l("Period"), choices=[SelectChoice(k, v) for k, v in PRESETS.items()],
                         validate_choice=False)
    start = StringField(_l("From (for custom dates)"), render_kw={"type": "date"})
    end = StringField(_l("To (for custom dates)"), render_kw={"type": "date"})
    training_type = SelectField(_l("Training type"), validate_choice=False)
    cohort = SelectField(_l("Cohort"), validate_choice=False)
    kecamatan = SelectField(_l("Kecamatan"), validate_choice=False)
    category = SelectField(_l("Category"), validate_choice=False)
    channel = SelectField(_l("Channel"), validate_choice=False)

    def fill_choices(self, session: Session, locale: str) -> None:
        """Options from the database (one small query per list)."""
        everything = [SelectChoice("", _l("All"))]
        types = {t.id: t.name(locale) for t in session.scalars(select(TrainingType).order_by(TrainingType.id))}
        self.training_type.choices = everything + [SelectChoice(str(i), name) for i, name in types.items()]
        self.cohort.choices = everything + [
            SelectChoice(str(c.id), f"{types.get(c.training_type_id, '')} · {c.name}")
            for c in session.scalars(select(Cohort).order_by(Cohort.start_date.desc(), Cohort.id))]
        self.kecamatan.choices = everything + [SelectChoice(code, label) for code, label in kecamatan_choices()]
        self.category.choices = everything + [
            SelectChoice(str(c.id), c.name(locale)) for c in session.scalars(select(Category).order_by(Category.id))]
        self.channel.choices = everything + [SelectChoice(k, v) for k, v in CHANNEL_LABELS.items()]


@dataclass
class Selection:
    period: Period
    filters: Filters
    query: dict[str, str]      # the accepted arguments, for links to exports and other pages


def _id(args, name: str, code: str) -> int | None:
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    number = parse_whole_number(raw)
    if number is None:
        raise IndicatorError(code, name)
    return number


def read_selection(args, today: date) -> Selection:
    """The period and filters of a query string; IndicatorError for bad values (unknown ids are
    caught later by check_filters)."""
    preset = (args.get("preset") or "").strip() or ("custom" if args.get("start") or args.get("end")
                                                   else "this_month")
    if preset not in PRESETS:
        raise IndicatorError("invalid_input", "preset")
    if preset == "custom":
        period = Period.parse(args.get("start"), args.get("end"))
    else:
        period = preset_period(preset, today)
    kecamatan = (args.get("kecamatan") or "").strip() or None
    channel = (args.get("channel") or "").strip() or None
    filters = Filters(training_type_id=_id(args, "training_type", "unknown_training_type"),
                      cohort_id=_id(args, "cohort", "unknown_cohort"), kecamatan_code=kecamatan,
                      category_id=_id(args, "category", "unknown_category"), channel=channel)
    query = {"preset": preset}
    if preset == "custom":
        query.update(start=period.start.isoformat(), end=period.end.isoformat())
    for name, value in (("training_type", filters.training_type_id), ("cohort", filters.cohort_id),
                        ("kecamatan", kecamatan), ("category", filters.category_id), ("channel", channel)):
        if value is not None:
            query[name] = str(value)
    return Selection(period, filters, query)


INDICATOR_LABELS = {
    "gmv": _l("Sales value"),
    "gmv_online": _l("Sales value online"),
    "gmv_offline": _l("Sales value offline"),
    "transactions": _l("Transactions"),
    "orders": _l("Online orders"),
    "aov": _l("Average online order value"),
    "buyers": _l("Buyers"),
    "repeat_buyers": _l("Repeat buyers"),
    "repeat_buyer_rate": _l("Repeat buyer rate"),
    "sellers_registered": _l("Registered producers"),
    "sellers_new": _l("New producers"),
    "sellers_active": _l("Active producers"),
    "active_rate": _l("Share of producers active"),
    "value_outside_blitar": _l("Online sales value outside Blitar"),
    "reach_outside_blitar": _l("Share of online sales outside Blitar"),
    "sellers_with_previous_sales": _l("Producers with sales in the previous period"),
    "sellers_growing": _l("Producers growing by at least 15%"),
    "sellers_growing_share": _l("Share of producers growing"),
}
DIMENSION_LABELS = {
    "month": _l("Month"),
    "channel": _l("Channel"),
    "training_type": _l("Training type"),
    "cohort": _l("Cohort"),
    "kecamatan": _l("Kecamatan"),
    "category": _l("Category"),
    "seller": _l("Producer"),
}
SORT_LABELS = {
    "-value": _l("Sales value, highest first"),
    "value": _l("Sales value, lowest first"),
    "-transactions": _l("Transactions, most first"),
    "transactions": _l("Transactions, fewest first"),
    "-growth": _l("Growth, highest first"),
    "growth": _l("Growth, lowest first"),
    "name": _l("Name, A to Z"),
    "-name": _l("Name, Z to A"),
}
