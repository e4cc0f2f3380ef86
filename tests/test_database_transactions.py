"""What a transaction wrote, told after its commit; requests that only read end with COMMIT."""
from __future__ import annotations

import pytest
from sqlalchemy import event, select, text, update

from marketplace.database import note_written, on_commit, tables_written
from marketplace.extensions import db
from marketplace.models import AuditLog, Category, Product
from tests import factories


@pytest.fixture
def commits():
    """(engine, tables) of every commit that wrote, while the test runs."""
    seen: list[tuple[object, set[str]]] = []

    def callback(engine, tables):
        seen.append((engine, set(tables)))

    stop = on_commit(callback)
    yield seen
    stop()


@pytest.fixture
def transaction_ends(app):
    """"commit" / "rollback" for each transaction the app's engine ends while the test runs."""
    ends: list[str] = []

    def committed(conn):
        ends.append("commit")

    def rolled_back(conn):
        ends.append("rollback")

    event.listen(db.engine, "commit", committed)
    event.listen(db.engine, "rollback", rolled_back)
    yield ends
    event.remove(db.engine, "commit", committed)
    event.remove(db.engine, "rollback", rolled_back)


def test_reads_write_nothing(session):
    session.execute(select(Product.id)).all()
    session.execute(text("SELECT 1")).all()

    assert tables_written(session) == set()


def test_flushes_bulk_updates_and_other_statements_are_told_apart(session, commits):
    product = factories.make_product(session)
    commits.clear()

    session.add(AuditLog(action="test.write", subject_type="product", subject_id=product.id))
    session.flush()
    session.execute(update(Product).where(Product.id == product.id).values(stock=Product.stock - 1))
    session.execute(text("CREATE TEMPORARY TABLE IF NOT EXISTS scratch_marks (id INTEGER)"))
    assert tables_written(session) == {"audit_log", "products", "*"}
    session.commit()

    assert commits == [(db.engine, {"audit_log", "products", "*"})]
    assert tables_written(session) == set()


def test_writes_before_and_inside_a_savepoint_are_all_told(session, commits):
    product = factories.make_product(session)
    commits.clear()

    session.execute(update(Product).where(Product.id == product.id).values(price=1))
    with session.begin_nested():
        session.add(AuditLog(action="test.write", subject_type="product", subject_id=product.id))
    session.commit()

    assert commits == [(db.engine, {"products", "audit_log"})]


def test_a_statement_can_name_what_it_writes_more_narrowly_than_its_table(session, commits):
    product = factories.make_product(session)
    commits.clear()

    session.execute(update(Product).where(Product.id == product.id).values(stock=Product.stock - 1)
                    .execution_options(written_as="products.stock"))
    assert tables_written(session) == {"products.stock"}
    note_written(session, "products")
    session.commit()

    assert commits == [(db.engine, {"products.stock", "products"})]


def test_a_rolled_back_transaction_is_not_told(session, commits):
    session.add(Category(slug="sementara", name_id="Sementara", name_en="Temporary"))
    session.flush()
    session.rollback()
    session.execute(select(Category.id)).all()
    session.commit()

    assert commits == []
    assert tables_written(session) == set()


def test_a_request_that_only_read_ends_with_a_commit(session, client, transaction_ends):
    factories.make_product(session, name="Tas Baca")
    transaction_ends.clear()

    assert client.get("/produk").status_code == 200

    assert transaction_ends == ["commit"]


def test_a_request_that_wrote_without_committing_is_rolled_back(app, session, transaction_ends):
    with app.app_context():          # what each request runs in
        db.session.add(Category(slug="setengah", name_id="Setengah", name_en="Half"))
        db.session.flush()

    assert transaction_ends == ["rollback"]
    assert session.scalar(select(Category).where(Category.slug == "setengah")) is None


def test_a_request_that_failed_is_rolled_back_even_if_it_only_read(app, transaction_ends):
    with pytest.raises(RuntimeError), app.app_context():
        db.session.execute(select(Product.id)).all()
        raise RuntimeError("the view failed")

    assert transaction_ends == ["rollback"]


def test_each_connection_is_set_up_for_its_engine(app, session):
    """SQLite enforces foreign keys; PostgreSQL does not JIT-compile (it cost the reports seconds)."""
    if db.engine.dialect.name == "postgresql":
        assert session.execute(text("SHOW jit")).scalar_one() == "off"
        session.rollback()          # a rolled-back transaction keeps the connection's setting
        assert session.execute(text("SHOW jit")).scalar_one() == "off"
    else:
        assert session.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
