"""Forms for programme officers and admins.

Forms check shape (lengths, parseable dates and numbers); the rules (allowed transitions,
unique slugs, no category loops, end after start) live in the services, whose reason codes
are worded here in ERROR_MESSAGES.
"""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField, EmailField, IntegerField, PasswordField, SelectChoice, SelectField, StringField, TextAreaField,
)
from wtforms.validators import AnyOf, DataRequired, Email, Length, NumberRange, Optional

from marketplace.auth.forms import StrongPassword
from marketplace.fields import MAX_ID

# Reason codes from services/approvals.py, programme.py, moderation.py and staff.py, worded for people.
ERROR_MESSAGES = {
    "required": _l("This field is required."),
    "too_long": _l("This is too long. Please shorten it."),
    "reason_required": _l("Write the reason: the producer will read it."),
    "reason_too_long": _l("The reason is too long. Please keep it under 2000 characters."),
    "not_allowed": _l(
        "This decision is not possible for a producer with this status. The page shows the current status."),
    "unknown_decision": _l("This decision does not exist."),
    "invalid_slug": _l("Use only small letters, digits and single hyphens, for example pertanian-organik."),
    "taken": _l("This short name is already used. Choose another one."),
    "unknown_training_type": _l("Choose a training type from the list."),
    "end_before_start": _l("The end date cannot be before the start date."),
    "unknown_parent": _l("Choose the parent category from the list."),
    "loop": _l("A category cannot be placed under itself or under one of its own sub-categories."),
    "in_use": _l("This category still has products, so it cannot be deleted. Rename it instead."),
    "has_children": _l("This category has sub-categories. Move or delete them first, or rename this one instead."),
    "not_published": _l("This product is not published, so there is nothing to take down."),
    "email_taken": _l("An account with this e-mail already exists."),
    "self": _l("You cannot deactivate your own account."),
    "not_staff": _l("This account is not an officer or admin."),
    "unchanged": _l("This account already has that state."),
}

REASON_LENGTH = Length(max=2000, message=_l("Use at most %(max)d characters."))




def optional_int(value) -> int | None:
    """Coerce a select's value to an id: empty is None, a tampered value is -1 (no record has it,
    so the service refuses it instead of quietly reading it as "none")."""
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        return -1
    return number if -MAX_ID <= number <= MAX_ID else -1


class LocalDateField(DateField):
    """A date field whose parse error is translatable (WTForms' own message is English only)."""

    def process_formdata(self, valuelist):
        if not valuelist or not (valuelist[0] or "").strip():
            self.data = None
            return
        try:
            self.data = datetime.strptime(valuelist[0].strip(), "%Y-%m-%d").date()
        except ValueError:
            self.data = None
            raise ValueError(_l("Enter a date like 2025-03-14.")) from None


class LocalIntegerField(IntegerField):
    """A whole-number field whose parse error is translatable."""

    def process_formdata(self, valuelist):
        if not valuelist or not (valuelist[0] or "").strip():
            self.data = None
            return
        try:
            self.data = int(valuelist[0].strip())
        except ValueError:
            self.data = None
            raise ValueError(_l("Enter a whole number.")) from None


class ConfirmForm(FlaskForm):
    """A button-only form: carries the CSRF token."""


class DecisionForm(FlaskForm):
    """A producer decision; the reason is required for reject and suspend (checked by the service)."""

    reason = TextAreaField(_l("Reason (the producer reads this)"), validators=[Optional(), REASON_LENGTH])


class UnpublishForm(FlaskForm):
    """Taking a product down; the reason is required (checked by the service)."""

    reason = TextAreaField(_l("Why is this product taken down? (the producer reads this)"),
                           validators=[Optional(), REASON_LENGTH])


class TrainingTypeForm(FlaskForm):
    """A training type's names and slug."""

    name_id = StringField(_l("Name in Indonesian"), validators=[
        DataRequired(_l("Enter the Indonesian name.")), Length(max=120, message=_l("Use at most %(max)d characters."))])
    name_en = StringField(_l("Name in English"), validators=[
        DataRequired(_l("Enter the English name.")), Length(max=120, message=_l("Use at most %(max)d characters."))])
    slug = StringField(_l("Short name for links (optional)"), validators=[
        Optional(), Length(max=60, message=_l("Use at most %(max)d characters."))])


class CohortForm(FlaskForm):
    """A cohort of a training type with its dates."""

    training_type_id = SelectField(_l("Training type"), coerce=optional_int, validate_choice=False)
    name = StringField(_l("Cohort name"), validators=[
        DataRequired(_l("Enter the cohort's name, for example Angkatan 2025.")),
        Length(max=120, message=_l("Use at most %(max)d characters."))])
    place = StringField(_l("Place (optional)"), validators=[
        Optional(), Length(max=120, message=_l("Use at most %(max)d characters."))])
    start_date = LocalDateField(_l("Start date"), validators=[DataRequired(_l("Enter the start date."))])
    end_date = LocalDateField(_l("End date"), validators=[DataRequired(_l("Enter the end date."))])


class CategoryForm(FlaskForm):
    """A category's names, slug, parent and position."""

    name_id = StringField(_l("Name in Indonesian"), validators=[
        DataRequired(_l("Enter the Indonesian name.")), Length(max=120, message=_l("Use at most %(max)d characters."))])
    name_en = StringField(_l("Name in English"), validators=[
        DataRequired(_l("Enter the English name.")), Length(max=120, message=_l("Use at most %(max)d characters."))])
    slug = StringField(_l("Short name for links (optional)"), validators=[
        Optional(), Length(max=80, message=_l("Use at most %(max)d characters."))])
    parent_id = SelectField(_l("Parent category"), coerce=optional_int, validate_choice=False)
    position = LocalIntegerField(_l("Position in lists (smaller comes first)"), default=0, validators=[
        Optional(), NumberRange(min=0, max=1000, message=_l("Enter a number from %(min)d to %(max)d."))])


class OfficerForm(FlaskForm):
    """A new officer account with a temporary password."""

    name = StringField(_l("Full name"), validators=[
        DataRequired(_l("Enter the officer's name.")), Length(max=120, message=_l("Use at most %(max)d characters."))])
    email = EmailField(_l("E-mail"), validators=[
        DataRequired(_l("Enter the officer's e-mail address.")), Email(_l("Enter a valid e-mail address.")),
        Length(max=254, message=_l("Use at most %(max)d characters."))])
    password = PasswordField(_l("Temporary password (tell it to the officer; they can change it later)"),
                             validators=[DataRequired(_l("Choose a temporary password.")), StrongPassword()])
    language = SelectField(_l("Language for e-mails"),
                           choices=[SelectChoice("id", "Bahasa Indonesia"), SelectChoice("en", "English")],
                           validate_choice=False,
                           validators=[AnyOf(["id", "en"], message=_l("Choose Bahasa Indonesia or English."))])
