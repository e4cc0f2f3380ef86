"""The catalogue's search and filter form, read from the query string (GET, no CSRF)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, SelectMultipleField, StringField
from wtforms.validators import Length, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from marketplace.fields import RupiahField
from marketplace.regions import kecamatan_choices
from marketplace.services.search import MAX_QUERY_LENGTH

SORT_LABELS = {
    "relevance": _l("Best match"),
    "newest": _l("Newest"),
    "price_asc": _l("Price: low to high"),
    "price_desc": _l("Price: high to low"),
    "popular": _l("Most sold"),
}


class CheckboxListField(SelectMultipleField):
    """Several checkboxes sharing one name (?tag=organik&tag=daur-ulang)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _known(message):
    """Accept only one of the field's choices, with our own (translatable) message."""

    def check(form, field):
        allowed = {value for value, _label in field.choices}
        values = field.data if isinstance(field.data, list) else [field.data]
        if any(v not in allowed for v in values if v):
            raise ValidationError(message)

    return check


class ListingForm(FlaskForm):
    """Search words, filters and sort order of a product listing."""

    class Meta:
        csrf = False

    q = StringField(_l("Search"), validators=[Length(max=MAX_QUERY_LENGTH, message=_l(
        "Search with at most %(max)d characters; we used the first ones.", max=MAX_QUERY_LENGTH))])
    category = SelectField(_l("Category"), validate_choice=False,
                           validators=[_known(_l("This category does not exist; showing all categories."))])
    kecamatan = SelectField(_l("Kecamatan"), validate_choice=False,
                            validators=[_known(_l("Choose a kecamatan from the list."))])
    tag = CheckboxListField(_l("Labels"), validate_choice=False,
                            validators=[_known(_l("Choose labels from the list."))])
    price_min = RupiahField(_l("Lowest price (Rp)"))
    price_max = RupiahField(_l("Highest price (Rp)"))
    in_stock = BooleanField(_l("In stock only"))
    sort = SelectField(_l("Sort by"), validate_choice=False,
                       validators=[_known(_l("Choose a sort order from the list."))])

    def __init__(self, *args, categories=(), tags=(), locale="id", **kwargs):
        super().__init__(*args, **kwargs)
        self.category.choices = [("", _l("All categories"))] + [
            (c.slug, ("— " if c.parent_id else "") + c.name(locale)) for c in categories]
        self.kecamatan.choices = [("", _l("All of Blitar"))] + kecamatan_choices()
        self.tag.choices = [(t.slug, t.name(locale)) for t in tags]
        self.sort.choices = list(SORT_LABELS.items())

    def validate_price_max(self, field):
        if field.data is not None and self.price_min.data is not None and field.data < self.price_min.data:
            raise ValidationError(_l("The highest price must not be lower than the lowest price."))
