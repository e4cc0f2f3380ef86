"""Product feeds for other platforms: Google Merchant Center RSS 2.0 and a bulk-upload CSV.

Both list published, in-stock products of approved producers that have at least one
photo, read in batches by id so 100,000 products stream in constant memory. Links come
from the caller (`product_url(slug)`, `image_url(image)`), so this module knows no routes.
(The session's identity map holds objects weakly, so finished batches are freed.)
"""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from xml.sax.saxutils import escape

from sqlalchemy import exists, select
from sqlalchemy.orm import Session, joinedload, selectinload

from marketplace.models import Image, Product, ProductImage, ProductStatus, SellerProfile, SellerStatus
from marketplace.regions import kecamatan_name

GOOGLE_NAMESPACE = "http://base.google.com/ns/1.0"
MAX_IMAGES = 5
_BATCH = 500
# Characters XML 1.0 forbids (and stray C1 controls): dropped from every text.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True)
class FeedLinks:
    product_url: Callable[[str], str]
    image_url: Callable[[Image], str]


def feed_products(session: Session) -> Iterator[Product]:
    """Published, in-stock products of approved producers with a photo, by id, in batches."""
    last_id = 0
    while True:
        batch = session.scalars(
            select(Product).join(SellerProfile, SellerProfile.id == Product.seller_id)
            .where(Product.id > last_id, Product.status == ProductStatus.PUBLISHED,
                   SellerProfile.status == SellerStatus.APPROVED, Product.stock > 0,
                   exists().where(ProductImage.product_id == Product.id))
            .options(joinedload(Product.seller), joinedload(Product.category),
                     selectinload(Product.images).joinedload(ProductImage.image))
            .order_by(Product.id).limit(_BATCH)
        ).unique().all()
        if not batch:
            return
        yield from batch
        last_id = batch[-1].id


def _clean(value: str | None, limit: int | None = None) -> str:
    text = _NOT_XML.sub("", value or "").strip()
    return text[:limit] if limit else text


def _category_path(product: Product) -> str:
    if product.category is None:
        return ""
    return product.category.name_id


def google_merchant_rss(products: Iterator[Product], links: FeedLinks, *, title: str, site_url: str,
                        description: str) -> Iterator[str]:
    """The feed as chunks of RSS 2.0 text with the `g:` namespace, one item per product."""
    yield ('<?xml version="1.0" encoding="UTF-8"?>\n'
           f'<rss version="2.0" xmlns:g="{GOOGLE_NAMESPACE}">\n<channel>\n'
           f"<title>{escape(_clean(title))}</title>\n<link>{escape(site_url)}</link>\n"
           f"<description>{escape(_clean(description))}</description>\n")
    for product in products:
        images = [link.image for link in product.images][:MAX_IMAGES]
        parts = [
            "<item>",
            f"<g:id>{product.id}</g:id>",
            f"<g:title>{escape(_clean(product.name, 150))}</g:title>",
            f"<g:description>{escape(_clean(product.description, 5000) or _clean(product.name))}</g:description>",
            f"<g:link>{escape(links.product_url(product.slug))}</g:link>",
            f"<g:image_link>{escape(links.image_url(images[0]))}</g:image_link>",
            *(f"<g:additional_image_link>{escape(links.image_url(i))}</g:additional_image_link>" for i in images[1:]),
            "<g:availability>in_stock</g:availability>",
            f"<g:price>{product.price} IDR</g:price>",
            "<g:condition>new</g:condition>",
            f"<g:brand>{escape(_clean(product.seller.shop_name, 70))}</g:brand>",
            "<g:identifier_exists>no</g:identifier_exists>",
        ]
        if product.category is not None:
            parts.append(f"<g:product_type>{escape(_clean(_category_path(product)))}</g:product_type>")
        if product.weight_grams:
            parts.append(f"<g:shipping_weight>{product.weight_grams} g</g:shipping_weight>")
        parts.append("</item>\n")
        yield "".join(parts)
    yield "</channel>\n</rss>\n"


# Columns of the common Indonesian marketplace mass-upload sheets (Tokopedia/Shopee style).
CSV_COLUMNS = (
    "SKU", "Nama Produk", "Deskripsi Produk", "Kategori", "Harga (Rp)", "Stok", "Berat (gram)",
    "Minimum Pemesanan", "Kondisi", "Satuan", "Nama Toko", "Kecamatan", "URL Produk",
    *(f"Foto Produk {n}" for n in range(1, MAX_IMAGES + 1)),
)


def _csv_safe(value: object) -> object:
    """Neutralise spreadsheet formulas (CSV injection): text starting with = + - @ gets a quote."""
    if isinstance(value, str):
        value = _NOT_XML.sub("", value)
        if value[:1] in ("=", "+", "-", "@", "\t", "\r"):
            return "'" + value
    return value


def bulk_upload_csv(products: Iterator[Product], links: FeedLinks) -> Iterator[str]:
    """The CSV as chunks of text: a BOM (so spreadsheet programs read UTF-8), header, rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    yield "\ufeff" + buffer.getvalue()
    for product in products:
        buffer.seek(0)
        buffer.truncate()
        images = [links.image_url(link.image) for link in product.images][:MAX_IMAGES]
        row = [
            f"PLB-{product.id}", product.name, product.description, _category_path(product), product.price,
            product.stock, product.weight_grams, 1, "Baru", product.unit, product.seller.shop_name,
            kecamatan_name(product.seller.kecamatan_code), links.product_url(product.slug),
            *images, *([""] * (MAX_IMAGES - len(images))),
        ]
        writer.writerow([_csv_safe(v) for v in row])
        yield buffer.getvalue()
