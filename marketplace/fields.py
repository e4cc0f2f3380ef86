"""Form fields shared by several areas."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField

from marketplace.formatting import InvalidAmount, parse_rupiah

MAX_ID = 2**31 - 1   # the largest value of an id column (a larger one is a database error)


def parse_whole_number(raw, maximum: int = MAX_ID) -> int | None:
    """A whole number from 0 to `maximum` sent as decimal digits, or None for anything else
    (a tampered form or URL). isdecimal(), because int() refuses digits such as "²" that
    isdigit() accepts; the maximum keeps the value inside a database integer column."""
    text = str(raw if raw is not None else "").strip()
    if not text.isdecimal() or len(text) > len(str(maximum)):
        return None
    number = int(text)
    return number if number <= maximum else None


class RupiahField(StringField):
    """A whole-rupiah amount typed the Indonesian way: `15000`, `15.000` or `Rp 15.000`."""

    def __init__(self, label=None, validators=None, maximum: int = 1_000_000_000, **kwargs):
        kwargs.setdefault("render_kw", {"inputmode": "numeric"})
        super().__init__(label, validators, **kwargs)
        self.maximum = maximum

    def _value(self):
        if isinstance(self.data, int):
            return f"{self.data:,}".replace(",", ".")
        return self.raw_data[0] if self.raw_data else ""

    def process_formdata(self, valuelist):
        if not valuelist or not (valuelist[0] or "").strip():
            self.data = None
            return
        try:
            self.data = parse_rupiah(valuelist[0])
        except InvalidAmount:
            self.data = None
            raise ValueError(_l("Enter an amount in whole rupiah, for example 15.000.")) from None
        if self.data > self.maximum:
            self.data = None
            raise ValueError(_l("That amount is too large.")) from None
