"""Forms and messages of the producer's sales page and the sales statement."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField

PRESET_LABELS = {
    "30d": _l("Last 30 days"),
    "this_month": _l("This month"),
    "last_month": _l("Last month"),
    "12m": _l("Last 12 months"),
    "this_year": _l("This year"),
}

STATEMENT_MESSAGES = {
    "invalid_month": _l("Enter a month like 2026-03."),
    "end_before_start": _l("The last month cannot be before the first month."),
    "too_long": _l("Choose at most 24 months for one statement."),
    "unknown_preset": _l("Choose a period from the list."),
}

CHANNEL_LABELS = {"online": _l("Online"), "offline": _l("Offline")}
METHOD_LABELS = {"card": _l("Card"), "transfer": _l("Bank transfer"), "cash": _l("Cash on pickup"),
                 "in_person": _l("In person")}


class StatementForm(FlaskForm):
    """A range of whole months, typed as YYYY-MM (a month picker on phones that have one)."""

    from_month = StringField(_l("First month"), render_kw={"type": "month", "placeholder": "2026-01"})
    to_month = StringField(_l("Up to month"), render_kw={"type": "month", "placeholder": "2026-03"})


def pdf_labels() -> dict:
    """The statement's words in the current language (plain strings for the PDF)."""
    from flask_babel import gettext as _

    return {
        "site": _("Pasar Lokal Blitar - Blitar producers' marketplace"),
        "title": _("Sales statement"), "period": _("Period"), "shop": _("Shop"), "owner": _("Owner"),
        "kecamatan": _("Kecamatan"), "nib": _("NIB"), "pirt": _("P-IRT"), "halal": _("Halal certificate"),
        "programme": _("Programme (cohorts completed)"), "monthly": _("Sales by month (WIB)"),
        "month": _("Month"), "online": _("Online"), "offline": _("Offline"), "total": _("Total"),
        "transactions": _("Transactions"), "ledger": _("Marketplace balance"),
        "opening": _("Balance at the start"), "credited": _("Credited for card and transfer sales"),
        "commission": _("Commission"), "reversed": _("Refunds and cancellations"),
        "adjustments": _("Adjustments"), "paid_out": _("Paid out to the producer"),
        "closing": _("Balance at the end"), "cash": _("Online sales paid in cash to the producer"),
        "sales": _("Every paid sale"), "date": _("Date (WIB)"), "channel": _("Channel"),
        "method": _("Payment"), "reference": _("Reference"), "product": _("Product"), "value": _("Value"),
        "no_sales": _("No sales in this period."), "code": _("Verification code"),
        "verify": _("Check this statement at"), "issued": _("Issued"),
        "channels": {key: str(value) for key, value in CHANNEL_LABELS.items()},
        "methods": {key: str(value) for key, value in METHOD_LABELS.items()},
    }
