"""Forms of the producer workspace: products, photos, the CSV import and the shop profile.

Forms check shape (required, parseable, length); the rules (known category and tags,
who may publish, photo count) live in marketplace/services/products.py and
services/shop.py, whose reason codes are worded here in PRODUCT_MESSAGES.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, MultipleFileField
from wtforms import (
    BooleanField, HiddenField, RadioField, SelectChoice, SelectField, SelectMultipleField, StringField, TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from marketplace.fields import RupiahField, parse_whole_number
from marketplace.formatting import InvalidAmount, parse_rupiah
from marketplace.models import UNITS
from marketplace.sellers.forms import ContactForm, LocationForm, PapersForm, ShopForm
from marketplace.services import products as product_service

# Reason codes from services/products.py and services/shop.py, worded for people.
PRODUCT_MESSAGES = {
    "required": _l("This field is required."),
    "too_long": _l("This is too long. Please shorten it."),
    "negative": _l("This cannot be negative."),
    "too_small": _l("The price must be at least Rp 1."),
    "too_large": _l("That number is too large."),
    "unknown_unit": _l("Choose a unit from the list."),
    "unknown_category": _l("Choose a category from the list."),
    "unknown_tag": _l("One of the chosen labels does not exist. Please choose again."),
    "unknown_status": _l("Choose draft or published."),
    "seller_not_approved": _l("Only approved shops can publish products. Save it as a draft for now."),
    "changed": _l("The stock changed while you were editing (an order probably came in). "
                  "Check the number now shown and save again."),
    "too_many": _l("A product can have at most %(max)d photos.", max=product_service.MAX_PHOTOS),
    "not_found": _l("That photo does not exist any more. The page was reloaded."),
    "unknown_action": _l("That action is not possible."),
    "not_archived": _l("This product is not archived."),
    "locked": _l("Your shop profile cannot be changed right now."),
}

STATUS_LABELS = {
    "draft": _l("Draft (only you can see it)"),
    "published": _l("Published (buyers can see it)"),
    "archived": _l("Archived (hidden, kept for your records)"),
}


class CountField(StringField):
    """A whole number of things (stock, grams) typed the Indonesian way: `12` or `1.000`."""

    def __init__(self, label=None, validators=None, maximum: int = 1_000_000, **kwargs):
        kwargs.setdefault("render_kw", {"inputmode": "numeric"})
        super().__init__(label, validators, **kwargs)
        self.maximum = maximum

    def _value(self):
        if isinstance(self.data, int):
            return str(self.data)
        return self.raw_data[0] if self.raw_data else ""

    def process_formdata(self, valuelist):
        if not valuelist or not (valuelist[0] or "").strip():
            self.data = None
            return
        raw = valuelist[0].strip()
        try:
            if raw.lower().startswith("rp"):
                raise InvalidAmount("currency in a count")
            self.data = parse_rupiah(raw)
        except InvalidAmount:
            self.data = None
            if raw.startswith("-"):
                raise ValueError(_l("This cannot be negative.")) from None
            raise ValueError(_l("Enter a whole number, for example 12.")) from None
        if self.data > self.maximum:
            self.data = None
            raise ValueError(_l("That number is too large.")) from None


class SeenStockField(HiddenField):
    """The stock the form showed, to detect an order that came in meanwhile; None when tampered."""

    def process_formdata(self, valuelist):
        self.data = parse_whole_number(valuelist[0] if valuelist else None)


def _id_list(values) -> list[int] | None:
    """Ticked ids as integers, or None when one is not a number (a tampered form)."""
    ids = [parse_whole_number(value) for value in values or []]
    return None if None in ids else ids


class ProductForm(FlaskForm):
    name = StringField(_l("Product name"), validators=[
        DataRequired(_l("Enter the product's name.")),
        Length(max=product_service.NAME_MAX, message=_l("Use at most %(max)d characters."))])
    category_id = SelectField(_l("Category"), validate_choice=False)
    description = TextAreaField(_l("Description"), validators=[
        Optional(), Length(max=product_service.DESCRIPTION_MAX, message=_l("Use at most %(max)d characters."))])
    price = RupiahField(_l("Price (Rp)"), maximum=product_service.MAX_PRICE,
                        validators=[InputRequired(_l("Enter the price, for example 15.000."))])
    unit = SelectField(_l("Sold per"), choices=[SelectChoice(u, u) for u in UNITS], validate_choice=False)
    stock = CountField(_l("Stock"), maximum=product_service.MAX_STOCK,
                       validators=[InputRequired(_l("Enter how many you have, or 0."))])
    stock_seen = SeenStockField()
    weight_grams = CountField(_l("Weight in grams (with packing)"), maximum=product_service.MAX_WEIGHT_GRAMS,
                              validators=[Optional()])
    tags = SelectMultipleField(_l("Labels"), choices=[], validate_choice=False)
    status = RadioField(_l("Status"), choices=[SelectChoice("draft", STATUS_LABELS["draft"]),
                                               SelectChoice("published", STATUS_LABELS["published"])],
                        validate_choice=False, default="draft")

    def set_choices(self, categories, tags, locale: str, archived: bool = False) -> None:
        self.category_id.choices = [SelectChoice("", _l("No category"))] + [
            SelectChoice(str(c.id), (f"{c.parent.name(locale)} › " if c.parent else "") + c.name(locale))
            for c in categories]
        self.tags.choices = [SelectChoice(str(t.id), t.name(locale)) for t in tags]
        if archived:
            self.status.choices = [*self.status.choices, SelectChoice("archived", STATUS_LABELS["archived"])]

    def chosen_category_id(self) -> int | None | bool:
        """The category id, None for "no category", or False when the value is not a number."""
        raw = (self.category_id.data or "").strip()
        if not raw:
            return None
        number = parse_whole_number(raw)
        return False if number is None else number

    def chosen_tag_ids(self) -> list[int] | None:
        return _id_list(self.tags.data)


class QuickUpdateForm(FlaskForm):
    """One row of the product list: price and stock."""

    price = RupiahField(_l("Price (Rp)"), maximum=product_service.MAX_PRICE,
                        validators=[InputRequired(_l("Enter the price, for example 15.000."))])
    stock = CountField(_l("Stock"), maximum=product_service.MAX_STOCK,
                       validators=[InputRequired(_l("Enter how many you have, or 0."))])
    stock_seen = SeenStockField()


class DuplicateForm(FlaskForm):
    with_photos = BooleanField(_l("Copy the photos too"))


class ArchiveForm(FlaskForm):
    """The archive / unarchive button (a form for its CSRF token)."""


class PhotoUploadForm(FlaskForm):
    photos = MultipleFileField(_l("Add photos"))


class PhotoActionForm(FlaskForm):
    """Move up, move down or delete one photo."""

    action = HiddenField()


class ImportForm(FlaskForm):
    csv_file = FileField(_l("CSV file"))


class ShopProfileForm(ShopForm, LocationForm, ContactForm, PapersForm):
    """The whole shop profile on one page: the onboarding steps' fields, with their checks."""
