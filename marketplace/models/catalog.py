"""Categories, tags, products and their images."""
from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Column, ForeignKey, Index, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.models.base import Base, BilingualName, UTCDateTime, string_enum, utcnow

if TYPE_CHECKING:
    from marketplace.models.sellers import SellerProfile


class ProductStatus(str, enum.Enum):
    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"


UNITS = ("pcs", "kg", "gram", "ikat", "pack", "liter", "botol", "set", "lembar", "meter")


class RenditionSizes:
    """Sizes of a picture stored in renditions: `width`, `height` and `rendition_widths`, the
    comma-separated widths that exist in storage, e.g. "320,800,1600"."""

    @property
    def widths(self) -> list[int]:
        return [int(w) for w in self.rendition_widths.split(",") if w]

    def height_for(self, width: int) -> int:
        return max(1, round(self.height * width / self.width))


class Image(RenditionSizes, Base):
    """An uploaded picture, stored as WebP renditions under a content-hashed key."""

    __tablename__ = "images"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), index=True)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    rendition_widths: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Category(BilingualName, Base):
    """A product category with Indonesian and English names; may sit under a parent."""

    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name_id: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)

    parent: Mapped[Category | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Category]] = relationship(back_populates="parent", order_by="Category.position")


class Tag(BilingualName, Base):
    """A product label buyers filter by: organik, daur ulang, buatan tangan, ..."""

    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name_id: Mapped[str] = mapped_column(String(80))
    name_en: Mapped[str] = mapped_column(String(80))


product_tags = Table(
    "product_tags",
    Base.metadata,
    Column("product_id", ForeignKey("products.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Product(Base):
    """Something a producer sells, priced in whole rupiah per unit."""

    __tablename__ = "products"
    __table_args__ = (
        CheckConstraint("price >= 0", name="price_not_negative"),
        CheckConstraint("stock >= 0", name="stock_not_negative"),
        CheckConstraint("weight_grams >= 0", name="weight_not_negative"),
        Index("ix_products_status_category", "status", "category_id"),
        Index("ix_products_status_published_at", "status", "published_at"),
        # Covering indexes so listings count public products without reading every row.
        Index("ix_products_status_seller", "status", "seller_id"),
        Index("ix_products_status_category_seller", "status", "category_id", "seller_id"),
        # The most sold first (home page, "popular" sort) without sorting every product.
        Index("ix_products_status_sold_count", "status", "sold_count", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("seller_profiles.id", ondelete="CASCADE"), index=True)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"), index=True)
    name: Mapped[str] = mapped_column(String(140))
    slug: Mapped[str] = mapped_column(String(160), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    price: Mapped[int] = mapped_column(Integer)
    unit: Mapped[str] = mapped_column(String(16), default="pcs")
    stock: Mapped[int] = mapped_column(Integer, default=0)
    weight_grams: Mapped[int] = mapped_column(Integer, default=0)
    # Units sold, for the "most sold" sort; 0 until the orders code maintains it.
    sold_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    status: Mapped[ProductStatus] = mapped_column(
        string_enum(ProductStatus, "product_status"),
        default=ProductStatus.DRAFT,
    )
    moderation_note: Mapped[str] = mapped_column(Text, default="")
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    seller: Mapped[SellerProfile] = relationship(back_populates="products")
    category: Mapped[Category | None] = relationship()
    tags: Mapped[list[Tag]] = relationship(secondary=product_tags, order_by="Tag.slug")
    images: Mapped[list[ProductImage]] = relationship(
        back_populates="product", cascade="all, delete-orphan", order_by="ProductImage.position"
    )

    def __repr__(self) -> str:
        return f"<Product {self.id} {self.slug} {self.status.value}>"

    @property
    def cover(self) -> Image | None:
        return self.images[0].image if self.images else None


class ProductImage(Base):
    """A product's photo at a position; position 0 is the cover."""

    __tablename__ = "product_images"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), index=True)
    image_id: Mapped[int] = mapped_column(ForeignKey("images.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)

    product: Mapped[Product] = relationship(back_populates="images")
    image: Mapped[Image] = relationship()


class SearchDocument(Base):
    """The prepared search text of one public product, kept in step by marketplace/services/search.py.

    SQLite indexes it in the FTS5 table `search_fts` (filled by triggers); PostgreSQL in a
    generated `search_vector` tsvector column with a GIN index (both made by migration 0003).
    """

    __tablename__ = "search_documents"

    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    name_terms: Mapped[str] = mapped_column(Text, default="")
    body_terms: Mapped[str] = mapped_column(Text, default="")
