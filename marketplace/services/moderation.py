"""Officers' moderation of products: find any product, and unpublish one with a reason.

Unpublishing puts the product back to draft and stores the reason in
`Product.moderation_note`, which the producer sees; the change and its audit entry are
committed together, and the producer's e-mail goes out afterwards (`notify_seller`).
"""
from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import Select, or_, select, update
from sqlalchemy.orm import Session, selectinload

from marketplace.models import Product, ProductImage, ProductStatus, SellerProfile, utcnow
from marketplace.services import audit
from marketplace.services.mail import render_mail, send_mail

log = logging.getLogger(__name__)

REASON_MAX = 2000
QUERY_MAX = 100


class ModerationError(ValueError):
    """An action was refused; `code` is 'reason_required', 'reason_too_long' or 'not_published'."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def products_query(text: str = "", status: ProductStatus | None = None) -> Select:
    """Every product (any producer, any status) whose name or shop name contains `text`, newest first."""
    query = (
        select(Product)
        .join(Product.seller)
        .options(selectinload(Product.seller), selectinload(Product.images).selectinload(ProductImage.image))
        .order_by(Product.created_at.desc(), Product.id.desc())
    )
    text = (text or "").strip()[:QUERY_MAX]
    if text:
        pattern = _like_pattern(text.lower())
        query = query.where(or_(Product.name.ilike(pattern, escape="\\"),
                                SellerProfile.shop_name.ilike(pattern, escape="\\")))
    if status is not None:
        query = query.where(Product.status == status)
    return query


def unpublish_product(
    session: Session,
    product: Product,
    *,
    actor_id: int,
    reason: str,
    now: datetime | None = None,
) -> None:
    """Take a published product off the market (status draft) with the reason the producer sees; commit.

    A conditional UPDATE makes a second officer's simultaneous attempt fail with 'not_published'.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ModerationError("reason_required")
    if len(reason) > REASON_MAX:
        raise ModerationError("reason_too_long")
    if product.status != ProductStatus.PUBLISHED:
        raise ModerationError("not_published")
    result = session.execute(
        update(Product)
        .where(Product.id == product.id, Product.status == ProductStatus.PUBLISHED)
        .values(status=ProductStatus.DRAFT, moderation_note=reason, updated_at=now or utcnow())
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        session.rollback()
        raise ModerationError("not_published")
    audit.record(session, actor_id=actor_id, action="product.unpublished", subject_type="product",
                 subject_id=product.id, reason=reason,
                 details={"name": product.name, "seller_id": product.seller_id, "shop": product.seller.shop_name})
    session.commit()
    session.refresh(product)


def notify_seller(product: Product, *, link: str) -> bool:
    """E-mail the producer that an officer unpublished their product, in their language.

    Returns False (and logs) when the mail server fails; the unpublishing stands.
    """
    user = product.seller.user
    subject, body = render_mail("product_unpublished", user.preferred_language, product=product,
                                profile=product.seller, user=user, reason=product.moderation_note, link=link)
    try:
        send_mail(user.email, subject, body)
    except OSError:
        log.exception("could not send the unpublish mail for product %s", product.id)
        return False
    return True
