"""The programme's reference data that officers manage: training types, cohorts and categories.

Every create, edit and delete is written to the audit log in the same transaction, and each
public function that changes data commits once. Rule breaks raise ProgrammeError with
reason codes per field, which the views turn into translated messages.
"""
from __future__ import annotations

import re
import unicodedata
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from marketplace.models import Category, Cohort, Product, SellerCohort, TrainingType
from marketplace.services import audit

SLUG_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
NAME_MAX = 120


class ProgrammeError(ValueError):
    """A rule was broken; `errors` maps field names to reason codes."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(", ".join(f"{k}={v}" for k, v in errors.items()))
        self.errors = errors


def slugify(text: str, max_length: int) -> str:
    """`Pertanian Organik & Pupuk` -> `pertanian-organik-pupuk` (may be empty)."""
    ascii_text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:max_length].strip("-")


def _clean_slug(raw: str, fallback_name: str, max_length: int, errors: dict[str, str]) -> str:
    """The given slug (lower-cased) or one made from the name; records 'invalid_slug' / 'too_long'."""
    slug = (raw or "").strip().lower() or slugify(fallback_name, max_length)
    if len(slug) > max_length:
        errors["slug"] = "too_long"
    elif not SLUG_PATTERN.fullmatch(slug):
        errors["slug"] = "invalid_slug"
    return slug


def _clean_name(field: str, raw: str, errors: dict[str, str], required: bool = True) -> str:
    text = (raw or "").strip()
    if required and not text:
        errors[field] = "required"
    elif len(text) > NAME_MAX:
        errors[field] = "too_long"
    return text


def _changes(record, values: dict) -> dict:
    """{field: [old, new]} for the values that differ from the record's current ones."""
    changed = {}
    for name, new in values.items():
        old = getattr(record, name)
        if old != new:
            changed[name] = [old, new]
    return changed


def _commit_or_slug_taken(session: Session) -> None:
    """Commit; a unique-slug race lost to another officer becomes ProgrammeError({'slug': 'taken'})."""
    try:
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        raise ProgrammeError({"slug": "taken"}) from exc


# ---- training types ----------------------------------------------------------------------

def training_types_with_cohorts(session: Session) -> list[TrainingType]:
    """Every training type, by Indonesian name, with its cohorts (oldest first) loaded."""
    return list(session.scalars(
        select(TrainingType).options(selectinload(TrainingType.cohorts)).order_by(TrainingType.name_id, TrainingType.id)
    ))


def save_training_type(
    session: Session,
    *,
    actor_id: int,
    slug: str,
    name_id: str,
    name_en: str,
    training_type: TrainingType | None = None,
) -> TrainingType:
    """Create a training type, or edit `training_type`; slugs are unique."""
    errors: dict[str, str] = {}
    values = {
        "name_id": _clean_name("name_id", name_id, errors),
        "name_en": _clean_name("name_en", name_en, errors),
    }
    values["slug"] = _clean_slug(slug, values["name_id"], 60, errors)
    if "slug" not in errors:
        query = select(TrainingType.id).where(TrainingType.slug == values["slug"])
        if training_type is not None:
            query = query.where(TrainingType.id != training_type.id)
        if session.scalar(query) is not None:
            errors["slug"] = "taken"
    if errors:
        raise ProgrammeError(errors)
    if training_type is None:
        training_type = TrainingType(**values)
        session.add(training_type)
        session.flush()
        action, details = "training_type.created", values
    else:
        details = _changes(training_type, values)
        for name, value in values.items():
            setattr(training_type, name, value)
        action = "training_type.updated"
    audit.record(session, actor_id=actor_id, action=action, subject_type="training_type",
                 subject_id=training_type.id, details=details)
    _commit_or_slug_taken(session)
    return training_type


# ---- cohorts -----------------------------------------------------------------------------

def cohort_member_count(session: Session, cohort_id: int) -> int:
    """How many producers recorded completing this cohort."""
    return session.scalar(select(func.count(SellerCohort.id)).where(SellerCohort.cohort_id == cohort_id)) or 0


def save_cohort(
    session: Session,
    *,
    actor_id: int,
    training_type_id: int | None,
    name: str,
    place: str,
    start_date: date | None,
    end_date: date | None,
    cohort: Cohort | None = None,
) -> Cohort:
    """Create a cohort, or edit `cohort`; it ends on or after the day it starts."""
    errors: dict[str, str] = {}
    if training_type_id is None or session.get(TrainingType, training_type_id) is None:
        errors["training_type_id"] = "unknown_training_type"
    values = {
        "training_type_id": training_type_id,
        "name": _clean_name("name", name, errors),
        "place": _clean_name("place", place, errors, required=False),
        "start_date": start_date,
        "end_date": end_date,
    }
    if start_date is None:
        errors["start_date"] = "required"
    if end_date is None:
        errors["end_date"] = "required"
    if start_date and end_date and end_date < start_date:
        errors["end_date"] = "end_before_start"
    if errors:
        raise ProgrammeError(errors)
    if cohort is None:
        cohort = Cohort(**values)
        session.add(cohort)
        session.flush()
        action, details = "cohort.created", values
    else:
        details = _changes(cohort, values)
        for field, value in values.items():
            setattr(cohort, field, value)
        action = "cohort.updated"
    audit.record(session, actor_id=actor_id, action=action, subject_type="cohort", subject_id=cohort.id,
                 details=details)
    session.commit()
    return cohort


# ---- categories --------------------------------------------------------------------------

def categories_tree(session: Session) -> list[tuple[Category, int]]:
    """Every category as (category, depth), parents before their children, by position then name."""
    categories = list(session.scalars(select(Category).order_by(Category.position, Category.name_id, Category.id)))
    children: dict[int | None, list[Category]] = {}
    for category in categories:
        children.setdefault(category.parent_id, []).append(category)
    ordered: list[tuple[Category, int]] = []
    seen: set[int] = set()

    def walk(parent_id: int | None, depth: int) -> None:
        for child in children.get(parent_id, []):
            if child.id in seen:
                continue
            seen.add(child.id)
            ordered.append((child, depth))
            walk(child.id, depth + 1)

    walk(None, 0)
    # Anything unreachable from a root (a loop written by hand in the database) still shows up.
    ordered.extend((c, 0) for c in categories if c.id not in seen)
    return ordered


def _creates_loop(session: Session, category_id: int, parent_id: int) -> bool:
    """True when making `parent_id` the parent of `category_id` would put it under itself."""
    seen: set[int] = set()
    current: int | None = parent_id
    while current is not None and current not in seen:
        if current == category_id:
            return True
        seen.add(current)
        current = session.scalar(select(Category.parent_id).where(Category.id == current))
    return current is not None  # an existing loop above the parent counts as a loop too


def save_category(
    session: Session,
    *,
    actor_id: int,
    slug: str,
    name_id: str,
    name_en: str,
    parent_id: int | None,
    position: int = 0,
    category: Category | None = None,
) -> Category:
    """Create a category, or edit `category`: unique slug, an existing parent, and no loops."""
    errors: dict[str, str] = {}
    values = {
        "name_id": _clean_name("name_id", name_id, errors),
        "name_en": _clean_name("name_en", name_en, errors),
        "parent_id": parent_id,
        "position": position or 0,
    }
    values["slug"] = _clean_slug(slug, values["name_id"], 80, errors)
    if "slug" not in errors:
        query = select(Category.id).where(Category.slug == values["slug"])
        if category is not None:
            query = query.where(Category.id != category.id)
        if session.scalar(query) is not None:
            errors["slug"] = "taken"
    if parent_id is not None:
        if session.get(Category, parent_id) is None:
            errors["parent_id"] = "unknown_parent"
        elif category is not None and _creates_loop(session, category.id, parent_id):
            errors["parent_id"] = "loop"
    if errors:
        raise ProgrammeError(errors)
    if category is None:
        category = Category(**values)
        session.add(category)
        session.flush()
        action, details = "category.created", values
    else:
        details = _changes(category, values)
        for field, value in values.items():
            setattr(category, field, value)
        action = "category.updated"
    audit.record(session, actor_id=actor_id, action=action, subject_type="category", subject_id=category.id,
                 details=details)
    _commit_or_slug_taken(session)
    return category


def category_usage(session: Session, category_id: int) -> tuple[int, int]:
    """(products in the category, sub-categories under it)."""
    products = session.scalar(select(func.count(Product.id)).where(Product.category_id == category_id)) or 0
    children = session.scalar(select(func.count(Category.id)).where(Category.parent_id == category_id)) or 0
    return products, children


def delete_category(session: Session, *, actor_id: int, category: Category) -> None:
    """Delete an unused category. Raises ProgrammeError({'category': 'in_use' | 'has_children'})."""
    products, children = category_usage(session, category.id)
    if products:
        raise ProgrammeError({"category": "in_use"})
    if children:
        raise ProgrammeError({"category": "has_children"})
    audit.record(session, actor_id=actor_id, action="category.deleted", subject_type="category",
                 subject_id=category.id, details={"slug": category.slug, "name_id": category.name_id,
                                                  "name_en": category.name_en})
    session.delete(category)
    try:
        session.commit()
    except IntegrityError as exc:  # a product was put in it meanwhile
        session.rollback()
        raise ProgrammeError({"category": "in_use"}) from exc
