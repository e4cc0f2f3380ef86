"""Forms for payouts and the settlement settings (officers and admins)."""
from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    Optional,
    ValidationError,
)

from marketplace.fields import MAX_ID, RupiahField

PAYOUT_MESSAGES = {
    "nothing_owed": _l("Nothing can be paid out to this producer now."),
    "nobody_selected": _l("Choose at least one producer."),
    "no_bank_details": _l("The producer has not entered their bank account yet."),
    "payout_pending": _l("The producer already has a payout that is not marked sent yet."),
    "exceeds_balance": _l("The amount is more than the producer's available balance."),
    "below_minimum": _l("The balance is below the minimum payout."),
    "not_found": _l("Producer not found."),
    "not_pending": _l("This payout was already marked sent or cancelled."),
    "reference_required": _l("Enter the bank's reference for the transfer."),
    "reference_too_long": _l("The reference is too long (at most 60 characters)."),
    "reason_required": _l("Write the reason."),
    "reason_too_long": _l("The reason is too long. Please keep it under 2000 characters."),
    "zero_amount": _l("Enter an amount other than 0."),
    "bad_rate": _l("Enter a commission from 0 to 100 percent, with at most two decimals."),
    "bad_account_number": _l("Enter the account number: 5 to 20 digits."),
    "required": _l("This field is required."),
}


def parse_percent(raw: str) -> int:
    """`2,5` or `2.5` (percent) -> 250 basis points; ValueError unless 0-100 with at most two decimals."""
    text = (raw or "").strip().replace(",", ".").rstrip("%").strip()
    if not re.fullmatch(r"[0-9]{1,3}(\.[0-9]{1,2})?", text):
        raise ValueError(text)
    try:
        bps = int((Decimal(text) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    except InvalidOperation as exc:
        raise ValueError(text) from exc
    if not 0 <= bps <= 10_000:
        raise ValueError(text)
    return bps


def format_percent(bps: int | None) -> str:
    """250 -> `2.5`, 300 -> `3`."""
    if bps is None:
        return ""
    return f"{Decimal(bps) / 100:f}".rstrip("0").rstrip(".") if bps % 100 else str(bps // 100)


class PercentField(StringField):
    """A commission in percent (`2.5`), stored as basis points in `.data`."""

    def _value(self):
        if isinstance(self.data, int):
            return format_percent(self.data)
        return self.raw_data[0] if self.raw_data else ""

    def process_formdata(self, valuelist):
        if not valuelist or not (valuelist[0] or "").strip():
            self.data = None
            return
        try:
            self.data = parse_percent(valuelist[0])
        except ValueError:
            self.data = None
            raise ValueError(PAYOUT_MESSAGES["bad_rate"]) from None


class BatchForm(FlaskForm):
    """Pay the ticked producers, or everyone whose available balance is at least the minimum."""

    seller_ids = SelectMultipleField(_l("Producers"), coerce=int, validate_choice=False)
    minimum = RupiahField(_l("Minimum payout"), validators=[Optional()])

    def validate_seller_ids(self, field):
        if any(not 0 < value <= MAX_ID for value in field.data or []):
            raise ValidationError(_l("Choose producers from the list."))


class SentForm(FlaskForm):
    bank_reference = StringField(_l("Bank reference"), validators=[
        DataRequired(PAYOUT_MESSAGES["reference_required"]),
        Length(max=60, message=PAYOUT_MESSAGES["reference_too_long"])])


class CancelPayoutForm(FlaskForm):
    reason = TextAreaField(_l("Reason for cancelling"), validators=[
        DataRequired(PAYOUT_MESSAGES["reason_required"]),
        Length(max=2000, message=PAYOUT_MESSAGES["reason_too_long"])])


class SettingsForm(FlaskForm):
    commission = PercentField(_l("Commission (percent of the goods value)"),
                              validators=[InputRequired(PAYOUT_MESSAGES["bad_rate"])])
    hold_until_delivered = BooleanField(_l("Hold each sale's money until the goods are delivered"))
    payout_minimum = RupiahField(_l("Minimum payout"), validators=[InputRequired(_l("Enter an amount, 0 for none."))])

    def validate_payout_minimum(self, field):
        if field.data is None:
            raise ValidationError(_l("Enter an amount, 0 for none."))


class CommissionOverrideForm(FlaskForm):
    commission = PercentField(_l("This producer's commission (percent); empty: the marketplace's rate"),
                              validators=[Optional()])


class AdjustmentForm(FlaskForm):
    amount = RupiahField(_l("Amount"), validators=[DataRequired(_l("Enter an amount."))])
    credit = BooleanField(_l("Money owed to the producer (untick to take money back)"), default=True)
    reason = TextAreaField(_l("Reason"), validators=[
        DataRequired(PAYOUT_MESSAGES["reason_required"]),
        Length(max=2000, message=PAYOUT_MESSAGES["reason_too_long"])])


ENTRY_LABELS = {
    "sale": _l("Sale"),
    "reversal": _l("Refund or cancellation"),
    "payout": _l("Payout"),
    "payout_cancelled": _l("Payout cancelled"),
    "adjustment": _l("Adjustment"),
}

PAYOUT_LABELS = {
    "pending": _l("Not sent yet"),
    "sent": _l("Sent"),
    "cancelled": _l("Cancelled"),
}


def entry_label(kind) -> str:
    return str(ENTRY_LABELS.get(getattr(kind, "value", kind), kind))


def payout_label(status) -> str:
    return str(PAYOUT_LABELS.get(getattr(status, "value", status), status))
