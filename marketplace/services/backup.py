"""Backups of the database and the media files in one engine-neutral archive, and their restore.

An archive is a .tar.gz file holding, in this order:

- `tables/NNN-<table>.jsonl`: one JSON object per row, each table in foreign-key order
  (`Base.metadata.sorted_tables`) and by primary key, values written so they come back as
  the same Python values on SQLite and PostgreSQL (aware datetimes in ISO 8601, dates, enums
  as their stored strings, Decimal as text, bytes as base64);
- `media/<key>`: every object of the storage backend, read through the `Storage` interface;
- `manifest.json`: format version, the database's Alembic revision, when and from which
  engine it was made, each table's columns and row count, the media count, and the size and
  SHA-256 of every other member.

A backup made on SQLite restores into PostgreSQL and the other way round. Derived data is
not stored: `search_documents` (and SQLite's FTS5 table behind it) is rebuilt from the
products after a restore, the sales summaries from the sales, and `alembic_version` is compared, never copied.

`restore_backup` reads the whole archive once to check it against its manifest before it
changes anything, then loads every row in one transaction with the media written before the
commit (media keys are content-hashed, so a file left behind by a failed restore is harmless).
The checksums find damage, not forgery: whoever can rewrite an archive can rewrite its manifest.
"""
from __future__ import annotations

import base64
import enum
import gzip
import hashlib
import io
import json
import mimetypes
import os
import re
import tarfile
import tempfile
import zlib
from dataclasses import dataclass, field
from datetime import date, datetime, time as time_of_day, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO, Callable, Iterator

from alembic.runtime.migration import MigrationContext
from sqlalchemy import (
    JSON, Boolean, Date, DateTime, Enum, Float, Integer, Interval, LargeBinary, Numeric, Table, Time, TypeDecorator,
    bindparam, delete, func, insert, inspect, select, text, update,
)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from marketplace.models import (
    Base,
    MonthlySellerCategorySales,
    MonthlySellerSales,
    PaidPartLink,
    SearchDocument,
)
from marketplace.services.sales_summary import rebuild_all as rebuild_sales_summaries
from marketplace.services.search import rebuild_search_index
from marketplace.services.storage import Storage

FORMAT = "pasar-lokal-blitar-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
BATCH_ROWS = 1000
COMPRESS_LEVEL = 6  # gzip's default: level 9 compressed 2.5 times slower for a 10% smaller archive
MAX_MANIFEST_BYTES = 256 * 1024 * 1024

# Tables whose rows are derived from others: rebuilt after a restore, never stored.
DERIVED_TABLES = frozenset(model.__table__.name for model in (
    SearchDocument, MonthlySellerSales, MonthlySellerCategorySales, PaidPartLink))
# Tables the migrations create outside the models: the revision is checked instead of copied;
# SQLite's FTS5 index (and its shadow tables) is refilled from search_documents by triggers.
_NOT_DATA = re.compile(r"^(alembic_version|search_fts(_\w+)?|sqlite_\w+)$")


class BackupError(Exception):
    """A backup or restore that could not be done; the message says why and what to do."""


@dataclass
class TableSummary:
    name: str
    rows: int


@dataclass
class BackupSummary:
    """What `create_backup` wrote."""

    path: Path
    revision: str
    dialect: str
    tables: list[TableSummary]
    media_files: int
    media_bytes: int
    size: int
    skipped_tables: list[str] = field(default_factory=list)
    skipped_media: list[str] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables)


@dataclass
class RestoreSummary:
    """What `restore_backup` did."""

    path: Path
    revision: str
    source_dialect: str
    created_at: str
    tables: list[TableSummary]
    media_written: int
    media_unchanged: int
    search_documents: int
    emptied_first: bool

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables)


# ---- values -----------------------------------------------------------------------------------

def _kind(column_type) -> str:
    """How a column's values are written to JSON: the engine-independent family of its type."""
    # Interval is itself a TypeDecorator (over DateTime on SQLite): recognise it before unwrapping.
    while isinstance(column_type, TypeDecorator) and not isinstance(column_type, Interval):
        column_type = column_type.impl
    for kind, types in (("enum", Enum), ("bool", Boolean), ("datetime", DateTime), ("date", Date),
                        ("time", Time), ("interval", Interval), ("json", JSON), ("bytes", LargeBinary),
                        ("int", Integer), ("float", Float), ("decimal", Numeric)):
        if isinstance(column_type, types):
            return kind
    return "plain"


# How each kind of non-null value is written; kinds not listed are written as they are.
_ENCODERS: dict[str, Callable[[Any], Any]] = {
    "enum": lambda v: v.value if isinstance(v, enum.Enum) else v,
    "datetime": lambda v: v.isoformat(),
    "date": lambda v: v.isoformat(),
    "time": lambda v: v.isoformat(),
    "interval": lambda v: v.total_seconds(),
    "decimal": str,
    "bytes": lambda v: base64.b64encode(v).decode("ascii"),
}


def _decoder(column) -> Callable[[Any], Any] | None:
    """How a non-null JSON value of `column` becomes its Python value again; None when it already is."""
    kind = _kind(column.type)
    enum_class = getattr(column.type, "enum_class", None)
    return {
        "enum": enum_class,
        "datetime": datetime.fromisoformat,
        "date": date.fromisoformat,
        "time": time_of_day.fromisoformat,
        "interval": lambda v: timedelta(seconds=v),
        "decimal": Decimal,
        "bytes": base64.b64decode,
    }.get(kind)


# ---- database facts ---------------------------------------------------------------------------

def data_tables() -> list[Table]:
    """The tables a backup holds, parents before children."""
    return [t for t in Base.metadata.sorted_tables if t.name not in DERIVED_TABLES]


def current_revision(connection: Connection) -> str | None:
    """The database's Alembic revision ("0006"; several heads joined by commas), None when unmigrated."""
    heads = MigrationContext.configure(connection).get_current_heads()
    return ",".join(sorted(heads)) if heads else None


def _pk_order(table: Table):
    return list(table.primary_key.columns) or list(table.columns)


def _table_columns(table: Table) -> list[dict]:
    return [{"name": c.name, "kind": _kind(c.type)} for c in table.columns]


def _unknown_tables(connection: Connection) -> list[str]:
    known = {t.name for t in Base.metadata.sorted_tables}
    return sorted(name for name in inspect(connection).get_table_names()
                  if name not in known and not _NOT_DATA.match(name))


def _snapshot(engine: Engine) -> Connection:
    """A connection whose reads all see one consistent state of the database."""
    if engine.dialect.name == "postgresql":
        return engine.connect().execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
    connection = engine.connect()
    if engine.dialect.name == "sqlite":
        # pysqlite opens no transaction for reads; a read transaction keeps one snapshot (WAL).
        connection.exec_driver_sql("BEGIN")
    return connection


# ---- backup -----------------------------------------------------------------------------------

class _HashingWriter:
    def __init__(self, handle: BinaryIO):
        self.handle, self.sha256, self.size = handle, hashlib.sha256(), 0

    def write(self, data: bytes) -> None:
        self.handle.write(data)
        self.sha256.update(data)
        self.size += len(data)


def _add_member(archive: tarfile.TarFile, name: str, handle: BinaryIO, size: int, mtime: float) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = size, int(mtime), 0o644
    archive.addfile(info, handle)


def _dump_table(connection: Connection, table: Table, out: _HashingWriter) -> int:
    names = [c.name for c in table.columns]
    converters = [(i, _ENCODERS[_kind(c.type)]) for i, c in enumerate(table.columns) if _kind(c.type) in _ENCODERS]
    encoder = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
    rows = 0
    result = connection.execution_options(yield_per=BATCH_ROWS).execute(select(table).order_by(*_pk_order(table)))
    for batch in result.partitions():
        lines = []
        for row in batch:
            values = list(row)
            for i, convert in converters:
                if values[i] is not None:
                    values[i] = convert(values[i])
            lines.append(encoder.encode(dict(zip(names, values))))
        out.write(("\n".join(lines) + "\n").encode("utf-8"))
        rows += len(batch)
    return rows


def create_backup(engine: Engine, storage: Storage, out_path: str | os.PathLike) -> BackupSummary:
    """Write the database behind `engine` and every object of `storage` to a new archive at `out_path`.

    The archive appears only when complete (it is written beside it first), readable by its
    owner only: it holds password hashes and buyers' addresses. Raises BackupError.
    """
    out_path = Path(out_path)
    if out_path.exists():
        raise BackupError(f"{out_path} already exists; choose another file name.")
    created = datetime.now(timezone.utc)
    members: dict[str, dict] = {}
    tables_meta: list[dict] = []
    media_count = media_bytes = 0
    skipped_media: list[str] = []
    try:
        out_path.parent.mkdir(parents=True, exist_ok=True)
        fd, partial = tempfile.mkstemp(dir=out_path.parent, prefix=f".{out_path.name}.", suffix=".partial")
    except OSError as error:
        raise BackupError(f"Cannot write a backup into {out_path.parent}: {error.strerror or error}.") from error
    try:
        with os.fdopen(fd, "wb") as raw, \
                tarfile.open(fileobj=raw, mode="w:gz", format=tarfile.PAX_FORMAT,
                             compresslevel=COMPRESS_LEVEL) as archive:
            with _snapshot(engine) as connection:
                revision = current_revision(connection)
                if revision is None:
                    raise BackupError("The database has no schema (no Alembic revision): nothing to back up.")
                skipped = _unknown_tables(connection)
                for number, table in enumerate(data_tables(), start=1):
                    name = f"tables/{number:03d}-{table.name}.jsonl"
                    with tempfile.TemporaryFile(dir=out_path.parent) as scratch:
                        writer = _HashingWriter(scratch)
                        rows = _dump_table(connection, table, writer)
                        scratch.seek(0)
                        _add_member(archive, name, scratch, writer.size, created.timestamp())
                    members[name] = {"size": writer.size, "sha256": writer.sha256.hexdigest()}
                    tables_meta.append({"name": table.name, "member": name, "rows": rows,
                                        "columns": _table_columns(table)})
                dialect = connection.dialect.name
            # Media after the rows: an upload made meanwhile is an extra file, never a missing one.
            for key in sorted(storage.keys()):
                if not valid_media_key(key):
                    skipped_media.append(key)
                    continue
                data = storage.read(key)
                if data is None:  # deleted since it was listed
                    continue
                name = f"media/{key}"
                _add_member(archive, name, io.BytesIO(data), len(data), created.timestamp())
                members[name] = {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
                media_count += 1
                media_bytes += len(data)
            manifest = {
                "format": FORMAT, "format_version": FORMAT_VERSION, "alembic_revision": revision,
                "created_at": created.isoformat(), "dialect": dialect,
                "tables": tables_meta, "excluded_tables": sorted(DERIVED_TABLES) + ["alembic_version"],
                "skipped_unknown_tables": skipped,
                "media": {"count": media_count, "bytes": media_bytes},
                "members": members,
            }
            body = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")
            _add_member(archive, MANIFEST, io.BytesIO(body), len(body), created.timestamp())
        os.chmod(partial, 0o600)
        os.replace(partial, out_path)
    except BaseException as error:
        Path(partial).unlink(missing_ok=True)
        if isinstance(error, Exception) and not isinstance(error, BackupError):
            reason = " ".join(str(getattr(error, "orig", None) or error).split())
            raise BackupError(f"The backup failed and {out_path} was not written: {type(error).__name__}: "
                              f"{reason}") from error
        raise
    return BackupSummary(path=out_path, revision=revision, dialect=dialect,
                         tables=[TableSummary(t["name"], t["rows"]) for t in tables_meta],
                         media_files=media_count, media_bytes=media_bytes, size=out_path.stat().st_size,
                         skipped_tables=skipped, skipped_media=skipped_media)


# ---- reading an archive -----------------------------------------------------------------------

_DAMAGED = (tarfile.TarError, gzip.BadGzipFile, EOFError, zlib.error, UnicodeDecodeError)


def _members(path: Path) -> Iterator[tuple[tarfile.TarInfo, BinaryIO]]:
    """Each member of the archive in order, read as a stream (never seeking back)."""
    with tarfile.open(path, mode="r|gz") as archive:
        for info in archive:
            if not info.isfile():
                raise BackupError(f"{path} is not a backup of this app: it holds {info.name!r}, "
                                  "which is not a plain file.")
            yield info, archive.extractfile(info)


def valid_media_key(key: str) -> bool:
    """Whether `key` is a relative path any storage can hold: no empty, "." or ".." parts,
    no backslashes or control characters."""
    return bool(key) and key.isprintable() and "\\" not in key \
        and all(part not in ("", ".", "..") for part in key.split("/"))


def _check_manifest(path: Path, manifest: Any) -> None:
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{path} is not a backup of this app (its manifest is not ours).")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(f"{path} has backup format version {manifest.get('format_version')!r}; this version "
                          f"of the app reads version {FORMAT_VERSION}. Restore it with the release that made it.")
    tables, members = manifest.get("tables"), manifest.get("members")
    well_formed = (
        all(isinstance(manifest.get(k), str) for k in ("alembic_revision", "created_at", "dialect"))
        and isinstance(tables, list) and isinstance(members, dict)
        and all(isinstance(t, dict) and isinstance(t.get("name"), str) and isinstance(t.get("member"), str)
                and isinstance(t.get("rows"), int) and isinstance(t.get("columns"), list) for t in tables)
        and all(isinstance(m, dict) and isinstance(m.get("size"), int) and isinstance(m.get("sha256"), str)
                for m in members.values())
    )
    if not well_formed:
        raise BackupError(f"{path} is damaged: its manifest is not in the expected form.")


def verify_archive(path: str | os.PathLike) -> dict:
    """Read the whole archive and return its manifest when every member is there, unchanged,
    and nothing else is; otherwise raise BackupError saying what is wrong."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"{path} does not exist or is not a file.")
    seen: dict[str, dict] = {}
    lines: dict[str, int] = {}
    order: list[str] = []
    manifest_bytes = None
    try:
        for info, handle in _members(path):
            if info.name in seen or (info.name == MANIFEST and manifest_bytes is not None):
                raise BackupError(f"{path} is damaged: it holds {info.name!r} twice.")
            if info.name == MANIFEST:
                if info.size > MAX_MANIFEST_BYTES:
                    raise BackupError(f"{path} is not a backup of this app (its manifest is too large).")
                manifest_bytes = handle.read()
                continue
            digest, size, newlines = hashlib.sha256(), 0, 0
            while chunk := handle.read(1024 * 1024):
                digest.update(chunk)
                size += len(chunk)
                newlines += chunk.count(b"\n")
            seen[info.name] = {"size": size, "sha256": digest.hexdigest()}
            lines[info.name] = newlines
            order.append(info.name)
    except _DAMAGED as error:
        raise BackupError(f"{path} is damaged, incomplete or not a .tar.gz backup ({error}).") from None
    except OSError as error:
        raise BackupError(f"Cannot read {path}: {error.strerror or error}.") from None
    if manifest_bytes is None:
        raise BackupError(f"{path} is incomplete or not a backup of this app: it has no {MANIFEST} "
                          "(which comes last, so an archive cut short has none).")
    try:
        manifest = json.loads(manifest_bytes)
    except ValueError:
        raise BackupError(f"{path} is damaged: its manifest is not valid JSON.") from None
    _check_manifest(path, manifest)
    expected = manifest["members"]
    missing = sorted(set(expected) - set(seen))
    extra = sorted(set(seen) - set(expected))
    changed = sorted(n for n in set(seen) & set(expected) if seen[n] != expected[n])
    for problem, names in (("is missing", missing), ("holds files its manifest does not list", extra),
                           ("has damaged files", changed)):
        if names:
            shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
            raise BackupError(f"{path} {problem}: {shown}. Nothing was restored.")
    table_members = [t.get("member") for t in manifest["tables"]]
    if [n for n in order if n.startswith("tables/")] != table_members:
        raise BackupError(f"{path} is damaged: its tables are not in the order its manifest gives.")
    for table in manifest["tables"]:
        if lines[table["member"]] != table.get("rows"):
            raise BackupError(f"{path} is damaged: table {table.get('name')!r} has {lines[table['member']]} rows, "
                              f"its manifest says {table.get('rows')}.")
    for name in seen:
        if not (name.startswith("tables/") or (name.startswith("media/") and valid_media_key(name[6:]))):
            raise BackupError(f"{path} is not a backup of this app: it holds {name!r}.")
    return manifest


# ---- restore ----------------------------------------------------------------------------------

def _check_schema(path: Path, manifest: dict) -> dict[str, Table]:
    """The target tables by name, when the archive's tables and columns are exactly this app's."""
    ours = {t.name: t for t in data_tables()}
    theirs = {t["name"]: t for t in manifest["tables"]}
    if set(ours) != set(theirs):
        different = sorted(set(ours) ^ set(theirs))
        raise BackupError(f"{path} does not match this version of the app (tables {', '.join(different)} differ). "
                          "Restore it with the release that made it.")
    for name, table in ours.items():
        if theirs[name]["columns"] != _table_columns(table):
            raise BackupError(f"{path} does not match this version of the app (the columns of {name} differ). "
                              "Restore it with the release that made it.")
    return ours


def _tables_with_rows(connection: Connection, tables: list[Table]) -> list[str]:
    return [t.name for t in tables if connection.execute(select(1).select_from(t).limit(1)).first() is not None]


def _empty_tables(connection: Connection, tables: list[Table]) -> None:
    names = [t.name for t in tables] + sorted(DERIVED_TABLES)
    if connection.dialect.name == "postgresql":
        connection.execute(text("TRUNCATE " + ", ".join(f'"{n}"' for n in names)))
        return
    for table in reversed(Base.metadata.sorted_tables):  # children first
        connection.execute(delete(table))
    if connection.dialect.name == "sqlite" and "search_fts" in inspect(connection).get_table_names():
        connection.execute(text("DELETE FROM search_fts"))


def _load_table(connection: Connection, table: Table, handle: BinaryIO, sha256: str) -> int:
    """Insert the rows of one table member; self-references are set after every row is in.

    The member is hashed again as it is read, so an archive changed since it was checked
    fails the restore (before the commit)."""
    names = [c.name for c in table.columns]
    decoders = [(c.name, _decoder(c)) for c in table.columns if _decoder(c) is not None]
    self_refs = [fk.parent.name for fk in table.foreign_keys if fk.column.table is table and fk.parent.nullable]
    pk = [c.name for c in table.primary_key.columns]
    deferred: list[dict] = []
    batch: list[dict] = []
    rows = 0
    digest = hashlib.sha256()
    for line in handle:
        digest.update(line)
        raw = json.loads(line)
        row = {name: raw[name] for name in names}
        for name, decode in decoders:
            if row[name] is not None:
                row[name] = decode(row[name])
        if self_refs and any(row[c] is not None for c in self_refs):
            deferred.append({**{f"k_{c}": row[c] for c in pk}, **{f"v_{c}": row[c] for c in self_refs}})
            row.update({c: None for c in self_refs})
        batch.append(row)
        if len(batch) >= BATCH_ROWS:
            connection.execute(insert(table), batch)
            rows += len(batch)
            batch = []
    if batch:
        connection.execute(insert(table), batch)
        rows += len(batch)
    if deferred:
        statement = update(table).where(*[table.c[c] == bindparam(f"k_{c}") for c in pk]) \
            .values({c: bindparam(f"v_{c}") for c in self_refs})
        for start in range(0, len(deferred), BATCH_ROWS):
            connection.execute(statement, deferred[start:start + BATCH_ROWS])
    if digest.hexdigest() != sha256:
        raise _ChangedMeanwhile()
    return rows


class _ChangedMeanwhile(Exception):
    """The archive's bytes differ from those checked before the restore began."""


def _reset_sequences(connection: Connection, tables: list[Table]) -> None:
    """On PostgreSQL, point each serial key's sequence past the largest restored id."""
    if connection.dialect.name != "postgresql":
        return
    for table in tables:
        for column in table.primary_key.columns:
            if not isinstance(column.type, Integer):
                continue
            sequence = connection.scalar(text("SELECT pg_get_serial_sequence(:table, :column)"),
                                         {"table": table.name, "column": column.name})
            highest = connection.scalar(select(func.max(column))) if sequence else None
            if highest is not None:
                # Never lower a sequence: setval is not undone by a rollback, and a failed
                # forced restore leaves the old rows in place.
                connection.execute(text(
                    "SELECT setval(CAST(:sequence AS regclass), GREATEST(:highest, "
                    "COALESCE(pg_sequence_last_value(CAST(:sequence AS regclass)), 0)))"
                ), {"sequence": sequence, "highest": highest})


def restore_backup(session: Session, storage: Storage, archive_path: str | os.PathLike, *,
                   force: bool = False) -> RestoreSummary:
    """Load an archive made by `create_backup` into the (empty) database of `session` and into `storage`.

    Checks the archive first and refuses, changing nothing, when it is damaged or foreign, when
    the database is at another Alembic revision, or when it holds data and `force` is False
    (with `force`, its data is replaced). Rows go in within one transaction, committed after
    the media are written and the search index rebuilt. Raises BackupError.
    """
    path = Path(archive_path)
    manifest = verify_archive(path)
    tables = _check_schema(path, manifest)
    revision = manifest["alembic_revision"]
    ordered = [tables[t["name"]] for t in manifest["tables"]]
    members = {t["member"]: tables[t["name"]] for t in manifest["tables"]}
    checksums = {name: member["sha256"] for name, member in manifest["members"].items()}
    loaded: list[TableSummary] = []
    written = unchanged = 0
    try:
        connection = session.connection()
        ours = current_revision(connection)
        if ours != revision:
            found = f"is at revision {ours}" if ours else "has no schema yet"
            raise BackupError(
                f"The backup was made at database revision {revision}, but this database {found}. "
                f"Nothing was restored. Restore into an empty database at revision {revision}: create one, run "
                f"`flask db upgrade {revision}`, run `flask restore` again, then `flask db upgrade` to bring it "
                "up to date.")
        occupied = _tables_with_rows(connection, ordered)
        if occupied and not force:
            shown = ", ".join(occupied[:5]) + (" ..." if len(occupied) > 5 else "")
            raise BackupError(f"This database already holds data (in {shown}), so nothing was restored. Restore "
                              "into an empty database, or use --force to delete ALL its data and replace it with "
                              "the backup.")
        if occupied:
            _empty_tables(connection, ordered)
        for info, handle in _members(path):
            if info.name in members:
                table = members[info.name]
                loaded.append(TableSummary(table.name, _load_table(connection, table, handle, checksums[info.name])))
            elif info.name.startswith("media/"):
                key, data = info.name[len("media/"):], handle.read()
                if hashlib.sha256(data).hexdigest() != checksums[info.name]:
                    raise _ChangedMeanwhile()
                if storage.read(key) == data:
                    unchanged += 1
                else:
                    storage.save(key, data, mimetypes.guess_type(key)[0] or "application/octet-stream")
                    written += 1
        _reset_sequences(connection, ordered)
        rebuild_sales_summaries(connection)
        documents = rebuild_search_index(session)  # commits the whole restore
    except BackupError:
        session.rollback()
        raise
    except _ChangedMeanwhile:
        session.rollback()
        raise BackupError(f"{path} changed while it was being restored, so nothing was restored in the database.") \
            from None
    except Exception as error:  # any failure: roll back and say why, without a traceback
        session.rollback()
        reason = " ".join(str(getattr(error, "orig", None) or error).split())  # the driver's words, without the SQL
        raise BackupError(f"Restoring {path} failed, so nothing was restored in the database: "
                          f"{type(error).__name__}: {reason}") from error
    except BaseException:
        session.rollback()
        raise
    session.expire_all()
    return RestoreSummary(path=path, revision=revision, source_dialect=manifest["dialect"],
                          created_at=manifest["created_at"], tables=loaded, media_written=written,
                          media_unchanged=unchanged, search_documents=documents, emptied_first=bool(occupied))


def human_size(size: int) -> str:
    """1536 -> "1.5 KB"."""
    if size < 1024:
        return f"{size} bytes"
    value = size / 1024
    for unit in ("KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            break
        value /= 1024
    return f"{value:.1f} {unit}"


def default_backup_name(now: datetime | None = None) -> str:
    """backup-YYYYmmdd-HHMMSS.tar.gz, in UTC."""
    return f"backup-{(now or datetime.now(timezone.utc)):%Y%m%d-%H%M%S}.tar.gz"
