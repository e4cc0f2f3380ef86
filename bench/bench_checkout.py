"""50 buyers checking out at once on PostgreSQL, through the real checkout pages.

Prints throughput, p50/p95 latency of placing the order, and the oversell count (units
sold beyond the stock there was), which must be 0.
"""
from __future__ import annotations

import logging
import random
import tempfile
import threading
import time

from bench.common import bench_app, describe_ms, percentile, scratch_database

BUYERS = 50
PRODUCTS = 10
STOCK_EACH = 3


def _seed(app) -> tuple[int, list[int]]:
    from marketplace.extensions import db
    from marketplace.models import Product, ProductStatus, SellerProfile, SellerStatus, User, utcnow

    with app.app_context():
        user = User(email="bench-seller@example.id", name="Bench", password_hash="x")
        seller = SellerProfile(user=user, shop_name="Toko Bench", slug="toko-bench", kecamatan_code="35.05.10",
                               status=SellerStatus.APPROVED, approved_at=utcnow())
        products = [Product(seller=seller, name=f"Produk {i}", slug=f"produk-bench-{i}", price=10_000 + i,
                            stock=STOCK_EACH, status=ProductStatus.PUBLISHED, published_at=utcnow())
                    for i in range(PRODUCTS)]
        db.session.add_all(products)
        db.session.commit()
        return seller.id, [p.id for p in products]


def _buyer(app, seller_id, product_ids, barrier, latencies, outcomes, seed):
    rng = random.Random(seed)
    client = app.test_client()
    product_id = rng.choice(product_ids)
    client.post("/pesanan/keranjang/tambah", data={"product_id": product_id, "quantity": 1})
    client.post("/pesanan/checkout", data={"name": f"Pembeli {seed}", "email": f"b{seed}@example.id",
                                            "phone": "081234567890", "region": "35.05"})
    barrier.wait()
    started = time.perf_counter()
    response = client.post("/pesanan/checkout/pengiriman",
                           data={f"delivery-{seller_id}": "pickup", "payment_method": "cash",
                                 "action": "place"})
    latencies.append(time.perf_counter() - started)
    outcomes.append(response.status_code)


def run(engine_name: str) -> None:
    from sqlalchemy import func, select

    from marketplace.extensions import db
    from marketplace.models import OrderLine, Product

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    with scratch_database(engine_name) as uri, tempfile.TemporaryDirectory() as media:
        app = bench_app(uri, media)
        seller_id, product_ids = _seed(app)
        barrier = threading.Barrier(BUYERS)
        latencies: list[float] = []
        outcomes: list[int] = []
        threads = [threading.Thread(target=_buyer, args=(app, seller_id, product_ids, barrier, latencies, outcomes, n))
                   for n in range(BUYERS)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        with app.app_context():
            sold = dict(db.session.execute(
                select(OrderLine.product_id, func.sum(OrderLine.quantity)).group_by(OrderLine.product_id)).all())
            stock = dict(db.session.execute(select(Product.id, Product.stock)).all())
            db.engine.dispose()
        oversold = sum(max(0, sold.get(pid, 0) - STOCK_EACH) for pid in product_ids)
        negative = sum(1 for pid in product_ids if stock[pid] < 0)
        mismatched = sum(1 for pid in product_ids if stock[pid] != STOCK_EACH - sold.get(pid, 0))
        placed = outcomes.count(303)
        print(f"[{engine_name}] {BUYERS} concurrent checkouts for {PRODUCTS * STOCK_EACH} units: "
              f"{placed} orders placed, {outcomes.count(400)} refused (stok habis), "
              f"other statuses {sorted(set(outcomes) - {303, 400})}")
        print(f"[{engine_name}] placing the order: {describe_ms(latencies)}")
        print(f"[{engine_name}] throughput {BUYERS / elapsed:.1f} checkouts/s over {elapsed:.2f} s "
              f"(p95 {percentile(latencies, 95) * 1000:.0f} ms)")
        print(f"[{engine_name}] oversell count: {oversold} (negative stock rows: {negative}, "
              f"stock/sales mismatches: {mismatched}) -> {'OK' if oversold == negative == mismatched == 0 else 'FAIL'}")


def main(argv: list[str]) -> None:
    run("postgresql")
    if "--sqlite" in argv:
        run("sqlite")
