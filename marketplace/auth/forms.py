"""Forms for accounts."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, StringField, TelField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, ValidationError

from marketplace.formatting import InvalidPhoneNumber, normalise_phone


class PhoneNumber:
    """Accepts the ways Indonesians write phone numbers; stores E.164 in `field.data`."""

    def __call__(self, form, field):
        if not field.data:
            return
        try:
            field.data = normalise_phone(field.data)
        except InvalidPhoneNumber:
            raise ValidationError(_l("Enter a valid phone number, for example 0812-3456-7890."))


class StrongPassword:
    """At least 8 characters, not only digits, not a common password."""

    COMMON = {"12345678", "password", "password1", "qwertyui", "11111111", "87654321", "indonesia", "blitar123"}

    def __call__(self, form, field):
        value = field.data or ""
        if len(value) < 8:
            raise ValidationError(_l("Use at least 8 characters."))
        if value.isdigit() or value.lower() in self.COMMON:
            raise ValidationError(_l("This password is too easy to guess. Add letters and numbers."))


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(_l("Enter your e-mail address.")), Email(_l("Enter a valid e-mail address."))])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password."))])
    remember = BooleanField(_l("Keep me logged in on this phone"))
    next = HiddenField()


class RegisterForm(FlaskForm):
    name = StringField(_l("Full name"), validators=[DataRequired(_l("Enter your name.")), Length(max=120)])
    email = EmailField(_l("E-mail"), validators=[DataRequired(_l("Enter your e-mail address.")), Email(_l("Enter a valid e-mail address.")), Length(max=254)])
    phone = TelField(_l("WhatsApp / phone number (optional)"), validators=[Optional(), PhoneNumber()])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Choose a password.")), StrongPassword()])
    confirm = PasswordField(_l("Repeat password"), validators=[DataRequired(_l("Repeat your password.")), EqualTo("password", _l("The passwords do not match."))])
    next = HiddenField()
