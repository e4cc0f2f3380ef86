"""Large synthetic data sets for benchmarks (`flask seed-bench`).

Speed matters more than variety here: rows go in through SQLAlchemy Core executemany in
batches, every seller shares one precomputed password hash, and all products share a
handful of generated pictures. The spread still looks like the real market: producers
over the kecamatan (more in Kota Blitar), products over categories, tags, prices and
publish dates over the last two years. One transaction, committed at the end.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from itertools import islice

from sqlalchemy import func, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from marketplace.models import (
    DeliverySettings, Product, ProductImage, ProductStatus, Role, SellerCohort, SellerProfile, SellerStatus, User,
    product_tags,
)
from marketplace.regions import KECAMATAN, KOTA_BLITAR
from marketplace.services import search
from marketplace.services.accounts import hash_password
from marketplace.services.demo_data import (
    PRODUCER_PASSWORD, PRODUCT_TEMPLATES, KIND_TRAINING, ImageSettings, add_reference_data, draw_picture,
    product_name, round_price, slugify, store_picture,
)
from marketplace.services.storage import Storage

DEFAULT_SEED = 7
BATCH_SIZE = 5_000
HISTORY_DAYS = 730
BENCH_EMAIL_DOMAIN = "bench.pasarlokalblitar.id"

_KINDS = tuple(PRODUCT_TEMPLATES)
_KIND_WEIGHTS = (30, 20, 25, 20, 5)  # craft, sewing, farm, food, drink
_STATUS_WEIGHTS = ((SellerStatus.APPROVED, 92), (SellerStatus.PENDING, 4), (SellerStatus.SUSPENDED, 2),
                   (SellerStatus.REJECTED, 2))
_FIRST_NAMES = ("Sri", "Siti", "Endang", "Lilik", "Tutik", "Wiwik", "Yuli", "Nur", "Sumarni", "Tini", "Ayu", "Umi",
                "Rukmini", "Dwi", "Ika", "Sumiati", "Hartini", "Kasiyem", "Mujiati", "Rini", "Agus", "Budi", "Slamet",
                "Suparman", "Harsono", "Mulyono", "Wahyu", "Eko")
_LAST_NAMES = ("Wahyuni", "Aminah", "Purwanti", "Suryani", "Handayani", "Rahayu", "Astuti", "Hidayati", "Lestari",
               "Setyowati", "Santoso", "Prasetyo", "Widodo", "Susanto", "Kusumawati", "Anggraeni")
_SHOP_WORDS = {"craft": ("Kriya", "Anyaman", "Daur Ulang", "Kreasi"), "sewing": ("Jahit", "Batik", "Busana", "Konveksi"),
               "farm": ("Tani", "Kebun", "Sayur", "Sawah"), "food": ("Dapur", "Camilan", "Olahan", "Jajan"),
               "drink": ("Kopi", "Jamu", "Wedang", "Madu")}


@dataclass
class BenchSummary:
    sellers: int
    products: int
    product_tags: int
    images: int
    indexed: bool


def _batched(rows, size: int = BATCH_SIZE):
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


def _insert(connection: Connection, table, rows) -> int:
    """executemany in batches; returns how many rows went in."""
    count = 0
    for batch in _batched(rows):
        connection.execute(table.insert(), batch)
        count += len(batch)
    return count


def _next_id(connection: Connection, table) -> int:
    return (connection.scalar(select(func.max(table.c.id))) or 0) + 1


def _advance_sequences(connection: Connection, tables) -> None:
    """On PostgreSQL, move the id sequences past the ids we inserted explicitly."""
    if connection.dialect.name != "postgresql":
        return
    for table in tables:
        connection.execute(text(
            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
            f"COALESCE((SELECT MAX(id) FROM {table.name}), 1))"
        ))


def seed_bench(
    session: Session,
    storage: Storage,
    *,
    sellers: int,
    products: int,
    hash_method: str,
    seed: int = DEFAULT_SEED,
    now: datetime | None = None,
    images: ImageSettings | None = None,
    shared_pictures: int = 2,
    search_index: bool = False,
) -> BenchSummary:
    """Add `sellers` producers and `products` products on top of whatever is there; commit once.

    Bulk inserts bypass the ORM hook that keeps the search index in step; with `search_index`
    the new products are indexed in the same transaction (several times slower).
    """
    rng = random.Random(seed)
    now = now or datetime.now(timezone.utc).replace(microsecond=0)
    images = images or ImageSettings(widths=(320, 800))
    try:
        categories, tags, cohorts = add_reference_data(session)
        pictures = {
            motif: [store_picture(session, storage, draw_picture(rng, motif, f"Bench {motif}"), images).id
                    for _ in range(shared_pictures)]
            for motif in sorted({t.motif for kind in _KINDS for t in PRODUCT_TEMPLATES[kind]})
        }
        session.flush()
        connection = session.connection()
        password_hash = hash_password(PRODUCER_PASSWORD, hash_method)
        seller_rows = _seller_rows(connection, rng, sellers, password_hash, cohorts, now)
        first_product = _next_id(connection, Product.__table__)
        product_count, tag_count = _add_products(connection, rng, seller_rows, products, first_product,
                                                 categories, tags, pictures, now)
        if search_index:
            search.reindex_products(connection, range(first_product, first_product + product_count))
        _advance_sequences(connection, (User.__table__, SellerProfile.__table__, Product.__table__))
        session.commit()
    except Exception:
        session.rollback()
        raise
    return BenchSummary(sellers=len(seller_rows), products=product_count, product_tags=tag_count,
                        images=sum(len(v) for v in pictures.values()), indexed=search_index)


def _seller_rows(connection, rng, count, password_hash, cohorts, now) -> list[tuple[int, str, SellerStatus, datetime]]:
    """Insert users, seller profiles, delivery settings and cohort links; return (id, kind, status, since) per seller."""
    first_user, first_seller = _next_id(connection, User.__table__), _next_id(connection, SellerProfile.__table__)
    # Kota Blitar's three kecamatan are towns: weigh them more.
    kecamatan_weights = [4 if k.regency_code == KOTA_BLITAR else 1 for k in KECAMATAN]
    statuses, status_weights = zip(*_STATUS_WEIGHTS)
    users, profiles, deliveries, links, result = [], [], [], [], []
    for i in range(count):
        user_id, seller_id = first_user + i, first_seller + i
        kind = rng.choices(_KINDS, _KIND_WEIGHTS)[0]
        status = rng.choices(statuses, status_weights)[0]
        kecamatan = rng.choices(KECAMATAN, kecamatan_weights)[0]
        joined = now - timedelta(days=rng.uniform(30, HISTORY_DAYS + 60))
        owner = f"{rng.choice(_FIRST_NAMES)} {rng.choice(_LAST_NAMES)}"
        shop = f"{rng.choice(_SHOP_WORDS[kind])} {owner.split()[0]} {kecamatan.name}"
        phone = f"+62812{rng.randrange(10_000_000, 99_999_999)}"
        users.append({
            "id": user_id, "email": f"penjual{seller_id}@{BENCH_EMAIL_DOMAIN}", "name": owner, "phone": phone,
            "password_hash": password_hash, "preferred_language": "id", "role": Role.BUYER, "is_active": True,
            "created_at": joined,
        })
        approved = status in (SellerStatus.APPROVED, SellerStatus.SUSPENDED)
        approved_at = joined + timedelta(days=rng.uniform(1, 10)) if approved else None
        profiles.append({
            "id": seller_id, "user_id": user_id, "shop_name": shop, "slug": f"{slugify(shop)}-{seller_id}",
            "story": f"Produk {shop} dibuat di {kecamatan.name} oleh anggota program pemberdayaan.",
            "products_summary": "", "kecamatan_code": kecamatan.code, "desa": kecamatan.name,
            "address": f"Jl. Raya {kecamatan.name} No. {rng.randint(1, 200)}", "whatsapp": phone,
            "group_name": "", "in_programme": True, "onboarding_step": "done", "status": status,
            "status_reason": "", "data_consent_at": joined, "submitted_at": joined, "approved_at": approved_at,
            "created_at": joined, "updated_at": joined,
        })
        if approved:
            deliveries.append({"seller_id": seller_id, "offers_pickup": True, "pickup_note": "",
                               "offers_local_delivery": rng.random() < 0.6, "local_delivery_fee": 5_000,
                               "offers_courier": kind != "farm", "courier_fee_blitar": 8_000,
                               "courier_fee_jatim": 12_000, "courier_fee_indonesia": 25_000, "offers_cash": True})
        own = cohorts[KIND_TRAINING[kind]]
        if own:
            cohort = rng.choice(own)
            links.append({"seller_id": seller_id, "cohort_id": cohort.id, "completed_on": cohort.end_date})
        result.append((seller_id, kind, status, approved_at or joined))
    _insert(connection, User.__table__, users)
    _insert(connection, SellerProfile.__table__, profiles)
    _insert(connection, DeliverySettings.__table__, deliveries)
    _insert(connection, SellerCohort.__table__, links)
    return result


def _add_products(connection, rng, sellers, count, first_product, categories, tags, pictures, now) -> tuple[int, int]:
    """Insert products with ids from `first_product`, their tag links and cover pictures."""
    if not sellers or not count:
        return 0, 0
    # Some producers have many products, most have a few: pick sellers with skewed weights.
    seller_weights = [rng.paretovariate(1.5) for _ in sellers]
    chosen = rng.choices(sellers, seller_weights, k=count)
    templates = {kind: PRODUCT_TEMPLATES[kind] for kind in _KINDS}
    tag_ids = {slug: tag.id for slug, tag in tags.items()}
    category_ids = {slug: category.id for slug, category in categories.items()}
    product_rows, tag_rows, image_rows = [], [], []
    for i, (seller_id, kind, seller_status, since) in enumerate(chosen):
        product_id = first_product + i
        template = rng.choice(templates[kind])
        name = product_name(template, rng.choice(template.variants))
        roll = rng.random()
        status = (ProductStatus.DRAFT if roll < 0.06 or seller_status not in (SellerStatus.APPROVED,
                  SellerStatus.SUSPENDED) else ProductStatus.ARCHIVED if roll < 0.09 else ProductStatus.PUBLISHED)
        earliest = max(since, now - timedelta(days=HISTORY_DAYS))
        created = earliest + (now - earliest) * rng.random()
        product_rows.append({
            "id": product_id, "seller_id": seller_id, "category_id": category_ids[template.category], "name": name,
            "slug": f"{slugify(name)}-{product_id}", "description": template.description,
            "price": round_price(rng, *template.price), "unit": template.unit, "stock": rng.randint(0, 60),
            "weight_grams": template.weight_grams, "status": status, "moderation_note": "",
            "published_at": created if status != ProductStatus.DRAFT else None,
            "created_at": created, "updated_at": created,
        })
        for slug in template.tags:
            tag_rows.append({"product_id": product_id, "tag_id": tag_ids[slug]})
        image_rows.append({"product_id": product_id, "image_id": rng.choice(pictures[template.motif]), "position": 0})
    _insert(connection, Product.__table__, product_rows)
    tag_count = _insert(connection, product_tags, tag_rows)
    _insert(connection, ProductImage.__table__, image_rows)
    return len(product_rows), tag_count
