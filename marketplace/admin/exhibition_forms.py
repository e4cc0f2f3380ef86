"""Forms for exhibitions and offline sales (officers' pages and the producers' stall-sales pages).

Forms check shape (parseable dates, whole rupiah, lengths); the rules (approved producer, the
producer's own product, a date inside the exhibition, not in the future, a reason for every
correction) live in services/offline_sales.py, whose reason codes are worded in SALE_MESSAGES.
"""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
)

from marketplace.admin.forms import LocalDateField, LocalIntegerField, optional_int
from marketplace.fields import RupiahField
from marketplace.services.offline_sales import MAX_QUANTITY, MAX_VALUE, SaleInput

SALE_MESSAGES = {
    "required": _l("This field is required."),
    "too_long": _l("This is too long. Please shorten it."),
    "end_before_start": _l("The end date cannot be before the start date."),
    "event_too_long": _l("An exhibition can last at most a year. Check the dates."),
    "sales_outside_dates": _l("Sales are recorded for days outside these dates. Correct those sales first."),
    "date_too_early": _l("This date is too far in the past. Check the year."),
    "date_in_future": _l("The sale date cannot be in the future."),
    "date_outside_event": _l("The sale date must fall within the exhibition's dates."),
    "bad_value": _l("Enter the amount received, at least Rp 1."),
    "bad_quantity": _l("Enter a quantity from 1 to %(max)d.", max=MAX_QUANTITY),
    "unknown_product": _l("Choose one of this producer's products from the list."),
    "unknown_event": _l("Choose an exhibition from the list."),
    "unknown_seller": _l("Choose an approved producer from the list."),
    "seller_not_approved": _l("Sales can only be recorded for approved producers."),
    "reason_required": _l("Write the reason for this change: it is kept in the history."),
    "reason_too_long": _l("The reason is too long. Please keep it under 2000 characters."),
    "already_void": _l("This sale was already corrected or cancelled. The page shows its current state."),
}

_LENGTH_120 = Length(max=120, message=_l("Use at most %(max)d characters."))


class ExhibitionForm(FlaskForm):
    """An exhibition, bazaar or market day with its place and dates."""

    name = StringField(_l("Name of the exhibition"), validators=[
        DataRequired(_l("Enter the exhibition's name, for example Pameran UMKM Alun-alun.")), _LENGTH_120])
    place = StringField(_l("Place (optional)"), validators=[Optional(), _LENGTH_120])
    start_date = LocalDateField(_l("First day"), validators=[InputRequired(_l("Enter the first day."))])
    end_date = LocalDateField(_l("Last day"), validators=[InputRequired(_l("Enter the last day."))])


class ChooseProducerForm(FlaskForm):
    """Step one of recording a sale: which producer (a GET form, so no CSRF token)."""

    class Meta:
        csrf = False

    penjual = SelectField(_l("Producer"), coerce=optional_int, validate_choice=False)


class OfflineSaleForm(FlaskForm):
    """One offline sale: date, amount, and optionally product, quantity, exhibition and a note."""

    sale_date = LocalDateField(_l("Date of the sale"), validators=[InputRequired(_l("Enter the date of the sale."))])
    value = RupiahField(_l("Amount received (Rp)"), maximum=MAX_VALUE,
                        validators=[InputRequired(_l("Enter the amount received."))])
    product_id = SelectField(_l("Product (optional)"), coerce=optional_int, validate_choice=False)
    quantity = LocalIntegerField(_l("Quantity (optional)"), validators=[
        Optional(), NumberRange(min=1, max=MAX_QUANTITY, message=_l("Enter a number from %(min)d to %(max)d."))])
    event_id = SelectField(_l("Exhibition (optional)"), coerce=optional_int, validate_choice=False)
    note = StringField(_l("Note (optional)"), validators=[
        Optional(), Length(max=255, message=_l("Use at most %(max)d characters."))])


class CorrectSaleForm(OfflineSaleForm):
    """A corrected sale, with the reason kept in the history."""

    reason = TextAreaField(_l("Why is it corrected?"), validators=[
        DataRequired(SALE_MESSAGES["reason_required"]),
        Length(max=2000, message=_l("Use at most %(max)d characters."))])


class VoidSaleForm(FlaskForm):
    """Cancelling a recorded sale, with the reason kept in the history."""

    reason = TextAreaField(_l("Why is this sale cancelled?"), validators=[
        DataRequired(SALE_MESSAGES["reason_required"]),
        Length(max=2000, message=_l("Use at most %(max)d characters."))])


def apply_sale_errors(form, errors: dict[str, str]) -> None:
    """Put the service's reason codes onto the form's fields as translated messages."""
    for name, code in errors.items():
        message = SALE_MESSAGES.get(code, SALE_MESSAGES["required"])
        field = form._fields.get(name)
        if field is not None:
            field.errors = [*field.errors, message]
        else:
            form.form_errors.append(message)


def set_sale_choices(form: OfflineSaleForm, products, events) -> None:
    """Fill the product and exhibition selects (both optional) from the given records."""
    form.product_id.choices = [SelectChoice("", _("None"))] + [SelectChoice(p.id, p.name) for p in products]
    form.event_id.choices = [SelectChoice("", _("None"))] + [
        SelectChoice(e.id, f"{e.name} ({e.start_date.isoformat()})") for e in events]


def sale_input(form: OfflineSaleForm):
    """The form's data as the service's SaleInput."""
    return SaleInput(sale_date=form.sale_date.data, value=form.value.data, product_id=form.product_id.data,
                     quantity=form.quantity.data, event_id=form.event_id.data, note=form.note.data or "")


def fill_from_sale(form: OfflineSaleForm, sale) -> None:
    """Prefill a correction form with the sale's current values (on GET)."""
    form.sale_date.data, form.value.data, form.note.data = sale.sale_date, sale.value, sale.note
    form.product_id.data, form.quantity.data, form.event_id.data = sale.product_id, sale.quantity, sale.event_id


# Reason codes of services/indicators.py IndicatorError, for the dashboard and export views (400 pages).
INDICATOR_MESSAGES = {
    "invalid_input": _l("The report could not be read. Please choose the dates and filters again."),
    "invalid_date": _l("Enter a date like 2025-03-14."),
    "out_of_range": _l("Choose dates between the years 2000 and 2100."),
    "end_before_start": _l("The end date cannot be before the start date."),
    "too_long": _l("Choose a period of at most ten years."),
    "unknown_channel": _l("Choose online or offline sales from the list."),
    "unknown_kecamatan": _l("Choose a kecamatan from the list."),
    "unknown_training_type": _l("Choose a training type from the list."),
    "unknown_cohort": _l("Choose a cohort from the list."),
    "unknown_category": _l("Choose a category from the list."),
    "unknown_seller": _l("Choose a producer from the list."),
    "unknown_dimension": _l("Choose how to split the figures from the list."),
}
