"""Forms for producers: the onboarding steps.

Forms check shape (required, length, parseable); the business rules (known kecamatan,
cohort dates, paper formats) live in marketplace/services/onboarding.py, whose reason
codes are worded here in ERROR_MESSAGES.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from markupsafe import escape
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField, DateField, RadioField, SelectChoice, SelectField, SelectMultipleField, StringField, TelField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from marketplace.fields import parse_whole_number
from marketplace.formatting import InvalidPhoneNumber, normalise_phone
from marketplace.regions import KECAMATAN

# Reason codes from services/onboarding.py, worded for people.
ERROR_MESSAGES = {
    "required": _l("This field is required."),
    "too_long": _l("This is too long. Please shorten it."),
    "conflict": _l("This was saved at the same moment from another window. Please check and save again."),
    "unknown_kecamatan": _l("Choose your kecamatan from the list."),
    "invalid_phone": _l("Enter a valid WhatsApp number, for example 0812-3456-7890."),
    "unknown_cohort": _l("One of the chosen trainings does not exist. Please choose again from the list."),
    "choose_cohort": _l("Tick the training you completed, or choose \"I am not in the programme\"."),
    "date_required": _l("Enter the date you completed this training."),
    "date_in_future": _l("The completion date cannot be in the future."),
    "date_before_start": _l("The completion date cannot be before the training started."),
    "invalid_nib": _l("An NIB has exactly 13 digits, for example 1234567890123."),
    "invalid_pirt": _l("A P-IRT number has 12 to 17 digits, for example 2063505010123-24."),
    "invalid_halal": _l("Enter the halal certificate number as printed, for example ID35110000123450123."),
    "consent_required": _l("Please agree so that we can register your shop."),
}


class WhatsAppNumber:
    """Accepts 0812-..., +62 812 ... or 62812...; leaves E.164 in `field.data`."""

    def __call__(self, form, field):
        try:
            field.data = normalise_phone(field.data)
        except InvalidPhoneNumber:
            raise ValidationError(ERROR_MESSAGES["invalid_phone"])


class ShopForm(FlaskForm):
    shop_name = StringField(_l("Shop name"), validators=[
        DataRequired(_l("Enter the name of your shop.")),
        Length(max=120, message=_l("Use at most %(max)d characters.")),
    ])
    story = TextAreaField(_l("Your story"), validators=[
        Optional(), Length(max=2000, message=_l("Use at most %(max)d characters."))])
    products_summary = StringField(_l("What do you make?"), validators=[
        Optional(), Length(max=255, message=_l("Use at most %(max)d characters."))])
    photo_file = FileField(_l("Profile photo (optional)"))
    remove_photo = BooleanField(_l("Remove the current photo"))


class LocationForm(FlaskForm):
    kecamatan_code = SelectField(_l("Kecamatan"), validate_choice=False,
                                 validators=[DataRequired(_l("Choose your kecamatan."))])
    desa = StringField(_l("Desa / kelurahan"), validators=[
        DataRequired(_l("Enter your desa or kelurahan.")),
        Length(max=120, message=_l("Use at most %(max)d characters."))])
    address = StringField(_l("Street address (optional)"), validators=[
        Optional(), Length(max=255, message=_l("Use at most %(max)d characters."))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Grouped by regency (Kabupaten / Kota Blitar), in official code order.
        self.kecamatan_code.choices = [SelectChoice("", _l("Choose..."))] + [
            SelectChoice(k.code, k.name, optgroup=k.regency_name) for k in KECAMATAN]


class ContactForm(FlaskForm):
    whatsapp = TelField(_l("WhatsApp number"), validators=[
        DataRequired(_l("Enter your WhatsApp number.")),
        Length(max=30, message=_l("Use at most %(max)d characters.")),
        WhatsAppNumber(),
    ])


class ProgrammeForm(FlaskForm):
    """Programme membership. One date field `completed_<id>` per cohort is added by `programme_form`."""

    in_programme = RadioField(_l("Are you in the Blitar economic empowerment programme?"), choices=[
        SelectChoice("yes", _l("Yes, I completed one or more trainings")),
        SelectChoice("no", _l("No, I am not in the programme")),
    ], validators=[InputRequired(_l("Choose one of the two answers."))])
    cohorts = SelectMultipleField(_l("Trainings you completed"), choices=[], validate_choice=False)
    group_name = StringField(_l("Your group's name (optional)"), validators=[
        Optional(), Length(max=120, message=_l("Use at most %(max)d characters."))])

    def date_field(self, cohort_id: int):
        return self[f"completed_{cohort_id}"]

    def chosen_ids(self) -> list[int] | None:
        """The ticked cohort ids as integers, or None when one is not a number (tampered form)."""
        ids = [parse_whole_number(value) for value in self.cohorts.data or []]
        return None if None in ids else ids


def programme_form(cohorts: list, **kwargs) -> ProgrammeForm:
    """A ProgrammeForm with a completion-date field `completed_<id>` for each cohort."""

    class Form(ProgrammeForm):
        pass

    for cohort in cohorts:
        # Lazy strings count as safe HTML in templates, so the officer-entered name is escaped here.
        label = _l("Date you completed %(cohort)s", cohort=escape(cohort.name))
        setattr(Form, f"completed_{cohort.id}", DateField(label, validators=[Optional()]))
    return Form(**kwargs)


class PapersForm(FlaskForm):
    nib = StringField(_l("NIB (business registration number)"), validators=[
        Optional(), Length(max=30, message=_l("Use at most %(max)d characters."))])
    pirt = StringField(_l("P-IRT number (home food permit)"), validators=[
        Optional(), Length(max=40, message=_l("Use at most %(max)d characters."))])
    halal = StringField(_l("Halal certificate number"), validators=[
        Optional(), Length(max=60, message=_l("Use at most %(max)d characters."))])


class ConsentForm(FlaskForm):
    agree = BooleanField(_l("I agree that the programme may use my sales data as described above."))


class SubmitForm(FlaskForm):
    """The review page's submit button (a form only for its CSRF token)."""
