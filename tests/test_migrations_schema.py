"""The migrations build the whole schema from an empty database, can be undone and redone,
and agree with the models (no change left for autogenerate to find)."""
import ast
import os
from datetime import datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, Table, inspect, text

from config import BASE_DIR
from marketplace import create_app
from marketplace.extensions import db
from marketplace.models import Base
from tests.databases import scratch_database


@pytest.fixture
def empty_database_url(tmp_path):
    """A brand-new empty database on the engine under test, removed afterwards."""
    with scratch_database(os.environ.get("TEST_DATABASE_URL"), tmp_path, "plb_migrations") as uri:
        yield uri


@pytest.fixture
def fresh_app(empty_database_url, tmp_path):
    """An app of its own on the empty database."""
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=empty_database_url, MEDIA_ROOT=str(tmp_path / "media"))
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def flask_db(app, *args: str) -> None:
    """Run `flask db ...` against `app` and fail with its output when it does not succeed."""
    # Inside the app's own context: the command would otherwise use the suite's app.
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["db", *args])
    assert result.exit_code == 0, result.output + repr(result.exception)


def table_names(app) -> set[str]:
    with app.app_context():
        return set(inspect(db.engine).get_table_names())


def env_include_object(env_file: Path = BASE_DIR / "migrations" / "env.py"):
    """The `include_object` filter of migrations/env.py, so this check skips exactly what
    autogenerate skips (objects a migration manages by hand, like full-text indexes)."""
    tree = ast.parse(env_file.read_text())
    functions = [node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name == "include_object"]
    if not functions:
        return None
    namespace: dict = {}
    exec(compile(ast.Module(body=functions, type_ignores=[]), str(env_file), "exec"), namespace)
    return namespace["include_object"]


def pending_schema_changes(app) -> list:
    opts = {"compare_type": True}
    include_object = env_include_object()
    if include_object is not None:
        opts["include_object"] = include_object
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts=opts)
        return compare_metadata(context, Base.metadata)


def test_upgrade_from_an_empty_database_creates_every_table(fresh_app):
    assert table_names(fresh_app) == set()

    flask_db(fresh_app, "upgrade")

    assert set(Base.metadata.tables) <= table_names(fresh_app)
    assert "alembic_version" in table_names(fresh_app)


def test_downgrade_to_base_and_upgrade_again(fresh_app):
    flask_db(fresh_app, "upgrade")

    flask_db(fresh_app, "downgrade", "base")
    assert table_names(fresh_app) - {"alembic_version"} == set()

    flask_db(fresh_app, "upgrade")
    assert set(Base.metadata.tables) <= table_names(fresh_app)


def test_models_and_migrations_agree(fresh_app):
    flask_db(fresh_app, "upgrade")

    assert pending_schema_changes(fresh_app) == []


def test_flask_db_check_finds_nothing_to_generate(fresh_app):
    flask_db(fresh_app, "upgrade")

    flask_db(fresh_app, "check")  # exits non-zero when autogenerate would write a migration


def test_there_is_a_single_head(fresh_app):
    with fresh_app.app_context():
        scripts = ScriptDirectory.from_config(fresh_app.extensions["migrate"].migrate.get_config())

    assert len(scripts.get_heads()) == 1, f"several heads: {scripts.get_heads()}; merge them"


def test_guest_buyers_are_filled_in_from_the_guest_orders_already_there(fresh_app):
    """0009 gives the guest orders of an existing database their guest buyers, one per address."""
    flask_db(fresh_app, "upgrade", "0008")
    with fresh_app.app_context(), db.engine.begin() as connection:
        orders = Table("orders", MetaData(), autoload_with=connection)
        users = Table("users", MetaData(), autoload_with=connection)
        account = connection.execute(users.insert().values(
            email="akun@example.id", name="Akun", password_hash="x", role="buyer", phone="",
            preferred_language="id", is_active=True, created_at=datetime(2026, 1, 1))).inserted_primary_key[0]
        common = dict(buyer_name="Pembeli", buyer_phone="+6281234567890", language="id", payment_method="cash",
                      status="placed", recipient_name="", street="", desa="", kecamatan="", regency_code="35.05",
                      regency_name="", province_code="35", postal_code="", subtotal=0, shipping_total=0,
                      unique_code=0, total=0, created_at=datetime(2026, 1, 1))
        for number, email, buyer_id in (("PLB-1", "Sri@Example.id ", None), ("PLB-2", "sri@example.id", None),
                                        ("PLB-3", "ani@example.id", None), ("PLB-4", "akun@example.id", account)):
            connection.execute(orders.insert().values(number=number, buyer_email=email, buyer_id=buyer_id,
                                                      access_token=number, **common))

    flask_db(fresh_app, "upgrade")

    with fresh_app.app_context(), db.engine.connect() as connection:
        guests = dict(connection.execute(text("SELECT email, id FROM guest_buyers")).all())
        by_order = dict(connection.execute(text("SELECT number, guest_buyer_id FROM orders")).all())
    assert set(guests) == {"sri@example.id", "ani@example.id"}
    assert by_order == {"PLB-1": guests["sri@example.id"], "PLB-2": guests["sri@example.id"],
                        "PLB-3": guests["ani@example.id"], "PLB-4": None}


SUMMARY_TABLES = ("monthly_seller_sales", "monthly_seller_category_sales", "paid_part_links")


def summary_contents(session) -> dict[str, list[tuple]]:
    return {name: sorted(tuple(row) for row in session.execute(text(f"SELECT * FROM {name}")))
            for name in SUMMARY_TABLES}


def test_the_sales_summaries_are_filled_in_from_the_sales_already_there(fresh_app):
    """0010 computes the monthly summaries and the paid parts' links of an existing database."""
    from marketplace.services import orders as order_service
    from marketplace.services.order_states import OFFICER
    from tests import factories

    flask_db(fresh_app, "upgrade")
    with fresh_app.app_context():
        seller = factories.make_seller(db.session)
        product = factories.make_product(db.session, seller=seller, price=12_000)
        for guest in ("sri@example.id", "ani@example.id", "sri@example.id"):
            order = factories.place_order(db.session, [(product, 2)], guest_email=guest)
            order_service.confirm_payment(db.session, order.id, actor_id=None, actor_role=OFFICER)
        kept = summary_contents(db.session)
        db.session.remove()
    assert [len(kept[name]) for name in SUMMARY_TABLES] == [1, 1, 3]    # one seller-month, three paid parts

    flask_db(fresh_app, "downgrade", "0009")
    flask_db(fresh_app, "upgrade")

    with fresh_app.app_context():
        assert summary_contents(db.session) == kept
