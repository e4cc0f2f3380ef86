"""Forms for cart and checkout."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice, EmailField, HiddenField, IntegerField, RadioField, SelectField, StringField, TelField
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, ValidationError

from marketplace.formatting import InvalidPhoneNumber, normalise_phone

REGION_CHOICES = [
    SelectChoice("35.05", _l("Kabupaten Blitar")),
    SelectChoice("35.72", _l("Kota Blitar")),
    SelectChoice("35", _l("Elsewhere in Jawa Timur")),
    SelectChoice("", _l("Outside Jawa Timur")),
]


class PhoneNumber:
    def __call__(self, form, field):
        try:
            field.data = normalise_phone(field.data)
        except InvalidPhoneNumber:
            raise ValidationError(_l("Enter a valid phone number, for example 0812-3456-7890."))


class CartQuantityForm(FlaskForm):
    product_id = HiddenField(validators=[DataRequired()])
    quantity = IntegerField(_l("Quantity"), default=1,
                            validators=[DataRequired(_l("Enter a quantity.")),
                                        NumberRange(min=0, max=999, message=_l("Enter a quantity from 0 to 999."))])
    next = HiddenField()


class CheckoutContactForm(FlaskForm):
    """Step 1: who is buying and where it goes."""

    name = StringField(_l("Your name"), validators=[DataRequired(_l("Enter your name.")), Length(max=120)])
    email = EmailField(_l("E-mail"), validators=[DataRequired(_l("Enter your e-mail address.")),
                                                 Email(_l("Enter a valid e-mail address.")), Length(max=254)])
    phone = TelField(_l("WhatsApp number"), validators=[DataRequired(_l("Enter your WhatsApp number.")),
                                                        PhoneNumber()])
    region = SelectField(_l("Delivery region"), choices=REGION_CHOICES, validate_choice=True)
    regency_name = StringField(_l("Kabupaten / kota"), validators=[Optional(), Length(max=120)])
    kecamatan = StringField(_l("Kecamatan"), validators=[Optional(), Length(max=120)])
    desa = StringField(_l("Desa / kelurahan"), validators=[Optional(), Length(max=120)])
    street = StringField(_l("Street, house number, RT/RW"), validators=[Optional(), Length(max=255)])
    postal_code = StringField(_l("Postal code"), validators=[Optional(), Length(max=10)])

    def validate_regency_name(self, field):
        if self.region.data not in ("35.05", "35.72") and not (field.data or "").strip():
            raise ValidationError(_l("Enter the kabupaten or kota."))


class CheckoutPlaceForm(FlaskForm):
    """Step 2: delivery per producer (radio fields added per request) and the payment method."""

    payment_method = RadioField(_l("Payment method"), validators=[DataRequired(_l("Choose how to pay."))])


