"""Exhibitions and offline (market-stall, bazaar, pameran) sales, recorded by officers or producers.

Sales are never changed in place: `correct_sale` voids the record and adds its replacement
(`corrected_from_id` points back), `void_sale` only voids; both need a reason and write an
audit entry, so a sale's whole history stays readable (`history`). Each public function that
changes data commits once at its end; rule breaks raise OfflineSaleError before anything changes.
Callers pass the acting user's id and, for date checks, today's WIB date.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from marketplace.models import (
    ExhibitionEvent,
    OfflineSale,
    Product,
    SellerProfile,
    SellerStatus,
    utcnow,
)
from marketplace.services import audit

MAX_VALUE = 1_000_000_000
MAX_QUANTITY = 100_000
EARLIEST_SALE = date(2000, 1, 1)
REASON_MAX = 2000
NOTE_MAX = 255
NAME_MAX = 120


class OfflineSaleError(ValueError):
    """A rule was broken; `errors` maps field names to reason codes."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(", ".join(f"{k}={v}" for k, v in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class SaleInput:
    """What a sale form gives: the WIB date, the value in whole rupiah, and the optional rest."""

    sale_date: date | None
    value: int | None
    product_id: int | None = None
    quantity: int | None = None
    event_id: int | None = None
    note: str = ""


# ---- exhibitions ------------------------------------------------------------------------------

def save_event(session: Session, *, actor_id: int, name: str, place: str, start_date: date | None,
               end_date: date | None, event: ExhibitionEvent | None = None) -> ExhibitionEvent:
    """Create an exhibition, or edit `event`; it ends on or after the day it starts, and an edit
    keeps every recorded sale of the exhibition within its dates."""
    errors: dict[str, str] = {}
    name, place = (name or "").strip(), (place or "").strip()
    if not name:
        errors["name"] = "required"
    elif len(name) > NAME_MAX:
        errors["name"] = "too_long"
    if len(place) > NAME_MAX:
        errors["place"] = "too_long"
    if start_date is None:
        errors["start_date"] = "required"
    elif start_date < EARLIEST_SALE:
        errors["start_date"] = "date_too_early"
    if end_date is None:
        errors["end_date"] = "required"
    elif start_date and end_date < start_date:
        errors["end_date"] = "end_before_start"
    elif start_date and (end_date - start_date).days > 366:
        errors["end_date"] = "event_too_long"
    if not errors and event is not None:
        outside = session.scalar(select(func.count(OfflineSale.id)).where(
            OfflineSale.event_id == event.id, OfflineSale.voided_at.is_(None),
            (OfflineSale.sale_date < start_date) | (OfflineSale.sale_date > end_date)))
        if outside:
            errors["start_date"] = "sales_outside_dates"
    if errors:
        raise OfflineSaleError(errors)
    values = {"name": name, "place": place, "start_date": start_date, "end_date": end_date}
    if event is None:
        event = ExhibitionEvent(created_by_id=actor_id, **values)
        session.add(event)
        session.flush()
        action = "exhibition.created"
    else:
        action = "exhibition.updated"
        for key, value in values.items():
            setattr(event, key, value)
    audit.record(session, actor_id=actor_id, action=action, subject_type="exhibition", subject_id=event.id,
                 details=values)
    session.commit()
    return event


def list_events(session: Session) -> list[tuple[ExhibitionEvent, int, int]]:
    """Every exhibition, newest first, with its number of live sales and their total value."""
    counts = (
        select(OfflineSale.event_id, func.count(OfflineSale.id).label("sales"),
               func.coalesce(func.sum(OfflineSale.value), 0).label("total"))
        .where(OfflineSale.voided_at.is_(None), OfflineSale.event_id.is_not(None))
        .group_by(OfflineSale.event_id).subquery()
    )
    rows = session.execute(
        select(ExhibitionEvent, func.coalesce(counts.c.sales, 0), func.coalesce(counts.c.total, 0))
        .outerjoin(counts, counts.c.event_id == ExhibitionEvent.id)
        .order_by(ExhibitionEvent.start_date.desc(), ExhibitionEvent.id.desc())
    ).all()
    return [(event, int(sales), int(total)) for event, sales, total in rows]


def recent_events(session: Session, limit: int = 50) -> list[ExhibitionEvent]:
    """The latest exhibitions, for the optional exhibition choice on a sale."""
    return list(session.scalars(select(ExhibitionEvent)
                                .order_by(ExhibitionEvent.start_date.desc(), ExhibitionEvent.id.desc()).limit(limit)))


def event_sales(session: Session, event_id: int, *, include_void: bool = True) -> list[OfflineSale]:
    """The sales recorded for an exhibition (voided ones too, for the history), newest first."""
    query = (select(OfflineSale).options(joinedload(OfflineSale.seller), joinedload(OfflineSale.product))
             .where(OfflineSale.event_id == event_id).order_by(OfflineSale.sale_date.desc(), OfflineSale.id.desc()))
    if not include_void:
        query = query.where(OfflineSale.voided_at.is_(None))
    return list(session.scalars(query))


# ---- sales ------------------------------------------------------------------------------------

def approved_sellers(session: Session) -> list[SellerProfile]:
    """Producers an officer may record sales for (approved and not suspended), by shop name."""
    return list(session.scalars(select(SellerProfile).where(SellerProfile.status == SellerStatus.APPROVED)
                                .order_by(SellerProfile.shop_name, SellerProfile.id)))


def seller_products(session: Session, seller_id: int) -> list[Product]:
    """A producer's products, for the optional product choice on a sale."""
    return list(session.scalars(select(Product).where(Product.seller_id == seller_id).order_by(Product.name)))


def seller_sales(session: Session, seller_id: int, *, include_void: bool = True, limit: int = 200) -> list[OfflineSale]:
    """A producer's offline sales, newest first (voided ones too unless asked otherwise)."""
    query = (select(OfflineSale).options(joinedload(OfflineSale.event), joinedload(OfflineSale.product))
             .where(OfflineSale.seller_id == seller_id)
             .order_by(OfflineSale.sale_date.desc(), OfflineSale.id.desc()).limit(limit))
    if not include_void:
        query = query.where(OfflineSale.voided_at.is_(None))
    return list(session.scalars(query))


def _check(session: Session, seller: SellerProfile, data: SaleInput, today: date) -> dict:
    errors: dict[str, str] = {}
    if seller.status != SellerStatus.APPROVED:
        errors["seller_id"] = "seller_not_approved"
    if data.sale_date is None:
        errors["sale_date"] = "required"
    elif data.sale_date > today:
        errors["sale_date"] = "date_in_future"
    elif data.sale_date < EARLIEST_SALE:
        errors["sale_date"] = "date_too_early"
    if data.value is None:
        errors["value"] = "required"
    elif not 1 <= data.value <= MAX_VALUE:
        errors["value"] = "bad_value"
    if data.quantity is not None and not 1 <= data.quantity <= MAX_QUANTITY:
        errors["quantity"] = "bad_quantity"
    if data.product_id is not None:
        product = session.get(Product, data.product_id)
        if product is None or product.seller_id != seller.id:
            errors["product_id"] = "unknown_product"
    if data.event_id is not None:
        event = session.get(ExhibitionEvent, data.event_id)
        if event is None:
            errors["event_id"] = "unknown_event"
        elif "sale_date" not in errors and not event.start_date <= data.sale_date <= event.end_date:
            errors["sale_date"] = "date_outside_event"
    note = (data.note or "").strip()
    if len(note) > NOTE_MAX:
        errors["note"] = "too_long"
    if errors:
        raise OfflineSaleError(errors)
    return {"sale_date": data.sale_date, "value": data.value, "product_id": data.product_id,
            "quantity": data.quantity, "event_id": data.event_id, "note": note}


def _clean_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise OfflineSaleError({"reason": "reason_required"})
    if len(reason) > REASON_MAX:
        raise OfflineSaleError({"reason": "reason_too_long"})
    return reason


def record_sale(session: Session, *, actor_id: int, seller: SellerProfile, data: SaleInput,
                today: date) -> OfflineSale:
    """Record a new offline sale for an approved producer."""
    values = _check(session, seller, data, today)
    sale = OfflineSale(seller_id=seller.id, recorded_by_id=actor_id, **values)
    session.add(sale)
    session.flush()
    audit.record(session, actor_id=actor_id, action="offline_sale.recorded", subject_type="offline_sale",
                 subject_id=sale.id, details={"seller_id": seller.id, **values})
    session.commit()
    return sale


def correct_sale(session: Session, *, actor_id: int, sale: OfflineSale, data: SaleInput, reason: str,
                 today: date) -> OfflineSale:
    """Replace a live sale by a corrected one: the old record is voided and kept, the new one points to it."""
    if sale.voided_at is not None:
        raise OfflineSaleError({"sale": "already_void"})
    reason = _clean_reason(reason)
    values = _check(session, sale.seller, data, today)
    sale.voided_at, sale.voided_by_id, sale.void_reason = utcnow(), actor_id, reason
    replacement = OfflineSale(seller_id=sale.seller_id, recorded_by_id=actor_id, corrected_from_id=sale.id, **values)
    session.add(replacement)
    session.flush()
    before = {"sale_date": sale.sale_date, "value": sale.value, "product_id": sale.product_id,
              "quantity": sale.quantity, "event_id": sale.event_id, "note": sale.note}
    audit.record(session, actor_id=actor_id, action="offline_sale.corrected", subject_type="offline_sale",
                 subject_id=sale.id, reason=reason,
                 details={"replaced_by": replacement.id, "before": before, "after": values})
    session.commit()
    return replacement


def void_sale(session: Session, *, actor_id: int, sale: OfflineSale, reason: str) -> OfflineSale:
    """Take a sale out of the figures, keeping the record with who, when and why."""
    if sale.voided_at is not None:
        raise OfflineSaleError({"sale": "already_void"})
    reason = _clean_reason(reason)
    sale.voided_at, sale.voided_by_id, sale.void_reason = utcnow(), actor_id, reason
    audit.record(session, actor_id=actor_id, action="offline_sale.voided", subject_type="offline_sale",
                 subject_id=sale.id, reason=reason, details={"value": sale.value, "sale_date": sale.sale_date})
    session.commit()
    return sale


def history(session: Session, sale: OfflineSale) -> list[OfflineSale]:
    """The sale and every record it corrected, newest first (walks `corrected_from_id`)."""
    chain, current, seen = [], sale, set()
    while current is not None and current.id not in seen:
        chain.append(current)
        seen.add(current.id)
        current = current.corrected_from
    return chain


def seller_sale_or_none(session: Session, sale_id: int, seller_id: int) -> OfflineSale | None:
    """The sale if it belongs to this producer (views turn None into a 404)."""
    sale = session.get(OfflineSale, sale_id)
    return sale if sale is not None and sale.seller_id == seller_id else None
