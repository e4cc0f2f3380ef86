"""Payouts: officers pay producers what the marketplace owes them, in batches, by bank transfer.

A payout debits the ledger when it is created (so the same balance cannot be paid twice),
is downloaded in a bulk-transfer CSV, and is then marked sent with the bank's reference.
Only an unsent payout can be cancelled; cancelling credits the amount back.

Two officers paying the same producer at once: the producer's row is locked while the
balance is read (PostgreSQL), and a partial unique index allows one unsent payout per
producer on every engine, so only one payout is made.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from marketplace.models import (
    EntryKind,
    LedgerEntry,
    Payout,
    PayoutBatch,
    PayoutStatus,
    SellerProfile,
    SellerStatus,
    utcnow,
)
from marketplace.services import audit, ledger

REFERENCE_MAX = 60
REASON_MAX = 2000


class PayoutRefused(ValueError):
    """The payout action is not possible; `code` says why, for the view's message."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


# ---- bank details ----------------------------------------------------------------------------

@dataclass(frozen=True)
class BankDetails:
    bank_name: str
    account_number: str
    account_holder: str


def clean_account_number(raw: str) -> str:
    """`123-456 7890` -> `1234567890`; raises PayoutRefused('bad_account_number') unless 5-20 digits remain."""
    digits = re.sub(r"[\s.\-]", "", raw or "")
    if not re.fullmatch(r"[0-9]{5,20}", digits):
        raise PayoutRefused("bad_account_number")
    return digits


def has_bank_details(seller: SellerProfile) -> bool:
    return bool(seller.bank_name and seller.bank_account_number and seller.bank_account_holder)


def update_bank_details(session: Session, seller: SellerProfile, details: BankDetails, *, actor_id: int) -> None:
    """The producer's bank account for payouts; audited, committed. Unsent payouts keep the old details."""
    number = clean_account_number(details.account_number)
    bank, holder = details.bank_name.strip(), " ".join(details.account_holder.split())
    if not bank or not holder:
        raise PayoutRefused("required")
    seller.bank_name, seller.bank_account_number, seller.bank_account_holder = bank[:60], number, holder[:120]
    audit.record(session, actor_id=actor_id, action="seller.bank_details_changed", subject_type="seller",
                 subject_id=seller.id, details={"bank": bank, "account_ending": number[-4:]})
    session.commit()


def set_commission_override(session: Session, seller: SellerProfile, commission_bps: int | None, *,
                            actor_id: int) -> None:
    """An admin's commission rate for one producer (None: use the marketplace's); audited, committed."""
    if commission_bps is not None and not 0 <= commission_bps <= ledger.BPS:
        raise PayoutRefused("bad_rate")
    before = seller.commission_bps
    seller.commission_bps = commission_bps
    audit.record(session, actor_id=actor_id, action="seller.commission_changed", subject_type="seller",
                 subject_id=seller.id, details={"from_bps": before, "to_bps": commission_bps})
    session.commit()


def save_settings(session: Session, *, commission_bps: int, hold_until_delivered: bool, payout_minimum: int,
                  actor_id: int) -> None:
    """The marketplace's settlement settings; audited, committed."""
    try:
        ledger.save_settings(session, commission_bps=commission_bps, hold_until_delivered=hold_until_delivered,
                             payout_minimum=payout_minimum, actor_id=actor_id)
    except ValueError as exc:
        raise PayoutRefused("bad_rate") from exc
    audit.record(session, actor_id=actor_id, action="settlement.settings_changed", subject_type="settings",
                 subject_id=ledger.SETTINGS_ID, details={"commission_bps": commission_bps,
                                                         "hold_until_delivered": hold_until_delivered,
                                                         "payout_minimum": payout_minimum})
    session.commit()


def adjust(session: Session, seller: SellerProfile, amount: int, *, reason: str, actor_id: int) -> LedgerEntry:
    """A manual ledger correction with its reason; audited, committed."""
    if amount == 0:
        raise PayoutRefused("zero_amount")
    if not (reason or "").strip():
        raise PayoutRefused("reason_required")
    if len(reason) > REASON_MAX:
        raise PayoutRefused("reason_too_long")
    entry = ledger.add_adjustment(session, seller.id, amount, reason=reason, actor_id=actor_id)
    audit.record(session, actor_id=actor_id, action="ledger.adjusted", subject_type="seller", subject_id=seller.id,
                 reason=reason.strip(), details={"amount": amount})
    session.commit()
    return entry


# ---- who can be paid -------------------------------------------------------------------------

@dataclass(frozen=True)
class Payable:
    seller: SellerProfile
    balance: ledger.Balance
    pending_payout: Payout | None

    @property
    def payable(self) -> bool:
        return self.balance.available > 0 and self.pending_payout is None and has_bank_details(self.seller)


def payable_producers(session: Session) -> list[Payable]:
    """Producers the marketplace owes money to (positive balance), largest available balance first."""
    found = {sid: b for sid, b in ledger.balances(session).items() if b.total > 0 or b.available > 0}
    if not found:
        return []
    sellers = session.scalars(select(SellerProfile).where(SellerProfile.id.in_(found))).all()
    pending = {p.seller_id: p for p in session.scalars(
        select(Payout).where(Payout.status == PayoutStatus.PENDING, Payout.seller_id.in_(found)))}
    rows = [Payable(s, found[s.id], pending.get(s.id)) for s in sellers]
    return sorted(rows, key=lambda r: (-r.balance.available, r.seller.shop_name))


# ---- batches ---------------------------------------------------------------------------------

@dataclass
class BatchResult:
    batch: PayoutBatch | None
    created: list[Payout] = field(default_factory=list)
    skipped: dict[int, str] = field(default_factory=dict)   # seller id -> reason code


def _lock_seller(session: Session, seller_id: int) -> SellerProfile | None:
    return session.scalar(select(SellerProfile).where(SellerProfile.id == seller_id).with_for_update())


def _pay_one(session: Session, batch: PayoutBatch, seller_id: int, amount: int | None, minimum: int,
             actor_id: int, hold: bool, now: datetime) -> Payout:
    seller = _lock_seller(session, seller_id)
    if seller is None:
        raise PayoutRefused("not_found")
    if not has_bank_details(seller):
        raise PayoutRefused("no_bank_details")
    if session.scalar(select(Payout.id).where(Payout.seller_id == seller_id, Payout.status == PayoutStatus.PENDING)):
        raise PayoutRefused("payout_pending")
    available = ledger.balance(session, seller_id, hold_until_delivered=hold).available
    amount = available if amount is None else amount
    if amount <= 0 or available <= 0:
        raise PayoutRefused("nothing_owed")
    if amount > available:
        raise PayoutRefused("exceeds_balance")
    if amount < minimum:
        raise PayoutRefused("below_minimum")
    payout = Payout(batch=batch, seller_id=seller_id, amount=amount, status=PayoutStatus.PENDING,
                    bank_name=seller.bank_name, account_number=seller.bank_account_number,
                    account_holder=seller.bank_account_holder, created_at=now)
    session.add(payout)
    session.flush()   # the unique index refuses a second unsent payout here
    session.add(LedgerEntry(seller_id=seller_id, kind=EntryKind.PAYOUT, amount=-amount, payout_id=payout.id,
                            actor_id=actor_id, created_at=now))
    audit.record(session, actor_id=actor_id, action="payout.created", subject_type="payout", subject_id=payout.id,
                 details={"seller_id": seller_id, "amount": amount, "batch_id": batch.id})
    return payout


def create_batch(session: Session, *, actor_id: int, seller_ids: list[int] | None = None,
                 minimum: int | None = None, amounts: dict[int, int] | None = None,
                 now: datetime | None = None) -> BatchResult:
    """Create payouts of each producer's available balance (or `amounts[seller_id]`), in one batch.

    Either `seller_ids` (officer's selection) or every approved or suspended producer with an
    available balance of at least `minimum`. Producers that cannot be paid are skipped with
    a reason code. Commits once; a batch with no payout is not kept (batch is None).
    """
    now = now or utcnow()
    settings = ledger.get_settings(session)
    floor = max(minimum or 0, 0)
    if seller_ids is None:
        floor = max(floor, settings.payout_minimum)
        candidates = [sid for sid, b in ledger.balances(session, hold_until_delivered=settings.hold_until_delivered)
                      .items() if b.available > 0 and b.available >= floor]
        candidates = list(session.scalars(select(SellerProfile.id).where(
            SellerProfile.id.in_(candidates),
            SellerProfile.status.in_([SellerStatus.APPROVED, SellerStatus.SUSPENDED])).order_by(SellerProfile.id)))
    else:
        candidates = sorted(set(seller_ids))
    if not candidates:
        raise PayoutRefused("nobody_selected" if seller_ids is not None else "nothing_owed")
    batch = PayoutBatch(created_by_id=actor_id, minimum=minimum, created_at=now)
    session.add(batch)
    session.flush()
    result = BatchResult(batch)
    for seller_id in candidates:
        try:
            with session.begin_nested():
                result.created.append(_pay_one(session, batch, seller_id, (amounts or {}).get(seller_id), floor,
                                               actor_id, settings.hold_until_delivered, now))
        except PayoutRefused as refused:
            result.skipped[seller_id] = refused.code
        except IntegrityError:
            result.skipped[seller_id] = "payout_pending"   # another officer paid them at the same moment
    if not result.created:
        session.rollback()
        result.batch = None
        return result
    audit.record(session, actor_id=actor_id, action="payout_batch.created", subject_type="payout_batch",
                 subject_id=batch.id, details={"payouts": len(result.created),
                                               "total": sum(p.amount for p in result.created),
                                               "skipped": result.skipped})
    session.commit()
    return result


def mark_sent(session: Session, payout_id: int, *, bank_reference: str, actor_id: int,
              now: datetime | None = None) -> Payout:
    """Record that the bank transfer went out, with the bank's reference; commits."""
    reference = (bank_reference or "").strip()
    if not reference:
        raise PayoutRefused("reference_required")
    if len(reference) > REFERENCE_MAX:
        raise PayoutRefused("reference_too_long")
    now = now or utcnow()
    moved = session.execute(
        update(Payout).where(Payout.id == payout_id, Payout.status == PayoutStatus.PENDING)
        .values(status=PayoutStatus.SENT, bank_reference=reference, sent_at=now, sent_by_id=actor_id)
        .execution_options(synchronize_session=False)
    ).rowcount
    if moved != 1:
        session.rollback()
        raise PayoutRefused("not_pending")
    payout = session.get(Payout, payout_id)
    session.refresh(payout)
    audit.record(session, actor_id=actor_id, action="payout.sent", subject_type="payout", subject_id=payout_id,
                 details={"seller_id": payout.seller_id, "amount": payout.amount, "reference": reference})
    session.commit()
    return payout


def cancel(session: Session, payout_id: int, *, reason: str, actor_id: int, now: datetime | None = None) -> Payout:
    """Cancel an unsent payout: its amount is owed to the producer again; commits."""
    reason = (reason or "").strip()
    if not reason:
        raise PayoutRefused("reason_required")
    if len(reason) > REASON_MAX:
        raise PayoutRefused("reason_too_long")
    now = now or utcnow()
    moved = session.execute(
        update(Payout).where(Payout.id == payout_id, Payout.status == PayoutStatus.PENDING)
        .values(status=PayoutStatus.CANCELLED, cancel_reason=reason, cancelled_at=now, cancelled_by_id=actor_id)
        .execution_options(synchronize_session=False)
    ).rowcount
    if moved != 1:
        session.rollback()
        raise PayoutRefused("not_pending")
    payout = session.get(Payout, payout_id)
    session.refresh(payout)
    session.add(LedgerEntry(seller_id=payout.seller_id, kind=EntryKind.PAYOUT_CANCELLED, amount=payout.amount,
                            payout_id=payout.id, reason=reason, actor_id=actor_id, created_at=now))
    audit.record(session, actor_id=actor_id, action="payout.cancelled", subject_type="payout", subject_id=payout_id,
                 reason=reason, details={"seller_id": payout.seller_id, "amount": payout.amount})
    session.commit()
    return payout


# ---- the bulk-transfer file ------------------------------------------------------------------

# Fixed column names: a bank's upload template maps these once, so they are not translated.
CSV_COLUMNS = ["no", "bank_name", "account_number", "account_holder", "amount", "currency", "reference",
               "shop_name", "payout_id"]


def _safe(value: str) -> str:
    """Keep spreadsheet programs from running a cell as a formula (CSV injection)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def download_batch_csv(session: Session, batch: PayoutBatch, *, actor_id: int) -> str:
    """The bank CSV of a batch, with the download written to the audit log (committed)."""
    body = batch_csv(batch)
    audit.record(session, actor_id=actor_id, action="payout_batch.downloaded", subject_type="payout_batch",
                 subject_id=batch.id,
                 details={"payouts": sum(1 for p in batch.payouts if p.status != PayoutStatus.CANCELLED)})
    session.commit()
    return body


def batch_csv(batch: PayoutBatch) -> str:
    """The batch's unsent and sent payouts, one row each, amounts in whole rupiah without separators."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    rows = [p for p in batch.payouts if p.status != PayoutStatus.CANCELLED]
    for number, payout in enumerate(rows, start=1):
        writer.writerow([number, _safe(payout.bank_name), payout.account_number, _safe(payout.account_holder),
                         payout.amount, "IDR", f"PLB-PAYOUT-{payout.id}", _safe(payout.seller.shop_name), payout.id])
    return out.getvalue()


def payout_entries(session: Session, payout: Payout) -> list[LedgerEntry]:
    """The producer's entries recorded since their previous payout up to this one: what it paid for."""
    own = session.scalar(select(LedgerEntry.id).where(LedgerEntry.payout_id == payout.id,
                                                      LedgerEntry.kind == EntryKind.PAYOUT))
    if own is None:
        return []
    previous = session.scalar(
        select(LedgerEntry.id).join(Payout, Payout.id == LedgerEntry.payout_id)
        .where(LedgerEntry.seller_id == payout.seller_id, LedgerEntry.kind == EntryKind.PAYOUT,
               LedgerEntry.id < own, Payout.status != PayoutStatus.CANCELLED)
        .order_by(LedgerEntry.id.desc()).limit(1)
    ) or 0
    return list(session.scalars(
        select(LedgerEntry).where(LedgerEntry.seller_id == payout.seller_id, LedgerEntry.id > previous,
                                  LedgerEntry.id < own, LedgerEntry.payout_id.is_(None))
        .order_by(LedgerEntry.id)
    ))
