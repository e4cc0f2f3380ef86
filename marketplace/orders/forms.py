"""Forms for cart and checkout."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectChoice, EmailField, TextAreaField, HiddenField, IntegerField, RadioField, SelectField, StringField, TelField
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, ValidationError

from marketplace.fields import RupiahField
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




COURIERS = ["JNE", "J&T", "SiCepat", "POS Indonesia", "AnterAja"]


class ShipForm(FlaskForm):
    courier = SelectField(
        _l("Courier"),
        choices=[SelectChoice("self", _l("Delivered by myself"))] + [SelectChoice(c, c) for c in COURIERS],
        validators=[DataRequired(_l("Choose the courier."))],
    )
    # No Optional() here: it would stop the check below when the field is empty.
    tracking_number = StringField(_l("Tracking number (resi)"), validators=[Length(max=60)])

    def validate_tracking_number(self, field):
        if self.courier.data != "self" and not (field.data or "").strip():
            raise ValidationError(_l("Enter the tracking number (resi) from the courier."))


class CancelForm(FlaskForm):
    reason = StringField(_l("Reason for cancelling"), validators=[DataRequired(_l("Write the reason.")),
                                                                  Length(max=500)])


class DeliverySettingsForm(FlaskForm):
    offers_pickup = BooleanField(_l("Buyers can pick up at my place"))
    pickup_note = StringField(_l("Pickup times and directions"), validators=[Optional(), Length(max=255)])
    offers_local_delivery = BooleanField(_l("I deliver inside Blitar myself"))
    local_delivery_fee = RupiahField(_l("Fee for my own delivery inside Blitar"), validators=[Optional()],
                                     maximum=1_000_000)
    offers_courier = BooleanField(_l("I send by courier"))
    courier_fee_blitar = RupiahField(_l("Courier fee per kg inside Blitar (empty: not offered)"),
                                     validators=[Optional()], maximum=1_000_000)
    courier_fee_jatim = RupiahField(_l("Courier fee per kg elsewhere in Jawa Timur (empty: not offered)"),
                                    validators=[Optional()], maximum=1_000_000)
    courier_fee_indonesia = RupiahField(_l("Courier fee per kg to the rest of Indonesia (empty: not offered)"),
                                        validators=[Optional()], maximum=1_000_000)
    offers_cash = BooleanField(_l("I accept cash on delivery / at pickup"))

    def validate_offers_pickup(self, field):
        if not (field.data or self.offers_local_delivery.data or self.offers_courier.data):
            raise ValidationError(_l("Offer at least one way for buyers to get your products."))

    def validate_offers_courier(self, field):
        if field.data and not any((self.courier_fee_blitar.data, self.courier_fee_jatim.data,
                                   self.courier_fee_indonesia.data)):
            raise ValidationError(_l("Enter a courier fee for at least one zone."))

    def settings_values(self) -> dict:
        """The form's values as DeliverySettings columns (empty fees stored as 0)."""
        return {
            "offers_pickup": bool(self.offers_pickup.data), "pickup_note": (self.pickup_note.data or "").strip(),
            "offers_local_delivery": bool(self.offers_local_delivery.data),
            "local_delivery_fee": self.local_delivery_fee.data or 0,
            "offers_courier": bool(self.offers_courier.data),
            "courier_fee_blitar": self.courier_fee_blitar.data or 0,
            "courier_fee_jatim": self.courier_fee_jatim.data or 0,
            "courier_fee_indonesia": self.courier_fee_indonesia.data or 0,
            "offers_cash": bool(self.offers_cash.data),
        }


class ReviewForm(FlaskForm):
    rating = RadioField(_l("Rating"), choices=[SelectChoice(str(n), str(n)) for n in range(5, 0, -1)],
                        validators=[DataRequired(_l("Choose 1 to 5 stars."))])
    body = TextAreaField(_l("Your review (optional)"), validators=[Optional(), Length(max=2000)])


class ReceiptForm(FlaskForm):
    receipt = FileField(_l("Photo of the transfer receipt"),
                        validators=[FileRequired(_l("Choose a photo of the receipt."))])


class RefundForm(FlaskForm):
    amount = RupiahField(_l("Amount to refund"), validators=[DataRequired(_l("Enter the amount."))])
    reason = StringField(_l("Reason"), validators=[DataRequired(_l("Write the reason.")), Length(max=500)])
