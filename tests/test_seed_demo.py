"""`flask seed-demo` and `flask demo-logins`: a believable market in an empty database, never in a used one."""
from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import func, select

from marketplace.models import (
    Category, Cohort, DeliverySettings, Image, Product, ProductStatus, Role, SearchDocument, SellerCohort,
    SellerProfile, SellerStatus, Tag, TrainingType, User,
)
from marketplace.regions import KECAMATAN_BY_CODE
from marketplace.services import demo_data
from marketplace.services.images import rendition_key
from marketplace.services.storage import get_storage
from tests import factories
from tests.conftest import _empty_all_tables

README = Path(__file__).resolve().parent.parent / "README.md"


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def seed(app, *args: str):
    return app.test_cli_runner().invoke(args=["seed-demo", *args])


@pytest.fixture
def seeded(app, session, monkeypatch):
    """The demo market with a few products (the real one has 200), loaded through the command.

    Pictures get one small rendition each to keep the tests quick; the pictures test uses them all.
    """
    monkeypatch.setitem(app.config, "IMAGE_WIDTHS", (320,))
    result = seed(app, "--products", "15", "--orders", "0")
    assert result.exit_code == 0, result.output
    return result


def test_seed_demo_fills_an_empty_database_with_producers_staff_and_reference_data(seeded, session):
    assert "30 producers, 15 products" in seeded.output
    assert "0 orders" in seeded.output
    assert count(session, SellerProfile) == len(demo_data.PRODUCERS) == 30
    assert count(session, User) == 30 + 3
    assert count(session, Product) == 15
    roles = dict(session.execute(select(User.role, func.count()).group_by(User.role)).all())
    assert roles == {Role.BUYER: 31, Role.OFFICER: 1, Role.ADMIN: 1}
    assert {t.slug for t in session.scalars(select(TrainingType))} == {
        "menjahit", "kerajinan-daur-ulang", "pertanian-organik", "olahan-pangan", "lainnya"}
    assert all(len(t.cohorts) >= 2 for t in session.scalars(select(TrainingType)))
    assert {t.slug for t in session.scalars(select(Tag))} == {"organik", "daur-ulang", "buatan-tangan"}
    categories = list(session.scalars(select(Category)))
    assert {"Kerajinan", "Pakaian & Batik", "Sayur & Buah Organik", "Beras & Biji-bijian", "Makanan Olahan",
            "Minuman"} <= {c.name_id for c in categories if c.parent_id is None}
    assert any(c.parent_id is not None for c in categories)
    assert all(c.name_en and c.name_en != c.name_id for c in categories)


def test_seed_demo_mixes_approved_pending_rejected_and_suspended_producers(seeded, session):
    statuses = dict(session.execute(
        select(SellerProfile.status, func.count()).group_by(SellerProfile.status)).all())
    assert statuses == {SellerStatus.APPROVED: 25, SellerStatus.PENDING: 3, SellerStatus.REJECTED: 1,
                        SellerStatus.SUSPENDED: 1}
    for profile in session.scalars(select(SellerProfile)):
        assert profile.kecamatan_code in KECAMATAN_BY_CODE
        assert re.fullmatch(r"\+62812\d{8}", profile.whatsapp)
        assert profile.photo is not None and profile.story and profile.desa and profile.address
        assert profile.cohorts, f"{profile.shop_name} completed no cohort"
        if profile.status == SellerStatus.APPROVED:
            assert profile.approved_at is not None and profile.approved_by.role == Role.OFFICER
        if profile.status in (SellerStatus.REJECTED, SellerStatus.SUSPENDED):
            assert profile.status_reason
    assert len({p.kecamatan_code for p in session.scalars(select(SellerProfile))}) >= 20
    assert session.scalar(select(func.count()).where(SellerProfile.halal.is_not(None))) >= 3
    assert count(session, DeliverySettings) == 26  # approved and suspended producers
    assert count(session, SellerCohort) > 30  # some completed two cohorts


def test_every_demo_product_has_a_category_and_pictures_stored_as_renditions(app, session):
    assert seed(app, "--products", "8", "--orders", "0").exit_code == 0
    storage = get_storage()
    products = list(session.scalars(select(Product)))
    assert products
    for product in products:
        assert product.category is not None
        assert product.images, f"{product.name} has no picture"
        assert [link.position for link in product.images] == list(range(len(product.images)))  # cover first
        assert product.price > 0 and product.unit in ("pcs", "kg", "ikat", "pack", "set", "lembar", "botol")
        for link in product.images:
            assert link.image.widths == [320, 800]  # the generated pictures are 800 px wide
            for width in link.image.widths:
                assert storage.exists(rendition_key(link.image.key, width))
    assert count(session, Image) == sum(len(p.images) for p in products) + 30  # plus one photo per producer


def test_demo_products_are_mostly_published_and_only_approved_shops_publish(app, session):
    demo_data.seed_demo(session, get_storage(), hash_method="pbkdf2:sha256:1000", products=60, orders=0)
    products = list(session.scalars(select(Product)))
    published = [p for p in products if p.status == ProductStatus.PUBLISHED]
    assert len(published) > len(products) * 0.6
    assert all(p.seller.status in (SellerStatus.APPROVED, SellerStatus.SUSPENDED) for p in published)
    assert all(p.published_at is not None for p in published)
    assert any(p.tags for p in products)


def test_public_demo_products_are_in_the_search_index(seeded, session):
    public = session.scalar(select(func.count()).select_from(Product).join(Product.seller).where(
        Product.status == ProductStatus.PUBLISHED, SellerProfile.status == SellerStatus.APPROVED))

    assert public > 0
    assert count(session, SearchDocument) == public


def test_demo_market_shows_on_the_home_page(seeded, client, session):
    public = session.scalars(select(Product).join(Product.seller).where(
        Product.status == ProductStatus.PUBLISHED, SellerProfile.status == SellerStatus.APPROVED)).all()

    response = client.get("/")

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert any(product.name in page for product in public)


def test_seed_demo_refuses_a_database_that_already_has_users(app, session):
    factories.make_user(session, email="someone@example.id")

    result = seed(app, "--products", "3")

    assert result.exit_code != 0
    assert "already has users" in result.output
    assert count(session, User) == 1
    assert count(session, Product) == 0


def test_seed_demo_if_empty_does_nothing_quietly_when_data_exists(app, session):
    factories.make_user(session, email="someone@example.id")

    result = seed(app, "--if-empty", "--products", "3")

    assert result.exit_code == 0
    assert result.output == ""
    assert count(session, User) == 1
    assert count(session, SellerProfile) == 0


def test_seed_demo_if_empty_loads_an_empty_database(app, session):
    result = seed(app, "--if-empty", "--products", "2", "--orders", "0")

    assert result.exit_code == 0, result.output
    assert count(session, Product) == 2


def test_seed_demo_is_deterministic_for_a_seed(app, session):
    now = datetime(2026, 11, 1, 3, tzinfo=timezone.utc)

    def snapshot():
        demo_data.seed_demo(session, get_storage(), hash_method="pbkdf2:sha256:1000", products=10, orders=0, now=now,
                               seed=5)
        rows = session.execute(select(Product.name, Product.price, Product.stock, SellerProfile.whatsapp)
                               .join(Product.seller).order_by(Product.slug)).all()
        keys = sorted(session.scalars(select(Image.key)))
        _empty_all_tables()
        return rows, keys

    assert snapshot() == snapshot()


def test_demo_logins_prints_every_role_with_its_password(app):
    result = app.test_cli_runner().invoke(args=["demo-logins"])

    assert result.exit_code == 0
    for login in demo_data.DEMO_LOGINS:
        assert f"| {login.email} | {login.password} |" in result.output


def test_readme_shows_the_same_demo_logins_as_the_command(app):
    printed = app.test_cli_runner().invoke(args=["demo-logins"]).output
    table = [line for line in printed.splitlines() if line.startswith("|")]

    assert table
    readme = README.read_text(encoding="utf-8")
    for line in table:
        assert line in readme


def test_demo_users_log_in_with_the_printed_passwords(seeded, app, session):
    printed = app.test_cli_runner().invoke(args=["demo-logins"]).output
    logins = re.findall(r"^\| [^|]+ \| (\S+@\S+) \| (\S+) \|", printed, flags=re.MULTILINE)
    assert len(logins) == 4

    for email, password in logins:
        client = app.test_client()
        response = client.post("/akun/masuk", data={"email": email, "password": password})
        assert response.status_code in (302, 303), email
        assert client.get("/akun/").status_code == 200

    stranger = app.test_client()
    wrong = stranger.post("/akun/masuk", data={"email": logins[0][0], "password": "salah-sandi"})
    assert 400 <= wrong.status_code < 500
    assert stranger.get("/akun/").status_code in (302, 303)  # still logged out


def test_the_demo_producer_login_has_an_approved_shop(seeded, session):
    user = session.scalar(select(User).where(User.email == "penjual@pasarlokalblitar.id"))

    assert user.seller_profile is not None
    assert user.seller_profile.status == SellerStatus.APPROVED
    assert session.scalar(select(func.count()).select_from(Cohort)) == len(demo_data.COHORTS)
