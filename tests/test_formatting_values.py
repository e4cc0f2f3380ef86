"""Rupiah, WIB dates and phone numbers are written and read the way people in Blitar do."""
from datetime import date, datetime, timedelta, timezone

import pytest

from marketplace.fields import MAX_ID, parse_whole_number

from marketplace.formatting import (
    InvalidAmount, InvalidPhoneNumber, format_rupiah, format_wib_date, format_wib_datetime, normalise_phone,
    parse_rupiah, to_wib, whatsapp_link,
)

# 31 January 20:00 UTC is already 1 February 03:00 in WIB (UTC+7).
EVENING_UTC = datetime(2026, 1, 31, 20, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("amount, text", [
    (0, "Rp 0"),
    (500, "Rp 500"),
    (15_000, "Rp 15.000"),
    (1_500_000, "Rp 1.500.000"),
    (2_750_000_000_000, "Rp 2.750.000.000.000"),
])
def test_prices_use_rupiah_with_dots_between_thousands(amount, text):
    assert format_rupiah(amount) == text


@pytest.mark.parametrize("amount", [0, 7, 999, 1_000, 15_000, 1_234_567, -1, -15_000, -1_234_567, 10**15])
def test_prices_are_written_as_babel_writes_indonesian_rupiah(amount):
    from babel.numbers import format_currency

    assert format_rupiah(amount) == format_currency(amount, "IDR", locale="id_ID", format="¤ #,##0",
                                                    currency_digits=False)


def test_prices_look_the_same_in_english():
    assert format_rupiah(15_000, "en") == "Rp 15.000"


def test_a_missing_price_is_blank():
    assert format_rupiah(None) == ""


def test_a_refund_shows_a_minus_sign():
    assert format_rupiah(-5_000) == "-Rp 5.000"


def test_a_date_is_the_wib_calendar_day_in_indonesian():
    assert format_wib_date(EVENING_UTC) == "1 Februari 2026"
    assert format_wib_date(EVENING_UTC - timedelta(hours=4)) == "31 Januari 2026"


def test_a_date_in_english():
    assert format_wib_date(EVENING_UTC, "en") == "1 February 2026"


def test_a_plain_date_is_not_shifted():
    assert format_wib_date(date(2026, 8, 17)) == "17 Agustus 2026"


def test_a_moment_is_shown_in_wib_across_the_day_boundary():
    assert format_wib_datetime(EVENING_UTC) == "1 Feb 2026 03.00 WIB"
    assert format_wib_datetime(datetime(2026, 1, 31, 16, 59, tzinfo=timezone.utc)) == "31 Jan 2026 23.59 WIB"


def test_a_moment_in_english_uses_a_colon():
    assert format_wib_datetime(EVENING_UTC, "en") == "1 Feb 2026 03:00 WIB"


def test_a_naive_moment_is_taken_as_utc():
    assert to_wib(datetime(2026, 1, 31, 20, 0)) == EVENING_UTC
    assert to_wib(datetime(2026, 1, 31, 20, 0)).utcoffset() == timedelta(hours=7)


def test_missing_moments_are_blank():
    assert format_wib_datetime(None) == ""
    assert format_wib_date(None) == ""


@pytest.mark.parametrize("typed, amount", [
    ("15000", 15_000),
    ("15.000", 15_000),
    ("Rp 15.000", 15_000),
    ("Rp15.000,00", 15_000),
    ("rp. 15.000", 15_000),
    ("  1.500.000 ", 1_500_000),
    ("15 000", 15_000),
    ("0", 0),
    (25_000, 25_000),
])
def test_prices_are_read_as_people_type_them(typed, amount):
    assert parse_rupiah(typed) == amount


@pytest.mark.parametrize("typed", [
    "-5", "abc", "15,5", "1.50", "15.00", "1.5000", "Rp", "", None, "15.000,50", "1e6", "15_000",
    "1234567890123", -1,
])
def test_prices_that_are_not_whole_rupiah_are_refused(typed):
    with pytest.raises(InvalidAmount):
        parse_rupiah(typed)


@pytest.mark.parametrize("typed", ["0812-3456-7890", "+62 812 3456 7890", "6281234567890", "081234567890",
                                   "(0812) 3456.7890"])
def test_phone_numbers_become_e164(typed):
    assert normalise_phone(typed) == "+6281234567890"


@pytest.mark.parametrize("typed", ["", "   ", "0812", "08123", "abc", "62", "0812345678901234567", "+62 000",
                                   "0812-3456-789x"])
def test_malformed_phone_numbers_are_refused(typed):
    with pytest.raises(InvalidPhoneNumber):
        normalise_phone(typed)


def test_a_whatsapp_link_has_digits_only():
    assert whatsapp_link("+6281234567890") == "https://wa.me/6281234567890"


def test_a_whatsapp_link_carries_an_encoded_message():
    link = whatsapp_link("+6281234567890", "Halo Bu, tas anyaman 2 pcs & ongkir?")

    assert link == "https://wa.me/6281234567890?text=Halo%20Bu%2C%20tas%20anyaman%202%20pcs%20%26%20ongkir%3F"


def test_a_whatsapp_link_from_a_local_number_gets_the_country_code():
    assert whatsapp_link("0812-3456-7890") == "https://wa.me/6281234567890"


@pytest.mark.parametrize(("raw", "number"), [
    ("42", 42), (" 7 ", 7), ("0", 0), (12, 12), (str(MAX_ID), MAX_ID),
    (str(MAX_ID + 1), None), ("9" * 40, None), ("²", None), ("-1", None), ("1.5", None), ("", None), (None, None),
])
def test_ids_and_counts_from_forms_and_urls_are_whole_numbers_a_database_column_can_hold(raw, number):
    assert parse_whole_number(raw) == number


def test_a_smaller_maximum_is_kept():
    assert parse_whole_number("100", maximum=99) is None and parse_whole_number("99", maximum=99) == 99
