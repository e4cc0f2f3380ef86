"""Queries for what the public may see: published products of approved producers."""
from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from marketplace.models import Product, ProductImage, ProductStatus, SellerProfile, SellerStatus


def public_products_query() -> Select:
    """Published products whose producer is approved (suspended shops disappear)."""
    return (
        select(Product)
        .join(Product.seller)
        .where(Product.status == ProductStatus.PUBLISHED, SellerProfile.status == SellerStatus.APPROVED)
    )


def newest_products(session: Session, limit: int = 12) -> list[Product]:
    query = (
        public_products_query()
        .options(
            selectinload(Product.images).selectinload(ProductImage.image),
            selectinload(Product.seller),
        )
        .order_by(Product.published_at.desc(), Product.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query))


def featured_producers(session: Session, limit: int = 6) -> list[SellerProfile]:
    query = (
        select(SellerProfile)
        .where(SellerProfile.status == SellerStatus.APPROVED)
        .options(selectinload(SellerProfile.photo))
        .order_by(SellerProfile.approved_at.desc(), SellerProfile.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query))
