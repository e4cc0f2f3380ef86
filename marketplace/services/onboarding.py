"""Producer onboarding: the step-by-step shop registration, submission for review and
the producer dashboard's to-do counts.

Every step is stored straight into the SellerProfile (status DRAFT, `onboarding_step`
pointing at the next step to fill), so a producer who leaves finds everything again.
Each public function that changes data commits exactly once.

Editing rules (documented in the dashboard too):
- DRAFT and REJECTED profiles can be edited step by step; a rejected producer resubmits
  from the review step, which puts the profile back to PENDING.
- PENDING profiles are locked until an officer decides, so officers review a stable record.
- APPROVED and SUSPENDED profiles are not edited here (the shop editor handles approved
  shops; a suspended one waits for an officer).
"""
from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

from flask import url_for
from sqlalchemy import exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from marketplace.models import (
    Cohort, Image, PartStatus, Product, ProductImage, ProductStatus, Role, SellerCohort, SellerOrder, SellerProfile,
    SellerStatus, TrainingType, User, utcnow,
)
from marketplace.regions import KECAMATAN_BY_CODE
from marketplace.services import audit
from marketplace.services.mail import render_mail, send_mail

log = logging.getLogger(__name__)

# The steps in order; "done" means submitted at least once.
STEPS = ("shop", "location", "contact", "programme", "papers", "consent", "review")
DONE = "done"
EDITABLE_STATUSES = (SellerStatus.DRAFT, SellerStatus.REJECTED)
LOW_STOCK = 3

SHOP_NAME_MAX = 120
SLUG_MAX = 120


class OnboardingError(ValueError):
    """A rule was broken; `errors` maps field names to reason codes (the view words them)."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(", ".join(f"{k}={v}" for k, v in errors.items()))
        self.errors = errors


# ---- where a producer stands -------------------------------------------------------------

def is_editable(profile: SellerProfile | None) -> bool:
    """True when the onboarding steps may change this profile (none yet, draft or rejected)."""
    return profile is None or profile.status in EDITABLE_STATUSES


def completed_steps(profile: SellerProfile | None) -> set[str]:
    """The steps whose required answers are stored. Papers are optional, so always complete."""
    if profile is None:
        return set()
    done = {"shop", "papers"}
    if profile.kecamatan_code:
        done.add("location")
    if profile.whatsapp:
        done.add("contact")
    if profile.in_programme is not None:
        done.add("programme")
    if profile.data_consent_at is not None:
        done.add("consent")
    return done


def first_incomplete_step(profile: SellerProfile | None, before: str = "review") -> str | None:
    """The first required step before `before` that is not yet done, or None."""
    done = completed_steps(profile)
    for step in STEPS[: STEPS.index(before)]:
        if step not in done:
            return step
    return None


def resume_step(profile: SellerProfile | None) -> str:
    """Where a returning producer continues: the furthest step reached, unless an earlier one is missing."""
    if profile is None:
        return "shop"
    stored = profile.onboarding_step if profile.onboarding_step in STEPS else "review"
    return first_incomplete_step(profile, stored) or stored


def _advance(profile: SellerProfile, step: str) -> None:
    """Move `onboarding_step` to the step after `step`, never backwards."""
    following = STEPS[min(STEPS.index(step) + 1, len(STEPS) - 1)]
    current = profile.onboarding_step
    if current == DONE:
        return
    if current not in STEPS or STEPS.index(following) > STEPS.index(current):
        profile.onboarding_step = following


_CONTROL_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(value: str | None) -> str:
    """Trimmed text without control characters (PostgreSQL refuses NUL; none belong in a profile)."""
    return _CONTROL_CHARS.sub("", (value or "").replace("\r\n", "\n")).strip()


def _require_editable(profile: SellerProfile | None) -> None:
    if not is_editable(profile):
        raise OnboardingError({"status": "locked"})


# ---- slugs ------------------------------------------------------------------------------

def slugify(text: str) -> str:
    """`Anyaman Bu Sri & Co.` → `anyaman-bu-sri-co`; falls back to `toko`."""
    ascii_text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:SLUG_MAX].strip("-")
    return slug or "toko"


def unique_slug(session: Session, name: str, exclude_id: int | None = None) -> str:
    """A slug for `name` no other shop uses: `name`, `name-2`, `name-3`..."""
    base = slugify(name)
    query = select(SellerProfile.slug).where(SellerProfile.slug.like(f"{base}%"))
    if exclude_id is not None:
        query = query.where(SellerProfile.id != exclude_id)
    taken = set(session.scalars(query))
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


# ---- the steps --------------------------------------------------------------------------

def save_shop_step(
    session: Session,
    user: User,
    *,
    shop_name: str,
    story: str,
    products_summary: str,
    photo: Image | None = None,
    remove_photo: bool = False,
) -> SellerProfile:
    """Create the user's DRAFT profile or update its shop details; returns the profile."""
    profile = user.seller_profile
    _require_editable(profile)
    shop_name = clean_text(shop_name)
    if not shop_name:
        raise OnboardingError({"shop_name": "required"})
    if len(shop_name) > SHOP_NAME_MAX:
        raise OnboardingError({"shop_name": "too_long"})
    if profile is None:
        profile = SellerProfile(user=user, shop_name=shop_name, slug=unique_slug(session, shop_name),
                                status=SellerStatus.DRAFT, onboarding_step="shop")
        session.add(profile)
    elif profile.shop_name != shop_name and profile.approved_at is None:
        # The slug follows the name until the shop has ever been public; then links must stay stable.
        profile.slug = unique_slug(session, shop_name, exclude_id=profile.id)
    profile.shop_name = shop_name
    profile.story = clean_text(story)
    profile.products_summary = clean_text(products_summary)
    if photo is not None:
        profile.photo = photo
    elif remove_photo:
        profile.photo = None
    _advance(profile, "shop")
    try:
        session.commit()
    except IntegrityError:
        # Two saves at once (a double tap creating two profiles, or two shops taking one slug).
        session.rollback()
        raise OnboardingError({"shop_name": "conflict"}) from None
    return profile


def save_location_step(session: Session, profile: SellerProfile, *, kecamatan_code: str, desa: str,
                       address: str) -> None:
    """Store the kecamatan (an official code), desa/kelurahan and street address."""
    _require_editable(profile)
    if kecamatan_code not in KECAMATAN_BY_CODE:
        raise OnboardingError({"kecamatan_code": "unknown_kecamatan"})
    profile.kecamatan_code = kecamatan_code
    profile.desa = clean_text(desa)
    profile.address = clean_text(address)
    _advance(profile, "location")
    session.commit()


def save_contact_step(session: Session, profile: SellerProfile, *, whatsapp_e164: str) -> None:
    """Store the WhatsApp number, already normalised to E.164 by the form."""
    _require_editable(profile)
    if not re.fullmatch(r"\+\d{8,15}", whatsapp_e164 or ""):
        raise OnboardingError({"whatsapp": "invalid_phone"})
    profile.whatsapp = whatsapp_e164
    _advance(profile, "contact")
    session.commit()


def cohorts_by_training(session: Session) -> list[tuple[TrainingType, list[Cohort]]]:
    """Every training type that has cohorts, with its cohorts oldest first."""
    types = session.scalars(
        select(TrainingType).options(selectinload(TrainingType.cohorts)).order_by(TrainingType.name_id)
    )
    return [(t, list(t.cohorts)) for t in types if t.cohorts]


def save_programme_step(
    session: Session,
    profile: SellerProfile,
    *,
    in_programme: bool,
    group_name: str,
    completions: dict[int, date | None],
    today: date,
) -> None:
    """Store programme membership: completed cohorts with dates and the group's name, or "not in it".

    `completions` maps cohort ids to completion dates. Unknown ids, missing dates, dates after
    `today` (WIB) or before the cohort started are refused; errors are keyed `cohorts` or `completed_<id>`.
    """
    _require_editable(profile)
    errors: dict[str, str] = {}
    chosen: dict[int, date] = {}
    if in_programme:
        known = {c.id: c for c in session.scalars(select(Cohort).where(Cohort.id.in_(list(completions))))}
        if any(cohort_id not in known for cohort_id in completions):
            errors["cohorts"] = "unknown_cohort"
        elif not completions and session.scalar(select(func.count(Cohort.id))):
            errors["cohorts"] = "choose_cohort"
        for cohort_id, completed_on in completions.items():
            cohort = known.get(cohort_id)
            if cohort is None:
                continue
            if completed_on is None:
                errors[f"completed_{cohort_id}"] = "date_required"
            elif completed_on > today:
                errors[f"completed_{cohort_id}"] = "date_in_future"
            elif completed_on < cohort.start_date:
                errors[f"completed_{cohort_id}"] = "date_before_start"
            else:
                chosen[cohort_id] = completed_on
        if len(clean_text(group_name)) > 120:
            errors["group_name"] = "too_long"
    if errors:
        raise OnboardingError(errors)
    profile.in_programme = in_programme
    profile.group_name = clean_text(group_name) if in_programme else ""
    existing = {link.cohort_id: link for link in profile.cohorts}
    for cohort_id, link in existing.items():
        if cohort_id not in chosen:
            profile.cohorts.remove(link)
    for cohort_id, completed_on in chosen.items():
        if cohort_id in existing:
            existing[cohort_id].completed_on = completed_on
        else:
            profile.cohorts.append(SellerCohort(cohort_id=cohort_id, completed_on=completed_on))
    _advance(profile, "programme")
    session.commit()


NIB_PATTERN = re.compile(r"\d{13}")
PIRT_PATTERN = re.compile(r"\d{12,17}")
HALAL_PATTERN = re.compile(r"[A-Z0-9][A-Z0-9./\-]{5,39}")


def clean_paper_number(raw: str | None, kind: str) -> str | None:
    """Normalise one optional paper number, or raise OnboardingError({kind: 'invalid_<kind>'}).

    NIB: exactly 13 digits. P-IRT: 12–17 digits (old 15-digit numbers and newer OSS ones;
    dashes, dots and spaces are dropped). Halal: 6–40 letters, digits, `.`, `/`, `-` with at
    least 6 digits (BPJPH `ID35...` numbers and older MUI ones both fit).
    """
    text = (raw or "").strip().upper()
    if not text:
        return None
    if kind == "nib":
        digits = re.sub(r"[\s.\-]", "", text)
        if NIB_PATTERN.fullmatch(digits):
            return digits
    elif kind == "pirt":
        digits = re.sub(r"^(SPP-?)?P-?IRT\s*(NO\.?)?\s*", "", text)
        digits = re.sub(r"[\s.\-]", "", digits)
        if PIRT_PATTERN.fullmatch(digits):
            return digits
    elif kind == "halal":
        compact = re.sub(r"\s+", "", text)
        if HALAL_PATTERN.fullmatch(compact) and sum(c.isdigit() for c in compact) >= 6:
            return compact
    raise OnboardingError({kind: f"invalid_{kind}"})


def save_papers_step(session: Session, profile: SellerProfile, *, nib: str | None, pirt: str | None,
                     halal: str | None) -> None:
    """Store the optional NIB, P-IRT and halal certificate numbers (empty clears them)."""
    _require_editable(profile)
    errors: dict[str, str] = {}
    cleaned: dict[str, str | None] = {}
    for kind, raw in (("nib", nib), ("pirt", pirt), ("halal", halal)):
        try:
            cleaned[kind] = clean_paper_number(raw, kind)
        except OnboardingError as exc:
            errors.update(exc.errors)
    if errors:
        raise OnboardingError(errors)
    profile.nib, profile.pirt, profile.halal = cleaned["nib"], cleaned["pirt"], cleaned["halal"]
    _advance(profile, "papers")
    session.commit()


def save_consent_step(session: Session, profile: SellerProfile, *, agreed: bool, now: datetime | None = None) -> None:
    """Record consent to the programme's use of sales data (the time of the first agreement is kept)."""
    _require_editable(profile)
    if not agreed:
        raise OnboardingError({"agree": "consent_required"})
    if profile.data_consent_at is None:
        profile.data_consent_at = now or utcnow()
    _advance(profile, "consent")
    session.commit()


def submit_for_review(session: Session, profile: SellerProfile, *, now: datetime | None = None) -> bool:
    """Send a DRAFT or REJECTED profile to the officers: status PENDING, submitted_at set, audited.

    Returns True for a resubmission after a rejection.
    Raises OnboardingError({'step': <first missing step>}) when something required is missing,
    or ({'status': 'locked'}) when the profile is not editable.
    """
    # Lock the row (PostgreSQL) so a double tap cannot submit twice.
    session.refresh(profile, with_for_update=True)
    _require_editable(profile)
    missing = first_incomplete_step(profile)
    if missing:
        raise OnboardingError({"step": missing})
    resubmission = profile.status == SellerStatus.REJECTED
    profile.status = SellerStatus.PENDING
    profile.submitted_at = now or utcnow()
    profile.status_reason = ""
    profile.onboarding_step = DONE
    audit.record(session, actor_id=profile.user_id, action="seller.resubmitted" if resubmission else "seller.submitted",
                 subject_type="seller", subject_id=profile.id)
    session.commit()
    return resubmission


def active_officers(session: Session) -> list[User]:
    """Every active officer and admin (both do programme work)."""
    return list(session.scalars(
        select(User).where(User.role.in_([Role.OFFICER, Role.ADMIN]), User.is_active_account.is_(True))
        .order_by(User.id)
    ))


def notify_officers_of_submission(session: Session, profile: SellerProfile, *, resubmission: bool = False) -> int:
    """E-mail every active officer, each in their language, that a producer waits for review.

    Called after the submission is committed: a mail server failure is logged and never undoes it.
    Returns the number of mails sent.
    """
    link = url_for("admin.producer", seller_id=profile.id, _external=True)
    sent = 0
    for officer in active_officers(session):
        subject, body = render_mail("seller_submitted", officer.preferred_language, profile=profile,
                                    officer=officer, link=link, resubmission=resubmission)
        try:
            send_mail(officer.email, subject, body)
        except OSError:
            log.exception("could not send the submission mail to officer %s", officer.id)
            continue
        sent += 1
    return sent


# ---- the dashboard ------------------------------------------------------------------------

@dataclass(frozen=True)
class TodoCounts:
    """What an approved producer should look at: counts of their non-archived products."""

    drafts: int
    out_of_stock: int
    low_stock: int
    without_photos: int
    unpublished_by_officer: int
    total: int
    orders_to_handle: int = 0

    @property
    def anything(self) -> bool:
        return any((self.drafts, self.out_of_stock, self.low_stock, self.without_photos,
                    self.unpublished_by_officer, self.orders_to_handle))


def todo_counts(session: Session, seller_id: int) -> TodoCounts:
    """Count the producer's products that need attention (archived ones are left out).

    Stock counts only published products (what buyers see); low stock is 1..LOW_STOCK.
    """
    live = (Product.seller_id == seller_id, Product.status != ProductStatus.ARCHIVED)
    published = Product.status == ProductStatus.PUBLISHED

    def count(*conditions) -> int:
        return session.scalar(select(func.count(Product.id)).where(*live, *conditions)) or 0

    has_photo = exists().where(ProductImage.product_id == Product.id)
    return TodoCounts(
        drafts=count(Product.status == ProductStatus.DRAFT),
        out_of_stock=count(published, Product.stock <= 0),
        low_stock=count(published, Product.stock > 0, Product.stock <= LOW_STOCK),
        without_photos=count(~has_photo),
        unpublished_by_officer=count(Product.moderation_note != ""),
        total=count(),
        orders_to_handle=session.scalar(
            select(func.count(SellerOrder.id)).where(SellerOrder.seller_id == seller_id,
                                                     SellerOrder.status.in_([PartStatus.NEW, PartStatus.PACKING]))
        ) or 0,
    )
