"""Forms for accounts: register, log in, account page, change and reset password."""
from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, SelectField, StringField, TelField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, ValidationError

from marketplace.formatting import InvalidPhoneNumber
from marketplace.services.accounts import MAX_PASSWORD_LENGTH, clean_phone, password_problem


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class PhoneNumber:
    """Accepts the ways Indonesians write phone numbers; stores E.164 in `field.data`."""

    def __call__(self, form, field):
        if not field.data:
            return
        try:
            field.data = clean_phone(field.data)
        except InvalidPhoneNumber:
            raise ValidationError(_("Enter a valid phone number, for example 0812-3456-7890."))


class StrongPassword:
    """The password rule of services.accounts.password_problem, with a message per problem."""

    def __call__(self, form, field):
        min_length = current_app.config["PASSWORD_MIN_LENGTH"]
        problem = password_problem(field.data, min_length)
        if problem == "too_short":
            raise ValidationError(_("Use at least %(num)s characters.", num=min_length))
        if problem == "too_long":
            raise ValidationError(_("Use at most %(num)s characters.", num=MAX_PASSWORD_LENGTH))
        if problem:
            raise ValidationError(_("This password is too easy to guess. Use letters and numbers."))


def _email_field(label=None):
    return EmailField(
        label or _l("E-mail"),
        filters=[_strip],
        validators=[DataRequired(_l("Enter your e-mail address.")), Email(_l("Enter a valid e-mail address.")),
                    Length(max=254, message=_l("This e-mail address is too long."))],
    )


def _name_field():
    return StringField(
        _l("Full name"), filters=[_strip],
        validators=[DataRequired(_l("Enter your name.")), Length(max=120, message=_l("Use at most 120 characters."))],
    )


def _phone_field():
    return TelField(_l("WhatsApp / phone number (optional)"), filters=[_strip], validators=[Optional(), PhoneNumber()])


def _new_password_fields(label):
    password = PasswordField(label, validators=[DataRequired(_l("Choose a password.")), StrongPassword()])
    confirm = PasswordField(
        _l("Repeat password"),
        validators=[DataRequired(_l("Repeat your password.")), EqualTo("password", _l("The passwords do not match."))],
    )
    return password, confirm


class LoginForm(FlaskForm):
    email = _email_field()
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Enter your password.")), Length(max=MAX_PASSWORD_LENGTH * 2)],
    )
    remember = BooleanField(_l("Keep me logged in on this phone"))
    next = HiddenField()


class RegisterForm(FlaskForm):
    name = _name_field()
    email = _email_field()
    phone = _phone_field()
    password, confirm = _new_password_fields(_l("Password"))
    next = HiddenField()


class AccountForm(FlaskForm):
    """The details a user edits on the account page (the e-mail stays: it is how they log in)."""

    name = _name_field()
    phone = _phone_field()
    preferred_language = SelectField(_l("Language"), validators=[DataRequired(_l("Choose a language."))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.preferred_language.choices = list(current_app.config["LANGUAGES"].items())


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(_l("Enter your current password.")), Length(max=MAX_PASSWORD_LENGTH * 2)],
    )
    password, confirm = _new_password_fields(_l("New password"))


class ForgotPasswordForm(FlaskForm):
    email = _email_field()


class ResetPasswordForm(FlaskForm):
    password, confirm = _new_password_fields(_l("New password"))
