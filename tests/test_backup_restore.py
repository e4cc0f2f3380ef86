"""`flask backup` and `flask restore`: a market made through the real services goes into an
archive and comes back into a fresh database and media folder row for row and byte for byte,
on the test engine and (with TEST_DATABASE_URL on PostgreSQL) across engines; damaged,
foreign or mismatched archives and occupied databases are refused without changing anything."""
from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import (
    JSON, BigInteger, Boolean, Column, Date, DateTime, Interval, LargeBinary, Numeric, Text, Time, func, select,
)

from config import BASE_DIR
from marketplace import create_app
from marketplace.extensions import db
from marketplace.health import expected_heads
from marketplace.models import (
    Base, Order, OrderLine, PartStatus, Product, Role, User, UTCDateTime,
)
from marketplace.models.base import string_enum
from marketplace.services import backup, catalog, offline_sales, orders, payments, payouts, reviews, statements
from marketplace.services.order_states import BUYER, OFFICER, SELLER
from marketplace.services.storage import get_storage, init_storage
from tests import factories
from tests.databases import scratch_database

SERVER = os.environ.get("TEST_DATABASE_URL")
ON_POSTGRES = bool(SERVER and SERVER.startswith("postgres"))
HEAD = ",".join(sorted(expected_heads()))


# ---- apps on databases of their own ----------------------------------------------------------

def _make_app(uri: str, media: Path, instance: Path):
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=uri, MEDIA_ROOT=str(media),
                     MAIL_OUTBOX_DIR=str(instance / "outbox"), WTF_CSRF_ENABLED=False)
    app.instance_path = str(instance)
    with app.app_context():
        upgrade()
    return app


@contextmanager
def _app_on(server: str | None, tmp_path_factory, prefix: str):
    folder = tmp_path_factory.mktemp(prefix)
    with scratch_database(server, folder, prefix=f"plb_{prefix}") as uri:
        app = _make_app(uri, folder / "media", folder / "instance")
        try:
            yield app
        finally:
            with app.app_context():
                db.engine.dispose()


def _empty(app) -> None:
    with app.app_context():
        db.session.rollback()
        for table in reversed(Base.metadata.sorted_tables):
            db.session.execute(table.delete())
        db.session.commit()


@pytest.fixture(scope="module")
def target_app(tmp_path_factory):
    """An app on a second database of the test engine, restored into by the tests."""
    with _app_on(SERVER, tmp_path_factory, "restore") as app:
        yield app


@pytest.fixture
def target(target_app, tmp_path):
    """The target app with empty tables and a new, empty media folder for this test."""
    target_app.config["MEDIA_ROOT"] = str(tmp_path / "restored-media")
    init_storage(target_app)
    yield target_app
    _empty(target_app)


# ---- a small but complete market --------------------------------------------------------------

def build_market(session) -> dict:
    """Every kind of record, made through the factories and services (commits as it goes)."""
    admin = factories.make_user(session, role=factories.Role.ADMIN, name="Admin Dinas")
    officer = factories.make_user(session, role=factories.Role.OFFICER, name="Petugas \"Dinas\"\nKoperasi")
    buyer = factories.make_user(session, name="Sri Pembeli ✿", email="sri@example.id")
    payouts.save_settings(session, commission_bps=250, hold_until_delivered=False, payout_minimum=0,
                          actor_id=admin.id)
    seller = factories.make_seller(session, shop_name="Anyaman Bu Sri", bank_name="Bank Jatim",
                                   bank_account_number="0012345678", bank_account_holder="Sri Wahyuni")
    factories.set_delivery(session, seller, pickup=True, local_fee=5_000, courier=(9_000, 12_000, 20_000))
    cohort = factories.make_training(session)
    factories.enrol(session, seller, cohort)
    # A child category made before its parent: its parent_id points at a later row.
    child = factories.make_category(session, name_id="Tas anyaman", name_en="Woven bags")
    parent = factories.make_category(session, name_id="Kerajinan", name_en="Crafts")
    child.parent = parent
    session.commit()
    tag = factories.make_tag(session, slug="daur-ulang", name_id="Daur ulang", name_en="Recycled")
    product = factories.make_product(session, seller=seller, category=child, name="Tas Anyaman Pandan",
                                     price=85_000, stock=20, tags=[tag])
    product.description = "Tas anyaman pandan — kuat & ringan 👜\n\"asli\" Blitar"
    session.commit()
    factories.add_product_image(session, product, color=(30, 140, 90))
    factories.add_product_image(session, product, width=500, height=700, color=(200, 40, 60))

    order = factories.place_order(session, [(product, 2)], payment="transfer", buyer_user=buyer)
    payments.confirm_transfer(session, order, actor_id=officer.id, actor_role=OFFICER)
    part_id = order.parts[0].id
    for status in (PartStatus.PACKING, PartStatus.READY_FOR_PICKUP):
        orders.advance_part(session, part_id, status, actor_role=SELLER, actor_id=seller.user_id)
    orders.advance_part(session, part_id, PartStatus.COMPLETED, actor_role=BUYER, actor_id=buyer.id)
    line = session.scalars(select(OrderLine).where(OrderLine.product_id == product.id)).one()
    reviews.add_review(session, line, rating=5, body="Rapi sekali, terima kasih!", author_name=buyer.name,
                       buyer_id=buyer.id)
    payouts.create_batch(session, actor_id=officer.id, seller_ids=[seller.id])
    factories.place_order(session, [(product, 1)], payment="cash")  # still open

    sale = offline_sales.record_sale(
        session, actor_id=officer.id, seller=seller, today=date(2026, 3, 1),
        data=offline_sales.SaleInput(sale_date=date(2026, 2, 3), value=30_000, product_id=product.id, quantity=2))
    offline_sales.correct_sale(
        session, actor_id=officer.id, sale=sale, reason="Salah ketik", today=date(2026, 3, 1),
        data=offline_sales.SaleInput(sale_date=date(2026, 2, 3), value=45_000, product_id=product.id, quantity=3))
    statements.issue_statement(session, seller, statements.month_range("2026-01", "2026-02"),
                               issued_by_id=officer.id, render=lambda issue, data: b"")
    return {"product_id": product.id, "buyer_id": buyer.id}


def table_rows(session) -> dict[str, list[tuple]]:
    """Every row of every table (search documents too), in primary-key order."""
    rows = {}
    for table in Base.metadata.sorted_tables:
        order = list(table.primary_key.columns) or list(table.columns)
        rows[table.name] = [tuple(row) for row in session.execute(select(table).order_by(*order))]
    return rows


def media_files(storage) -> dict[str, bytes]:
    return {key: storage.read(key) for key in storage.keys()}


def run(app, *args):
    """Run a flask command in `app`'s own context."""
    with app.app_context():
        return app.test_cli_runner().invoke(args=list(args))


def _state(app) -> tuple[dict, dict]:
    with app.app_context():
        return table_rows(db.session), media_files(get_storage())


@pytest.fixture
def market(session):
    return build_market(session)


@pytest.fixture
def archive(app, market, tmp_path) -> Path:
    path = tmp_path / "market.tar.gz"
    result = run(app, "backup", "--output", str(path))
    assert result.exit_code == 0, result.output
    return path


# ---- the round trip -----------------------------------------------------------------------------

def _assert_restored_app_works(app, market) -> None:
    with app.app_context():
        session = db.session
        page = catalog.list_products(session, catalog.ListingFilters(q="anyaman pandan", sort="relevance"))
        assert [p.id for p in page.items] == [market["product_id"]]
        # New rows get fresh ids: the sequences were moved past the restored ones.
        highest_user = session.scalar(select(func.max(User.id)))
        highest_order = session.scalar(select(func.max(Order.id)))
        user = factories.make_user(session, name="Pembeli Baru")
        product = session.get(Product, market["product_id"])
        order = factories.place_order(session, [(product, 1)], payment="transfer", buyer_user=user)
        assert user.id > highest_user and order.id > highest_order
        assert session.get(Order, order.id).parts[0].lines[0].product_id == product.id


def test_a_backup_restores_into_a_fresh_database_row_for_row_and_byte_for_byte(app, session, market, target,
                                                                                tmp_path):
    path = tmp_path / "market.tar.gz"
    backed = run(app, "backup", "--output", str(path))
    assert backed.exit_code == 0, backed.output
    source_rows, source_media = _state(app)
    assert len(source_media) >= 4  # two pictures, in two widths each
    assert "Backed up" in backed.output and f"{len(source_media)} media files" in backed.output
    assert f"  users: {len(source_rows['users'])} rows" in backed.output
    assert oct(path.stat().st_mode & 0o777) == oct(0o600)

    restored = run(target, "restore", str(path))

    assert restored.exit_code == 0, restored.output
    assert f"{len(source_media)} media files ({len(source_media)} written, 0 already there)" in restored.output
    assert "Search index rebuilt: 1 products" in restored.output
    target_rows, target_media = _state(target)
    for name in ("users", "orders", "order_lines", "payments", "ledger_entries", "reviews", "audit_log",
                 "offline_sales", "statement_issues", "payouts", "images", "product_images", "categories"):
        assert source_rows[name], f"the market has no {name}"
    assert target_rows == source_rows
    assert target_media.keys() == source_media.keys()
    assert target_media == source_media
    _assert_restored_app_works(target, market)


def test_the_archive_holds_a_manifest_with_checksums_and_no_derived_tables(app, archive):
    with tarfile.open(archive, "r:gz") as tar:
        names = tar.getnames()
        manifest = json.load(tar.extractfile("manifest.json"))
        users_member = next(t["member"] for t in manifest["tables"] if t["name"] == "users")
        first_user = json.loads(tar.extractfile(users_member).readline())
    assert names[-1] == "manifest.json"
    assert manifest["format_version"] == backup.FORMAT_VERSION
    assert manifest["alembic_revision"] == HEAD
    assert manifest["dialect"] == db.engine.dialect.name
    assert set(manifest["members"]) == set(names) - {"manifest.json"}
    assert [t["name"] for t in manifest["tables"]] == [t.name for t in backup.data_tables()]
    assert "search_documents" not in {t["name"] for t in manifest["tables"]}
    assert not any("search_fts" in name or "alembic" in name for name in names)
    assert manifest["media"]["count"] == sum(1 for n in names if n.startswith("media/"))
    assert first_user["created_at"].endswith("+00:00") and first_user["role"] == "admin"


def test_a_forced_restore_replaces_the_data_and_media_that_differ(app, session, archive, target):
    source_rows, source_media = _state(app)
    with target.app_context():
        factories.make_user(db.session, name="Sudah Ada")
        existing, damaged = list(source_media)[:2]
        get_storage().save(existing, source_media[existing], "image/webp")
        get_storage().save(damaged, b"not the picture", "image/webp")
    before = _state(target)

    refused = run(target, "restore", str(archive))

    assert refused.exit_code != 0
    assert "already holds data (in users)" in refused.output and "--force" in refused.output
    assert _state(target) == before

    forced = run(target, "restore", str(archive), "--force")

    assert forced.exit_code == 0, forced.output
    assert "Deleted the data that was in the database" in forced.output
    assert f"{len(source_media) - 1} written, 1 already there" in forced.output
    assert _state(target) == (source_rows, source_media)


@pytest.mark.parametrize("column_type, value", [
    (UTCDateTime(), datetime(2026, 2, 3, 4, 5, 6, 789, tzinfo=timezone.utc)),
    (DateTime(), datetime(2026, 2, 3, 4, 5, 6)),
    (Date(), date(2026, 2, 28)),
    (Time(), time(23, 59, 58, 5)),
    (Interval(), timedelta(days=2, seconds=3, microseconds=4)),
    (Numeric(12, 2), Decimal("12345.67")),
    (LargeBinary(), bytes(range(256))),
    (JSON(), {"a": [1, "dua", None, True]}),
    (Boolean(), False),
    (BigInteger(), 2**53 + 1),
    (Text(), "Ñ \"kutip\"\nbaris ✿ \u2028"),
    (string_enum(Role, "role"), Role.OFFICER),
])
def test_every_kind_of_value_comes_back_the_same(column_type, value):
    column = Column("c", column_type)
    encode = backup._ENCODERS.get(backup._kind(column_type), lambda v: v)
    decode = backup._decoder(column) or (lambda v: v)
    line = json.dumps({"c": encode(value)}, ensure_ascii=False)
    assert "\n" not in line
    assert decode(json.loads(line)["c"]) == value


# ---- refusals that change nothing -------------------------------------------------------------

def _rewrite(archive: Path, out: Path, change) -> Path:
    """Copy the archive member by member, passing each (name, bytes) through `change`, which
    returns the new bytes, (new name, new bytes), or None to leave the member out."""
    with tarfile.open(archive, "r:gz") as source, tarfile.open(out, "w:gz") as copy:
        for info in source.getmembers():
            data = change(info.name, source.extractfile(info).read())
            if data is None:
                continue
            if isinstance(data, tuple):
                info.name, data = data
            info.size = len(data)
            copy.addfile(info, io.BytesIO(data))
    return out


def _flip_a_row(name, data):
    return data.replace(b"Anyaman Bu Sri", b"Anyaman Bu Sr1") if "seller_profiles" in name else data


def _drop_media(name, data):
    return None if name.startswith("media/") and name.endswith("-320.webp") else data


def _other_columns(name, data):
    if name != "manifest.json":
        return data
    manifest = json.loads(data)
    manifest["tables"][0]["columns"].append({"name": "colour", "kind": "plain"})
    return json.dumps(manifest).encode()


def _future_format(name, data):
    return json.dumps({**json.loads(data), "format_version": 99}).encode() if name == "manifest.json" else data


def _shapeless_manifest(name, data):
    return json.dumps({**json.loads(data), "tables": "all of them"}).encode() if name == "manifest.json" else data


def _escaping_media(name, data):
    return (name.replace("media/", "media/../../", 1), data) if name.startswith("media/") else data


@pytest.mark.parametrize("damage, message", [
    ("row", "has damaged files: tables/"),
    ("missing media", "is missing: media/"),
    ("format", "backup format version 99"),
    ("shapeless", "its manifest is not in the expected form"),
    ("escaping", "is not a backup of this app: it holds 'media/../../"),
    ("columns", "does not match this version of the app (the columns of categories differ)"),
    ("truncated", "incomplete"),
    ("not gzip", "is damaged, incomplete or not a .tar.gz backup"),
    ("foreign", "is incomplete or not a backup of this app: it has no manifest.json"),
])
def test_a_damaged_or_foreign_archive_is_refused_and_changes_nothing(app, archive, target, tmp_path, damage,
                                                                     message):
    with target.app_context():
        factories.make_user(db.session, name="Tetap Di Sini")
        get_storage().save("aa/keep.webp", b"RIFF-keep", "image/webp")
    before = _state(target)
    bad = tmp_path / "bad.tar.gz"
    if damage == "row":
        _rewrite(archive, bad, _flip_a_row)
    elif damage == "missing media":
        _rewrite(archive, bad, _drop_media)
    elif damage == "format":
        _rewrite(archive, bad, _future_format)
    elif damage == "columns":
        _rewrite(archive, bad, _other_columns)
    elif damage == "shapeless":
        _rewrite(archive, bad, _shapeless_manifest)
    elif damage == "escaping":
        _reseal(_rewrite(archive, tmp_path / "escaping.tar.gz", _escaping_media), bad)
    elif damage == "truncated":
        bad.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    elif damage == "not gzip":
        bad.write_bytes(b"PK\x03\x04 this is a zip file, not ours")
    else:
        with tarfile.open(bad, "w:gz") as tar:
            info = tarfile.TarInfo("notes.txt")
            info.size = 5
            tar.addfile(info, io.BytesIO(b"hello"))

    result = run(target, "restore", str(bad), "--force")

    assert result.exit_code != 0
    assert message in result.output
    assert _state(target) == before


def test_a_database_at_another_revision_is_refused(archive, target):
    previous = ScriptDirectory(str(BASE_DIR / "migrations")).get_revision(HEAD).down_revision
    with target.app_context():
        downgrade(revision=previous)
    try:
        result = run(target, "restore", str(archive))
        assert result.exit_code != 0
        assert f"made at database revision {HEAD}, but this database is at revision {previous}" in result.output
        assert f"flask db upgrade {HEAD}" in result.output
        with target.app_context():
            assert db.session.scalar(select(func.count(User.id))) == 0
    finally:
        with target.app_context():
            upgrade()


def _reseal(archive: Path, out: Path) -> Path:
    """Copy the archive with its manifest's sizes and checksums made to fit its members again."""
    with tarfile.open(archive, "r:gz") as tar:
        sums = {info.name: {"size": info.size, "sha256": hashlib.sha256(tar.extractfile(info).read()).hexdigest()}
                for info in tar.getmembers() if info.name != "manifest.json"}

    def reseal(name, data):
        return json.dumps({**json.loads(data), "members": sums}).encode() if name == "manifest.json" else data

    return _rewrite(archive, out, reseal)


def test_a_row_that_cannot_be_loaded_rolls_the_whole_restore_back(archive, target, tmp_path):
    """Checksums that match but a review pointing at an order line that is not there: nothing is
    loaded, and the data a forced restore was to replace is still there."""
    def orphan_review(name, data):
        if not name.endswith("-reviews.jsonl"):
            return data
        return (json.dumps({**json.loads(data), "order_line_id": 999_999}) + "\n").encode()

    bad = _reseal(_rewrite(archive, tmp_path / "orphan.tar.gz", orphan_review), tmp_path / "sealed.tar.gz")
    with target.app_context():
        factories.make_product(db.session, name="Keripik Tempe")  # searchable, so the index must survive too
    before = _state(target)

    result = run(target, "restore", str(bad), "--force")

    assert result.exit_code != 0
    assert "failed, so nothing was restored in the database" in result.output
    assert "FOREIGN KEY" in result.output.upper() and "INSERT INTO" not in result.output
    assert _state(target)[0] == before[0]
    with target.app_context():
        page = catalog.list_products(db.session, catalog.ListingFilters(q="keripik", sort="relevance"))
        assert [p.name for p in page.items] == ["Keripik Tempe"]


def test_an_archive_changed_after_its_check_is_caught_while_loading(archive, target, tmp_path, monkeypatch):
    """The rows are hashed again as they are loaded: an archive swapped between the check and
    the load (same manifest, one row changed) fails the restore and loads nothing."""
    swapped = _rewrite(archive, tmp_path / "swapped.tar.gz", _flip_a_row)
    checked = backup.verify_archive

    def check_then_swap(path):
        manifest = checked(path)
        Path(path).write_bytes(swapped.read_bytes())
        return manifest

    monkeypatch.setattr(backup, "verify_archive", check_then_swap)
    before = _state(target)

    result = run(target, "restore", str(archive))

    assert result.exit_code != 0
    assert "changed while it was being restored, so nothing was restored" in result.output
    assert _state(target) == before


def test_backup_writes_to_the_instance_folder_by_default_and_never_overwrites(app, market, tmp_path, monkeypatch):
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    first = run(app, "backup")
    assert first.exit_code == 0, first.output
    made = list((tmp_path / "backups").glob("backup-*.tar.gz"))
    assert len(made) == 1 and len(made[0].name) == len("backup-20261128-101500.tar.gz")
    assert not list((tmp_path / "backups").glob(".*partial"))

    again = run(app, "backup", "--output", str(made[0]))
    assert again.exit_code != 0 and "already exists" in again.output


def test_restore_of_a_missing_file_is_a_clear_error(target, tmp_path):
    result = run(target, "restore", str(tmp_path / "nowhere.tar.gz"))
    assert result.exit_code != 0
    assert "does not exist" in result.output


# ---- across engines ---------------------------------------------------------------------------

@pytest.mark.skipif(not ON_POSTGRES, reason="needs TEST_DATABASE_URL on PostgreSQL")
@pytest.mark.parametrize("direction", ["sqlite-to-postgresql", "postgresql-to-sqlite"])
def test_a_backup_moves_between_sqlite_and_postgresql(app, target_app, tmp_path_factory, tmp_path, direction):
    """SQLite -> PostgreSQL restores into the PostgreSQL target; the other way the test's own
    PostgreSQL database is backed up and restored into a new SQLite one."""
    with _app_on(None, tmp_path_factory, "sqlite") as sqlite_app:
        if direction == "sqlite-to-postgresql":
            source, destination = sqlite_app, target_app
            target_app.config["MEDIA_ROOT"] = str(tmp_path / "restored-media")
            init_storage(target_app)
        else:
            source, destination = app, sqlite_app
        try:
            with source.app_context():
                market = build_market(db.session)
            path = tmp_path / "cross.tar.gz"
            assert run(source, "backup", "--output", str(path)).exit_code == 0
            restored = run(destination, "restore", str(path))
            assert restored.exit_code == 0, restored.output
            source_state, destination_state = _state(source), _state(destination)
            assert destination_state[0] == source_state[0]
            assert destination_state[1] == source_state[1]
            _assert_restored_app_works(destination, market)
        finally:
            _empty(destination)
            if source is sqlite_app:
                _empty(sqlite_app)
