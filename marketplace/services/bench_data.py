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

from sqlalchemy import bindparam, func, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from marketplace.models import (
    DeliverySettings, Product, ProductImage, ProductStatus, Role, SellerCohort, SellerProfile, SellerStatus, User,
    product_tags,
)
from marketplace.regions import KECAMATAN, KOTA_BLITAR
from marketplace.services import sales_summary, search
from marketplace.services.accounts import hash_password
from marketplace.services.demo_data import (
    PRODUCER_PASSWORD, PRODUCT_TEMPLATES, KIND_TRAINING, ImageSettings, add_reference_data, draw_picture,
    product_name, round_price, slugify, store_picture,
)
from marketplace.services.storage import Storage

DEFAULT_SEED = 7
BATCH_SIZE = 5_000
HISTORY_DAYS = 730
BENCH_ORDERS_PER_BUYER = 3      # guest buyers (by e-mail) average this many orders each
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
    """executemany in batches (an insert into `table`, or any given statement); returns how many rows went in."""
    statement = table.insert() if hasattr(table, "insert") else table
    count = 0
    for batch in _batched(rows):
        connection.execute(statement, batch)
        count += len(batch)
    return count


def _copy(connection: Connection, table, rows: list[dict]) -> int:
    """Insert rows (all with the same keys) with COPY on PostgreSQL through psycopg, else executemany.

    COPY is several times faster there; the columns' own bind processing (enums, UTC times) still applies.
    """
    if not rows:
        return 0
    if connection.dialect.name != "postgresql" or connection.dialect.driver != "psycopg":
        return _insert(connection, table, rows)
    columns = list(rows[0])
    processors = [table.c[name].type._cached_bind_processor(connection.dialect) for name in columns]
    names = ", ".join(f'"{name}"' for name in columns)
    cursor = connection.connection.cursor()
    try:
        with cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([process(row[name]) if process else row[name]
                                for name, process in zip(columns, processors)])
    finally:
        cursor.close()
    return len(rows)


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


# ---- orders ----------------------------------------------------------------------------------------
#
# `seed-bench --orders N`: N orders over two years in every state, written with Core inserts in
# chunks of ORDER_CHUNK orders (ids precomputed, no ORM objects per row). The rows follow the same
# rules the services apply: totals, part states, one or two events per part, payments, reviews only
# on completed parts, and ledger entries exactly as services/ledger.py would write them.

ORDER_CHUNK = 20_000
_GUEST_FIRST = _FIRST_NAMES + ("Rina", "Dedi", "Fitri", "Yusuf", "Lina", "Hendra", "Wulan", "Bayu", "Maya", "Rudi")
_REGIONS = (("35.05", "Kabupaten Blitar", 40), ("35.72", "Kota Blitar", 30), ("35", "Kota Malang", 10),
            ("35", "Kota Surabaya", 8), ("35", "Kota Kediri", 4), ("", "Jakarta Selatan", 5),
            ("", "Kota Yogyakarta", 3))
_METHODS = (("transfer", 45), ("cash", 35), ("card", 20))
# Finished states for orders older than two weeks; the open ones only happen in the last days.
_BENCH_OLD_FATES = (("completed", 84), ("cancelled", 4), ("expired", 5), ("refunded", 2), ("partial_refund", 3),
                    ("delivered", 2))
_BENCH_RECENT_FATES = (("awaiting", 10), ("new", 15), ("packing", 15), ("shipped", 20), ("delivered", 15),
                       ("completed", 20), ("cancelled", 5))
_COURIER_PER_KG = {"blitar": 8_000, "jatim": 12_000, "indonesia": 25_000}


@dataclass
class BenchOrderSummary:
    orders: int = 0
    parts: int = 0
    lines: int = 0
    payments: int = 0
    events: int = 0
    reviews: int = 0
    ledger_entries: int = 0


def seed_bench_orders(session: Session, *, orders: int, seed: int = DEFAULT_SEED, now: datetime | None = None,
                      chunk: int = ORDER_CHUNK) -> BenchOrderSummary:
    """Add `orders` orders of the published products of approved producers; commit once.

    Raises ValueError('no_products') when there is nothing to order.
    """
    from marketplace.formatting import to_wib
    from marketplace.models import (
        GuestBuyer, LedgerEntry, Order, OrderEvent, OrderLine, OrderNumberCounter, Payment, Review, SellerOrder,
    )
    from marketplace.services import ledger

    rng = random.Random(seed * 31 + 17)
    now = now or datetime.now(timezone.utc).replace(microsecond=0)
    summary = BenchOrderSummary()
    try:
        connection = session.connection()
        catalogue = _orderable(connection)
        if not catalogue:
            raise ValueError("no_products")
        rates = _commission_rates(connection, ledger.get_settings(session).commission_bps)
        tables = {"guests": GuestBuyer.__table__, "orders": Order.__table__, "parts": SellerOrder.__table__,
                  "lines": OrderLine.__table__,
                  "payments": Payment.__table__, "events": OrderEvent.__table__, "reviews": Review.__table__,
                  "ledger": LedgerEntry.__table__}
        ids = {key: _next_id(connection, table) for key, table in tables.items()}
        # Order numbers carry on from each WIB year's counter, in time order.
        counters = dict(connection.execute(select(OrderNumberCounter.year, OrderNumberCounter.last_number)).all())
        known_years = set(counters)
        # About 1% of the orders are from the last day: the open checkouts of "now".
        times = sorted(now - timedelta(seconds=rng.uniform(60, 20 * 3_600) if rng.random() < 0.01
                                       else rng.uniform(60, HISTORY_DAYS * 86_400)) for _ in range(orders))
        sellers = list(catalogue)
        sold: dict[int, int] = {}  # product id -> paid units, for Product.sold_count as stock.count_sold keeps it
        seller_weights = [len(catalogue[s]["products"]) for s in sellers]
        buyers = max(1, orders // BENCH_ORDERS_PER_BUYER)
        guests = _bench_guests(connection, GuestBuyer.__table__)
        for start in range(0, orders, chunk):
            rows = {key: [] for key in tables}
            for at in times[start:start + chunk]:
                year = to_wib(at).year
                counters[year] = counters.get(year, 0) + 1
                _bench_order(rng, rows, ids, at, now, f"PLB-{year}-{counters[year]:06d}", sellers, seller_weights,
                             catalogue, rates, sold, buyers, guests)
            for key, table in tables.items():
                _copy(connection, table, rows[key])
            summary.orders += len(rows["orders"])
            summary.parts += len(rows["parts"])
            summary.lines += len(rows["lines"])
            summary.payments += len(rows["payments"])
            summary.events += len(rows["events"])
            summary.reviews += len(rows["reviews"])
            summary.ledger_entries += len(rows["ledger"])
        products = Product.__table__
        _insert(connection, products.update().where(products.c.id == bindparam("pid"))
                .values(sold_count=products.c.sold_count + bindparam("n")),
                [{"pid": pid, "n": n} for pid, n in sorted(sold.items())])
        for year, last in counters.items():
            if year in known_years:
                connection.execute(OrderNumberCounter.__table__.update()
                                   .where(OrderNumberCounter.__table__.c.year == year).values(last_number=last))
            else:
                connection.execute(OrderNumberCounter.__table__.insert().values(year=year, last_number=last))
        _advance_sequences(connection, tables.values())
        sales_summary.rebuild_all(connection)       # bulk inserts bypass the ORM hook that keeps them exact
        session.commit()
    except Exception:
        session.rollback()
        raise
    return summary


def _orderable(connection: Connection) -> dict[int, dict]:
    """seller id -> delivery offer and published products (id, name, unit, price, weight)."""
    rows = connection.execute(
        select(Product.id, Product.seller_id, Product.name, Product.unit, Product.price, Product.weight_grams)
        .join(SellerProfile, SellerProfile.id == Product.seller_id)
        .where(Product.status == ProductStatus.PUBLISHED, SellerProfile.status == SellerStatus.APPROVED)
        .order_by(Product.id)
    ).all()
    catalogue: dict[int, dict] = {}
    for row in rows:
        catalogue.setdefault(row.seller_id, {"products": [], "user_id": None, "delivery": None})["products"].append(
            (row.id, row.name, row.unit, row.price, row.weight_grams))
    if not catalogue:
        return catalogue
    table = DeliverySettings.__table__
    for row in connection.execute(select(table).where(table.c.seller_id.in_(list(catalogue)))):
        catalogue[row.seller_id]["delivery"] = row
    for seller_id, user_id in connection.execute(
            select(SellerProfile.id, SellerProfile.user_id).where(SellerProfile.id.in_(list(catalogue)))):
        catalogue[seller_id]["user_id"] = user_id
    return catalogue


def _commission_rates(connection: Connection, default_bps: int) -> dict[int, int]:
    rows = connection.execute(select(SellerProfile.id, SellerProfile.commission_bps)).all()
    return {sid: (bps if bps is not None else default_bps) for sid, bps in rows}


def _delivery_options(delivery, zone: str, weight_grams: int) -> dict[str, int]:
    """The same options and fees as checkout.QuotePart.delivery_options, from a delivery_settings row."""
    if delivery is None:
        return {"pickup": 0}
    options = {}
    if delivery.offers_pickup:
        options["pickup"] = 0
    if delivery.offers_local_delivery and zone == "blitar":
        options["local"] = delivery.local_delivery_fee
    if delivery.offers_courier:
        per_kg = {"blitar": delivery.courier_fee_blitar, "jatim": delivery.courier_fee_jatim,
                  "indonesia": delivery.courier_fee_indonesia}[zone]
        if per_kg:
            options["courier"] = per_kg * max(1, -(-weight_grams // 1000))
    return options


def _take(ids: dict, key: str) -> int:
    value = ids[key]
    ids[key] += 1
    return value


def _bench_guests(connection: Connection, table) -> dict[int, int]:
    """Guest buyer ids of the bench buyers a previous run added, by buyer number."""
    prefix, suffix = "pembeli", f"@{BENCH_EMAIL_DOMAIN}"
    rows = connection.execute(select(table.c.id, table.c.email).where(table.c.email.like(f"{prefix}%{suffix}")))
    return {int(email[len(prefix):-len(suffix)]): guest_id for guest_id, email in rows}


def _bench_order(rng, rows, ids, at, now, number, sellers, seller_weights, catalogue, rates, sold,
                 buyers: int, guests: dict[int, int]) -> None:
    """Add one order's rows (guest buyer, order, parts, lines, payment, events, reviews, ledger) to `rows`."""
    from marketplace.services.ledger import commission_on

    age = now - at
    if age < timedelta(hours=20):
        fate = "awaiting" if rng.random() < 0.4 else rng.choices(*zip(*_BENCH_RECENT_FATES))[0]
    else:
        names, weights = zip(*(_BENCH_RECENT_FATES if age.days < 14 else _BENCH_OLD_FATES))
        fate = rng.choices(names, weights)[0]
        if fate == "awaiting":
            fate = "new"  # unpaid orders older than a day have expired
    method = rng.choices(("transfer", "cash", "card"), (45, 35, 20))[0]
    if fate in ("awaiting", "expired", "refunded", "partial_refund") and method == "cash":
        method = "transfer"
    if fate == "awaiting" and method == "card" and age > timedelta(minutes=30):
        method = "transfer"  # an unpaid card checkout expires within half an hour
    regency, regency_name = rng.choices([(r[0], r[1]) for r in _REGIONS], [r[2] for r in _REGIONS])[0]
    zone = "blitar" if regency in ("35.05", "35.72") else "jatim" if regency.startswith("35") else "indonesia"
    order_id = _take(ids, "orders")
    # Buyers come back: the squared draw makes a few of them order often and most a few times.
    buyer_number = int(buyers * rng.random() ** 2)
    email = f"pembeli{buyer_number}@{BENCH_EMAIL_DOMAIN}"
    guest_id = guests.get(buyer_number)
    if guest_id is None:
        guest_id = guests[buyer_number] = _take(ids, "guests")
        rows["guests"].append({"id": guest_id, "email": email, "created_at": at})
    buyer = (f"{_GUEST_FIRST[buyer_number % len(_GUEST_FIRST)]} "
             f"{_LAST_NAMES[buyer_number // len(_GUEST_FIRST) % len(_LAST_NAMES)]}")
    paid = fate not in ("awaiting", "expired") and not (fate == "cancelled" and method != "cash")
    paid_at = at + timedelta(minutes=rng.uniform(2, 600)) if paid and method != "cash" else None
    closed_at = at + timedelta(hours=rng.uniform(30, 200))
    if closed_at > now:
        closed_at = now - timedelta(minutes=1)
    if paid_at is not None and paid_at > closed_at:
        paid_at = at + (closed_at - at) / 2
    part_count = 2 if rng.random() < 0.15 else 1
    chosen = {rng.choices(sellers, seller_weights)[0] for _ in range(part_count)}
    subtotal = shipping = refunded_total = 0
    part_statuses = []
    first_status = "awaiting_payment" if method != "cash" else "new"
    for seller_id in sorted(chosen):
        info = catalogue[seller_id]
        products = rng.sample(info["products"], k=min(len(info["products"]), rng.choice((1, 1, 1, 2, 2, 3))))
        quantities = [rng.randint(1, 3) for _ in products]
        weight = sum(p[4] * q for p, q in zip(products, quantities))
        options = _delivery_options(info["delivery"], zone, weight)
        if method == "cash":
            options.pop("courier", None)
        if not options:
            options = {"pickup": 0}
        delivery = "courier" if "courier" in options and zone != "blitar" else rng.choice(sorted(options))
        fee = options[delivery]
        goods = sum(p[3] * q for p, q in zip(products, quantities))
        status = {"awaiting": "awaiting_payment", "new": "new", "packing": "packing", "delivered": "delivered",
                  "completed": "completed", "partial_refund": "completed", "expired": "cancelled",
                  "cancelled": "cancelled", "refunded": "refunded",
                  "shipped": "ready_for_pickup" if delivery == "pickup" else "shipped"}[fate]
        part_statuses.append(status)
        part_id = _take(ids, "parts")
        confirmed = (paid_at if method != "cash" else closed_at if status in ("delivered", "completed") else None)
        courier_name = tracking = ""
        if status in ("shipped", "delivered", "completed", "refunded") and delivery == "courier":
            courier_name = rng.choice(("JNE", "J&T", "SiCepat"))
            tracking = f"{courier_name[:2].upper()}{rng.randrange(10**9, 10**10)}"
        elif delivery == "local" and status in ("shipped", "delivered", "completed"):
            courier_name = "self"
        rows["parts"].append({
            "id": part_id, "order_id": order_id, "seller_id": seller_id, "status": status,
            "delivery_method": delivery, "shipping_zone": zone if delivery == "courier" else None,
            "delivery_fee": fee, "subtotal": goods, "courier_name": courier_name, "tracking_number": tracking,
            "payment_confirmed_at": confirmed, "cancel_reason": "expired" if fate == "expired" else
            ("Stok habis." if fate in ("cancelled", "refunded") else ""), "created_at": at, "updated_at": closed_at,
        })
        refund = 0
        line_ids = []
        for index, (product, quantity) in enumerate(zip(products, quantities)):
            line_id = _take(ids, "lines")
            line_ids.append(line_id)
            value = product[3] * quantity
            refunded = 0
            if fate == "refunded":
                refunded = value
            elif fate == "partial_refund" and index == 0:
                refunded = max(1, value // 4)
            refund += refunded
            rows["lines"].append({
                "id": line_id, "seller_order_id": part_id, "product_id": product[0], "product_name": product[1],
                "unit": product[2], "unit_price": product[3], "quantity": quantity, "weight_grams": product[4],
                "refunded_amount": refunded,
            })
            if status == "completed" and rng.random() < 0.3:
                rating, body = rng.choice(_BENCH_REVIEWS)
                rows["reviews"].append({
                    "id": _take(ids, "reviews"), "order_line_id": line_id, "product_id": product[0],
                    "buyer_id": None, "author_name": buyer, "rating": rating, "body": body,
                    "created_at": closed_at,
                })
        if fate == "refunded":
            refund += fee  # cancelling a paid part gives the delivery fee back too
        subtotal += goods
        shipping += fee
        # Events: the part's creation, then (unless it is still where it started) its last move.
        rows["events"].append({"id": _take(ids, "events"), "order_id": order_id, "seller_order_id": part_id,
                               "actor_id": None, "actor_role": "buyer", "from_status": "",
                               "to_status": first_status, "note": "", "created_at": at})
        if status != first_status:
            rows["events"].append({"id": _take(ids, "events"), "order_id": order_id, "seller_order_id": part_id,
                                   "actor_id": None if status in ("cancelled", "completed") else info["user_id"],
                                   "actor_role": "system" if status in ("cancelled", "completed") else "seller",
                                   "from_status": first_status if status != "refunded" else "cancelled",
                                   "to_status": status, "note": "", "created_at": closed_at})
        # Ledger, as services/ledger.py: a sale when card/transfer money is confirmed, a reversal per refund.
        if method != "cash" and confirmed is not None:
            bps = rates.get(seller_id, 0)
            commission = commission_on(goods, bps)
            rows["ledger"].append({
                "id": _take(ids, "ledger"), "seller_id": seller_id, "kind": "sale", "amount": goods + fee - commission,
                "gross": goods + fee, "commission": commission, "commission_bps": bps, "seller_order_id": part_id,
                "payout_id": None, "reason": "", "actor_id": None, "created_at": confirmed,
            })
            if refund:
                back = commission - commission_on(goods - (refund - (fee if fate == "refunded" else 0)), bps)
                rows["ledger"].append({
                    "id": _take(ids, "ledger"), "seller_id": seller_id, "kind": "reversal",
                    "amount": -refund + back, "gross": -refund, "commission": -back, "commission_bps": bps,
                    "seller_order_id": part_id, "payout_id": None, "reason": "", "actor_id": None,
                    "created_at": closed_at,
                })
        refunded_total += refund
        if confirmed is not None and status not in ("cancelled", "refunded"):
            for product, quantity in zip(products, quantities):
                sold[product[0]] = sold.get(product[0], 0) + quantity
    unique_code = rng.randint(1, 999) if method == "transfer" else 0
    total = subtotal + shipping + unique_code
    order_status = _bench_order_status(fate, method, part_statuses)
    rows["orders"].append({
        "id": order_id, "number": number, "buyer_id": None, "buyer_name": buyer,
        "buyer_email": email, "guest_buyer_id": guest_id, "buyer_phone": f"+62851{buyer_number:08d}",
        "language": "id", "access_token": f"{rng.getrandbits(192):048x}", "payment_method": method,
        "status": order_status, "recipient_name": buyer, "street": f"Jl. Raya No. {rng.randint(1, 200)}",
        "desa": "", "kecamatan": "", "regency_code": regency, "regency_name": regency_name,
        "province_code": regency[:2], "postal_code": "", "subtotal": subtotal, "shipping_total": shipping,
        "unique_code": unique_code, "total": total, "created_at": at,
        "expires_at": at + (timedelta(minutes=30) if method == "card" else timedelta(hours=24))
        if method != "cash" else None, "paid_at": paid_at,
    })
    if method != "cash":
        payment_status = {"awaiting": "pending", "expired": "cancelled", "cancelled": "pending"}.get(fate, "succeeded")
        if refunded_total:
            payment_status = "refunded" if refunded_total >= total else "partially_refunded"
        rows["payments"].append({
            "id": _take(ids, "payments"), "order_id": order_id, "method": method, "status": payment_status,
            "amount": total, "refunded_amount": refunded_total, "stripe_payment_intent_id": None,
            "stripe_fee": None, "receipt_image_id": None, "confirmed_by_id": None, "confirmed_at": paid_at,
            "created_at": at,
        })


def _bench_order_status(fate: str, method: str, part_statuses: list[str]) -> str:
    if fate == "expired":
        return "expired"
    if fate == "refunded":
        return "refunded"
    if all(s == "cancelled" for s in part_statuses):
        return "cancelled"
    if all(s == "completed" for s in part_statuses):
        return "completed"
    if method == "cash":
        return "placed"
    return "awaiting_payment" if fate == "awaiting" else "paid"


_BENCH_REVIEWS = ((5, "Bagus, sesuai foto."), (5, "Cepat sampai, terima kasih."), (4, "Lumayan, akan pesan lagi."),
                  (3, "Agak lama datangnya."), (5, ""))


# ---- offline sales ---------------------------------------------------------------------------------
#
# `seed-bench --orders N` also adds two years of exhibitions and offline sales, as officers and
# producers record them through services/offline_sales.py: sales inside their exhibition's dates,
# products of the selling producer, about 1% voided with a reason and half of those replaced by a
# corrected record pointing to them. The audit log entries the service also writes are left out:
# nothing that is measured reads them.

EXHIBITION_EVERY_DAYS = 15
EXHIBITION_SHARE = 50           # one producer in this many sells at each exhibition
STALL_SHARE = 20                # one producer in this many records weekly market-stall takings
_EXHIBITION_PLACES = ("Alun-alun Kota Blitar", "Pendopo Kabupaten Blitar", "Kantor Kecamatan Wlingi",
                      "Taman Kebonrojo", "Balai Desa Sumberdiren")
_EXHIBITION_NAMES = ("Pameran Produk UMKM", "Bazar Ramadan", "Gebyar Produk Lokal", "Pasar Tani Organik",
                     "Pekan Kerajinan Daur Ulang")
_VOID_REASONS = ("Salah ketik nilai", "Tercatat dua kali", "Salah pilih produk")


@dataclass
class BenchOfflineSummary:
    events: int = 0
    sales: int = 0
    voided: int = 0
    corrected: int = 0


def seed_bench_offline(session: Session, *, seed: int = DEFAULT_SEED,
                       now: datetime | None = None) -> BenchOfflineSummary:
    """Add exhibitions every EXHIBITION_EVERY_DAYS days over the last two years with their sales, and
    weekly market-stall takings of some producers; commit once. Nothing is added without approved
    producers with published products."""
    from marketplace.formatting import to_wib
    from marketplace.models import ExhibitionEvent, OfflineSale

    rng = random.Random(seed * 37 + 5)
    now = now or datetime.now(timezone.utc).replace(microsecond=0)
    today = to_wib(now).date()
    summary = BenchOfflineSummary()
    try:
        connection = session.connection()
        catalogue = _orderable(connection)
        if not catalogue:
            return summary
        sellers = sorted(catalogue)
        officer = connection.scalar(select(User.id).where(User.role == Role.OFFICER).order_by(User.id).limit(1))
        events_table, sales_table = ExhibitionEvent.__table__, OfflineSale.__table__
        ids = {"events": _next_id(connection, events_table), "sales": _next_id(connection, sales_table)}
        events, sales = [], []

        def add_sale(seller_id: int, day, event_id: int | None, recorder: int | None, with_product: bool) -> None:
            recorded_at = datetime.combine(day, datetime.min.time(), tzinfo=timezone.utc) + timedelta(
                hours=rng.uniform(3, 14))
            row = {"id": _take(ids, "sales"), "seller_id": seller_id, "event_id": event_id, "sale_date": day,
                   "product_id": None, "quantity": None, "note": "", "value": rng.randrange(20, 400) * 1_000,
                   "recorded_by_id": recorder, "recorded_at": min(recorded_at, now), "corrected_from_id": None,
                   "voided_at": None, "voided_by_id": None, "void_reason": ""}
            if with_product:
                product_id, _name, _unit, price, _weight = rng.choice(catalogue[seller_id]["products"])
                quantity = rng.choice((1, 1, 2, 3))
                row.update(product_id=product_id, quantity=quantity, value=price * quantity)
            else:
                row["note"] = "Jualan di pasar minggu"
            sales.append(row)
            if rng.random() < 0.01:
                row.update(voided_at=min(now, row["recorded_at"] + timedelta(hours=2)), voided_by_id=recorder,
                           void_reason=rng.choice(_VOID_REASONS))
                summary.voided += 1
                if rng.random() < 0.5:
                    sales.append({**row, "id": _take(ids, "sales"), "corrected_from_id": row["id"],
                                  "value": max(1_000, row["value"] - 5_000), "voided_at": None,
                                  "voided_by_id": None, "void_reason": "", "recorded_at": row["voided_at"]})
                    summary.corrected += 1

        first_day = today - timedelta(days=HISTORY_DAYS)
        day = first_day + timedelta(days=rng.randrange(EXHIBITION_EVERY_DAYS))
        while day <= today:
            length = rng.choice((1, 2, 3))
            end = min(day + timedelta(days=length - 1), today)
            event_id = _take(ids, "events")
            events.append({"id": event_id, "name": f"{rng.choice(_EXHIBITION_NAMES)} {day.year}",
                           "place": rng.choice(_EXHIBITION_PLACES), "start_date": day, "end_date": end,
                           "created_by_id": officer, "created_at": min(now, datetime.combine(
                               day - timedelta(days=7), datetime.min.time(), tzinfo=timezone.utc))})
            for seller_id in rng.sample(sellers, max(1, len(sellers) // EXHIBITION_SHARE)):
                for offset in range((end - day).days + 1):
                    for _ in range(rng.randint(1, 6)):
                        add_sale(seller_id, day + timedelta(days=offset), event_id, officer, True)
            day += timedelta(days=EXHIBITION_EVERY_DAYS)
        for seller_id in rng.sample(sellers, max(1, len(sellers) // STALL_SHARE)):
            day = first_day + timedelta(days=rng.randrange(7))
            while day <= today:
                add_sale(seller_id, day, None, catalogue[seller_id]["user_id"], rng.random() < 0.3)
                day += timedelta(days=7)
        _copy(connection, events_table, events)
        _copy(connection, sales_table, sales)
        _advance_sequences(connection, (events_table, sales_table))
        sales_summary.rebuild_months(connection)
        session.commit()
    except Exception:
        session.rollback()
        raise
    summary.events, summary.sales = len(events), len(sales)
    return summary
