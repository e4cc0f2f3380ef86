"""A producer's products: create, edit, duplicate, archive, quick stock and price changes, photos.

Rules checked here (views only parse forms and word the reason codes):
- only an APPROVED producer may publish; drafts are private;
- `published_at` is set the first time a product is published and then kept;
- slugs are unique, made from the name, and stay stable when the name changes later;
- stock is only written when the producer changed it, and only when nobody else (an
  order) changed it since the producer saw it: a conditional UPDATE, so an order placed
  meanwhile is never undone;
- at most MAX_PHOTOS photos per product; position 0 is the cover.

Each public function that changes data commits exactly once; on ProductError nothing
was written (the caller rolls back).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, selectinload

from marketplace.models import (
    UNITS, Category, Image, Product, ProductImage, ProductStatus, SellerProfile, SellerStatus, Tag, utcnow,
)

NAME_MAX = 140
DESCRIPTION_MAX = 5000
SLUG_MAX = 150  # leaves room in the 160-character column for a "-123" suffix
MAX_PRICE = 1_000_000_000  # rupiah
MAX_STOCK = 1_000_000
MAX_WEIGHT_GRAMS = 1_000_000  # one tonne
MAX_PHOTOS = 8
DUPLICATE_SUFFIX = " (salinan)"  # product names are the producer's Indonesian data, not interface text
EDITABLE_STATUSES = (ProductStatus.DRAFT, ProductStatus.PUBLISHED)


class ProductError(ValueError):
    """A rule was broken; `errors` maps field names to reason codes (the view words them)."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(", ".join(f"{k}={v}" for k, v in errors.items()))
        self.errors = errors


@dataclass
class ProductData:
    """Everything a producer types for one product, already parsed (ints are rupiah, grams, units)."""

    name: str
    price: int | None
    stock: int | None
    unit: str = "pcs"
    weight_grams: int | None = 0
    description: str = ""
    category_id: int | None = None
    tag_ids: list[int] = field(default_factory=list)
    status: ProductStatus | str = ProductStatus.DRAFT


# ---- reading --------------------------------------------------------------------------------

def get_owned_product(session: Session, seller_id: int, product_id: int, *,
                      with_images: bool = False) -> Product | None:
    """The product if it belongs to `seller_id`, else None (the view answers 404)."""
    query = select(Product).where(Product.id == product_id, Product.seller_id == seller_id)
    if with_images:
        query = query.options(selectinload(Product.images).selectinload(ProductImage.image))
    return session.scalar(query)


def list_products(session: Session, seller_id: int, status: ProductStatus | None = None) -> list[Product]:
    """The producer's products, newest change first; without `status` every non-archived one."""
    query = (
        select(Product)
        .where(Product.seller_id == seller_id)
        .options(selectinload(Product.images).selectinload(ProductImage.image), selectinload(Product.category))
        .order_by(Product.updated_at.desc(), Product.id.desc())
    )
    if status is None:
        query = query.where(Product.status != ProductStatus.ARCHIVED)
    else:
        query = query.where(Product.status == status)
    return list(session.scalars(query))


def status_counts(session: Session, seller_id: int) -> dict[ProductStatus, int]:
    """How many products the producer has in each status."""
    rows = session.execute(
        select(Product.status, func.count(Product.id)).where(Product.seller_id == seller_id).group_by(Product.status)
    )
    counts = {status: 0 for status in ProductStatus}
    counts.update({status: count for status, count in rows})
    return counts


def categories(session: Session) -> list[Category]:
    """Every category, parents before their children, in their set order."""
    everything = list(session.scalars(select(Category).order_by(Category.position, Category.name_id, Category.id)))
    by_parent: dict[int | None, list[Category]] = {}
    for category in everything:
        by_parent.setdefault(category.parent_id, []).append(category)
    ordered: list[Category] = []

    def walk(parent_id: int | None, depth: int) -> None:
        if depth > 5:  # a broken parent loop must not hang the page
            return
        for category in by_parent.get(parent_id, []):
            ordered.append(category)
            walk(category.id, depth + 1)

    walk(None, 0)
    seen = {c.id for c in ordered}
    ordered.extend(c for c in everything if c.id not in seen)
    return ordered


def tags(session: Session) -> list[Tag]:
    return list(session.scalars(select(Tag).order_by(Tag.name_id, Tag.id)))


# ---- slugs ----------------------------------------------------------------------------------

def slugify(text: str) -> str:
    """`Keripik Tempe "Bu Sri"` → `keripik-tempe-bu-sri`; falls back to `produk`."""
    ascii_text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:SLUG_MAX].strip("-")
    return slug or "produk"


def unique_slug(session: Session, name: str, reserved: set[str] | None = None) -> str:
    """A product slug for `name` no product uses (nor any in `reserved`): `name`, `name-2`, ..."""
    base = slugify(name)
    taken = set(session.scalars(select(Product.slug).where(Product.slug.like(f"{base}%"))))
    taken |= reserved or set()
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


# ---- checking what was typed ----------------------------------------------------------------

def _check_range(errors: dict, name: str, value: int | None, maximum: int, *, minimum: int = 0) -> None:
    if value is None:
        errors[name] = "required"
    elif value < minimum:
        errors[name] = "too_small" if minimum > 0 else "negative"
    elif value > maximum:
        errors[name] = "too_large"


def _status(value: ProductStatus | str, allowed: tuple[ProductStatus, ...]) -> ProductStatus | None:
    try:
        status = ProductStatus(value)
    except ValueError:
        return None
    return status if status in allowed else None


def validate(session: Session, seller: SellerProfile, data: ProductData,
             allowed_statuses: tuple[ProductStatus, ...] = EDITABLE_STATUSES) -> tuple[dict, list[Tag], ProductStatus]:
    """Check `data`; returns (errors by field, the chosen Tag rows, the status)."""
    errors: dict[str, str] = {}
    name = (data.name or "").strip()
    if not name:
        errors["name"] = "required"
    elif len(name) > NAME_MAX:
        errors["name"] = "too_long"
    if len(data.description or "") > DESCRIPTION_MAX:
        errors["description"] = "too_long"
    _check_range(errors, "price", data.price, MAX_PRICE, minimum=1)
    _check_range(errors, "stock", data.stock, MAX_STOCK)
    _check_range(errors, "weight_grams", data.weight_grams if data.weight_grams is not None else 0, MAX_WEIGHT_GRAMS)
    if data.unit not in UNITS:
        errors["unit"] = "unknown_unit"
    if data.category_id is not None and session.get(Category, data.category_id) is None:
        errors["category_id"] = "unknown_category"
    chosen_tags: list[Tag] = []
    tag_ids = sorted(set(data.tag_ids or []))
    if tag_ids:
        chosen_tags = list(session.scalars(select(Tag).where(Tag.id.in_(tag_ids)).order_by(Tag.slug)))
        if len(chosen_tags) != len(tag_ids):
            errors["tags"] = "unknown_tag"
    status = _status(data.status, allowed_statuses)
    if status is None:
        errors["status"] = "unknown_status"
    elif status == ProductStatus.PUBLISHED and seller.status != SellerStatus.APPROVED:
        errors["status"] = "seller_not_approved"
    return errors, chosen_tags, status or ProductStatus.DRAFT


def _apply(product: Product, data: ProductData, chosen_tags: list[Tag], status: ProductStatus, now: datetime) -> None:
    product.name = data.name.strip()
    product.description = (data.description or "").strip()
    product.price = data.price
    product.unit = data.unit
    product.weight_grams = data.weight_grams or 0
    product.category_id = data.category_id
    product.tags = chosen_tags
    set_status(product, status, now)


def set_status(product: Product, status: ProductStatus, now: datetime) -> None:
    """Set the status; the first publishing stamps `published_at` (no commit)."""
    if status == ProductStatus.PUBLISHED:
        if product.published_at is None:
            product.published_at = now
        # Publishing again is the producer's answer to an officer's note.
        product.moderation_note = ""
    product.status = status


def _write_stock(session: Session, product: Product, new_stock: int, seen_stock: int | None) -> None:
    """Set the stock only if it still is what the producer saw; else ProductError(stock=changed)."""
    if seen_stock is None or new_stock == seen_stock:
        return  # the producer did not change it: keep whatever orders left
    result = session.execute(
        update(Product).where(Product.id == product.id, Product.stock == seen_stock)
        .values(stock=new_stock).execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise ProductError({"stock": "changed"})
    session.expire(product, ["stock"])


# ---- changing products ----------------------------------------------------------------------

def create_product(session: Session, seller: SellerProfile, data: ProductData, *,
                   now: datetime | None = None) -> Product:
    """Add a product for `seller` (draft or published); commits. Raises ProductError."""
    errors, chosen_tags, status = validate(session, seller, data)
    if errors:
        raise ProductError(errors)
    product = Product(seller=seller, slug=unique_slug(session, data.name), stock=data.stock)
    _apply(product, data, chosen_tags, status, now or utcnow())
    session.add(product)
    session.commit()
    return product


def update_product(session: Session, product: Product, data: ProductData, *, stock_seen: int | None,
                   now: datetime | None = None) -> Product:
    """Change every field of `product`; commits. The slug stays as it is, so shared links keep working.

    `stock_seen` is the stock the producer's form showed; see `_write_stock`. An archived
    product stays archived unless `data.status` says otherwise.
    """
    allowed = EDITABLE_STATUSES + ((ProductStatus.ARCHIVED,) if product.status == ProductStatus.ARCHIVED else ())
    errors, chosen_tags, status = validate(session, product.seller, data, allowed)
    if errors:
        raise ProductError(errors)
    _apply(product, data, chosen_tags, status, now or utcnow())
    _write_stock(session, product, data.stock, stock_seen)
    session.commit()
    return product


def quick_update(session: Session, product: Product, *, price: int | None, stock: int | None,
                 stock_seen: int | None) -> Product:
    """The product list's per-row change of price and stock, in one transaction; commits."""
    errors: dict[str, str] = {}
    _check_range(errors, "price", price, MAX_PRICE, minimum=1)
    _check_range(errors, "stock", stock, MAX_STOCK)
    if errors:
        raise ProductError(errors)
    product.price = price
    _write_stock(session, product, stock, stock_seen)
    session.commit()
    return product


def duplicate_product(session: Session, product: Product, *, with_photos: bool,
                      suffix: str = DUPLICATE_SUFFIX) -> Product:
    """A private DRAFT copy named "<name> (salinan)", with the same tags and, if asked, photos; commits.

    Photos are shared Image rows (the files are content-addressed), so copying them costs nothing.
    """
    name = product.name[: NAME_MAX - len(suffix)].rstrip() + suffix
    copy = Product(
        seller_id=product.seller_id, category_id=product.category_id, name=name,
        slug=unique_slug(session, name), description=product.description, price=product.price, unit=product.unit,
        stock=product.stock, weight_grams=product.weight_grams, status=ProductStatus.DRAFT, tags=list(product.tags),
    )
    if with_photos:
        copy.images = [ProductImage(image_id=link.image_id, position=i) for i, link in enumerate(product.images)]
    session.add(copy)
    session.commit()
    return copy


def archive_product(session: Session, product: Product) -> None:
    """Take a product off sale and out of the producer's main list; commits. Orders keep their lines."""
    product.status = ProductStatus.ARCHIVED
    session.commit()


def unarchive_product(session: Session, product: Product) -> None:
    """Bring an archived product back as a DRAFT (the producer checks it, then publishes); commits."""
    if product.status != ProductStatus.ARCHIVED:
        raise ProductError({"status": "not_archived"})
    product.status = ProductStatus.DRAFT
    session.commit()


# ---- photos -------------------------------------------------------------------------------

def _lock(session: Session, product: Product) -> None:
    """Lock the product's row until commit (PostgreSQL), so two uploads cannot pass 8 photos together."""
    session.execute(select(Product.id).where(Product.id == product.id).with_for_update())


def photo_room(product: Product) -> int:
    """How many more photos the product may take."""
    return max(0, MAX_PHOTOS - len(product.images))


def add_photos(session: Session, product: Product, images: list[Image]) -> None:
    """Append stored images as the product's photos (after the existing ones); commits.

    Raises ProductError(photos=too_many) when they would pass MAX_PHOTOS.
    """
    _lock(session, product)
    session.refresh(product, ["images"])
    if len(product.images) + len(images) > MAX_PHOTOS:
        raise ProductError({"photos": "too_many"})
    start = len(product.images)
    for offset, image in enumerate(images):
        product.images.append(ProductImage(image=image, position=start + offset))
    session.commit()


def _renumber(product: Product) -> None:
    for position, link in enumerate(product.images):
        link.position = position


def move_photo(session: Session, product: Product, photo_id: int, direction: str) -> None:
    """Move one photo up (towards the cover) or down; commits. Unknown ids raise ProductError(photo=not_found)."""
    if direction not in ("up", "down"):
        raise ProductError({"photo": "unknown_action"})
    _lock(session, product)
    session.refresh(product, ["images"])
    links = list(product.images)
    index = next((i for i, link in enumerate(links) if link.id == photo_id), None)
    if index is None:
        raise ProductError({"photo": "not_found"})
    target = index - 1 if direction == "up" else index + 1
    if 0 <= target < len(links):
        links[index], links[target] = links[target], links[index]
    for position, link in enumerate(links):
        link.position = position
    session.commit()


def delete_photo(session: Session, product: Product, photo_id: int) -> None:
    """Remove one photo from the product (the Image may be shared by a copy, so it stays); commits."""
    _lock(session, product)
    session.refresh(product, ["images"])
    link = next((link for link in product.images if link.id == photo_id), None)
    if link is None:
        raise ProductError({"photo": "not_found"})
    product.images.remove(link)
    _renumber(product)
    session.commit()
