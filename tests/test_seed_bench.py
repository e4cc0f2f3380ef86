"""`flask seed-bench`: exactly the requested number of sellers and products, spread like the real market."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from marketplace.models import (
    Product, ProductImage, ProductStatus, SearchDocument, SellerProfile, SellerStatus, User, product_tags,
)
from marketplace.regions import KECAMATAN_BY_CODE
from marketplace.services import bench_data, demo_data
from marketplace.services.images import rendition_key
from marketplace.services.storage import get_storage
from tests import factories


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_seed_bench_creates_exactly_the_requested_sellers_and_products(app, session):
    result = app.test_cli_runner().invoke(args=["seed-bench", "--sellers", "7", "--products", "120"])

    assert result.exit_code == 0, result.output
    assert "Added 7 sellers and 120 products" in result.output
    assert re.search(r"in \d+\.\d s", result.output)
    assert count(session, SellerProfile) == 7
    assert count(session, User) == 7
    assert count(session, Product) == 120
    assert count(session, ProductImage) == 120
    assert count(session, product_tags) > 0


def test_seed_bench_indexes_for_search_only_when_asked(app, session):
    runner = app.test_cli_runner()

    plain = runner.invoke(args=["seed-bench", "--sellers", "4", "--products", "40"])
    assert "search-reindex" in plain.output
    assert count(session, SearchDocument) == 0
    earlier = session.scalar(select(func.max(Product.id)))

    indexed = runner.invoke(args=["seed-bench", "--sellers", "4", "--products", "40", "--search-index"])
    assert indexed.exit_code == 0, indexed.output
    public = session.scalar(select(func.count()).select_from(Product).join(Product.seller).where(
        Product.status == ProductStatus.PUBLISHED, SellerProfile.status == SellerStatus.APPROVED,
        Product.id > earlier))
    assert public > 0
    assert count(session, SearchDocument) == public


def test_bench_products_are_spread_over_categories_kecamatan_and_two_years(app, session):
    bench_data.seed_bench(session, get_storage(), sellers=40, products=600, hash_method="pbkdf2:sha256:1000")

    products = list(session.scalars(select(Product)))
    assert all(p.category_id is not None and p.price > 0 for p in products)
    assert len({p.category_id for p in products}) >= 10
    assert len({p.seller_id for p in products}) >= 20
    published = [p.published_at for p in products if p.published_at is not None]
    assert (max(published) - min(published)).days > 365
    sellers = list(session.scalars(select(SellerProfile)))
    assert all(s.kecamatan_code in KECAMATAN_BY_CODE for s in sellers)
    assert len({s.kecamatan_code for s in sellers}) >= 10
    storage = get_storage()
    for product in products[:20]:
        cover = product.cover
        assert all(storage.exists(rendition_key(cover.key, w)) for w in cover.widths)


def test_seed_bench_adds_to_existing_data_and_later_inserts_still_work(app, session):
    demo_data.seed_demo(session, get_storage(), hash_method="pbkdf2:sha256:1000", products=3, orders=0)
    runner = app.test_cli_runner()

    assert runner.invoke(args=["seed-bench", "--sellers", "3", "--products", "10"]).exit_code == 0
    assert runner.invoke(args=["seed-bench", "--sellers", "2", "--products", "5"]).exit_code == 0

    assert count(session, SellerProfile) == 30 + 3 + 2
    assert count(session, Product) == 3 + 10 + 5
    # The id sequences moved past the bulk-inserted ids (matters on PostgreSQL).
    product = factories.make_product(session, name="Produk Baru Setelah Bench")
    assert product.id > max(session.scalars(select(Product.id).where(Product.id != product.id)))


def test_bench_sellers_can_log_in_with_the_producer_password(app, session):
    bench_data.seed_bench(session, get_storage(), sellers=1, products=1, hash_method="pbkdf2:sha256:1000")
    email = session.scalar(select(User.email))

    response = app.test_client().post("/akun/masuk", data={"email": email, "password": demo_data.PRODUCER_PASSWORD})

    assert response.status_code in (302, 303)
    assert "/akun/masuk" not in response.headers["Location"]


def test_seed_bench_needs_at_least_one_seller(app, session):
    result = app.test_cli_runner().invoke(args=["seed-bench", "--sellers", "0", "--products", "10"])

    assert result.exit_code == 2
    assert count(session, Product) == 0


def test_bench_harness_runs_seed_bench_on_a_fresh_database_and_prints_seconds(capsys, monkeypatch):
    from bench import bench_seed

    monkeypatch.setenv("BENCH_ENGINES", "sqlite")
    bench_seed.main(["--products=30", "--sellers=3", "--orders=40"])

    printed = capsys.readouterr().out
    assert re.search(r"Added 40 orders \(.*\) in \d+\.\d s", printed)
    assert re.search(r"seed-bench sqlite: 30 products, 3 sellers, 40 orders in \d+\.\d s", printed)
