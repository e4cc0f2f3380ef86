"""Money, date and phone formatting shared by templates, e-mails and exports."""
from __future__ import annotations

import functools
import re
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import phonenumbers
from babel.dates import format_date, format_datetime
from babel.numbers import get_currency_symbol, get_group_symbol, get_minus_sign_symbol

WIB = ZoneInfo("Asia/Jakarta")
_BABEL_LOCALES = {"id": "id_ID", "en": "en_ID"}
# Babel's Indonesian symbols for `format_rupiah`, looked up once: formatting through
# babel.numbers.format_currency parses its pattern on every call (~50 µs, eight times a product page).
_RUPIAH = get_currency_symbol("IDR", "id_ID")
_GROUP = get_group_symbol("id_ID")
_MINUS = get_minus_sign_symbol("id_ID")


def babel_locale(locale: str | None) -> str:
    """Our language code ('id', 'en') as the Babel locale used for dates."""
    return _BABEL_LOCALES.get(locale or "id", "id_ID")


def format_rupiah(amount: int | None, locale: str = "id") -> str:
    """`15000` → `Rp 15.000` (Indonesian grouping in both languages, as buyers read prices)."""
    if amount is None:
        return ""
    value = int(amount)
    digits = f"{abs(value):,}".replace(",", _GROUP)
    return f"{_MINUS if value < 0 else ''}{_RUPIAH} {digits}"


def to_wib(moment: datetime) -> datetime:
    """Convert an aware datetime to WIB; naive ones are taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(WIB)


def format_wib_datetime(moment: datetime | None, locale: str = "id") -> str:
    """`2026-11-28 03:00 UTC` → `28 Nov 2026 10.00 WIB` (English: `28 Nov 2026 10:00 WIB`)."""
    if moment is None:
        return ""
    local = to_wib(moment)
    # Indonesian writes times with a dot (10.00), English with a colon.
    pattern = "d MMM yyyy HH:mm" if locale == "en" else "d MMM yyyy HH.mm"
    return f"{format_datetime(local, pattern, locale=babel_locale(locale), tzinfo=WIB)} WIB"


def format_wib_date(value: date | datetime | None, locale: str = "id") -> str:
    """A calendar date in the long form: `28 November 2026`."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_wib(value).date()
    return format_date(value, "d MMMM yyyy", locale=babel_locale(locale))


class InvalidPhoneNumber(ValueError):
    """The text is not a usable Indonesian (or international) phone number."""


@functools.lru_cache(maxsize=4_096)   # product pages link every producer's WhatsApp number
def normalise_phone(raw: str) -> str:
    """`0812-3456-7890`, `+62 812 3456 7890` or `6281234567890` → `+6281234567890`."""
    text = (raw or "").strip()
    if not text:
        raise InvalidPhoneNumber("empty")
    # phonenumbers reads letters as keypad digits ("x" -> 9); people never mean that here.
    if not re.fullmatch(r"\+?[0-9\s\-.()]+", text):
        raise InvalidPhoneNumber("unexpected characters")
    if re.fullmatch(r"62\d{8,13}", re.sub(r"[\s\-.()]", "", text)):
        text = "+" + re.sub(r"[\s\-.()]", "", text)
    try:
        number = phonenumbers.parse(text, "ID")
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhoneNumber(str(exc)) from exc
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhoneNumber("not a valid number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def whatsapp_link(phone_e164: str, text: str | None = None) -> str:
    """A wa.me chat link: digits only, no `+`; the message URL-encoded.

    A number still in local form (`0812-...`) is normalised first, since wa.me needs the
    country code.
    """
    from urllib.parse import quote

    try:
        phone_e164 = normalise_phone(phone_e164)
    except InvalidPhoneNumber:
        pass
    digits = re.sub(r"[^0-9]", "", phone_e164 or "")
    link = f"https://wa.me/{digits}"
    if text:
        link += "?text=" + quote(text)
    return link


class InvalidAmount(ValueError):
    """The text is not a whole, non-negative rupiah amount."""


def parse_rupiah(raw: str | int | None) -> int:
    """Read a price the way Indonesians type it: `15000`, `15.000`, `Rp 15.000`, `Rp15.000,00`.

    Dots (and spaces) group thousands; a trailing `,00` / `,0` is allowed. Anything else
    (letters, negative numbers, real decimals like `15,5`) raises InvalidAmount.
    """
    if isinstance(raw, int):
        if raw < 0:
            raise InvalidAmount("negative")
        return raw
    text = (raw or "").strip().replace("\u00a0", " ")
    text = re.sub(r"^(rp\.?)\s*", "", text, flags=re.IGNORECASE).strip()
    text = re.sub(r",0{1,2}$", "", text)
    if not text:
        raise InvalidAmount("empty")
    if re.fullmatch(r"[0-9]{1,3}([. ][0-9]{3})+", text):
        text = re.sub(r"[. ]", "", text)
    if not re.fullmatch(r"[0-9]{1,12}", text):
        raise InvalidAmount("not a whole rupiah amount")
    return int(text)
