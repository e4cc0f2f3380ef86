"""Engine-level settings, and what each session's transaction wrote.

Every SQL statement the app sends is looked at once (a SQLAlchemy engine event): a statement that
is not a plain read adds the table it writes to (or "*" when that can't be told; or the name given
in its `written_as` execution option, for a change narrower than its table) to the pooled
connection's `info`; each session remembers the connections its transaction used. Two things
rely on it:
- `on_commit` callbacks learn, after a commit, which tables it changed (the page cache uses it);
- `commit_read_only_requests`: a request whose transaction wrote nothing ends it with COMMIT
  instead of ROLLBACK, which is the same for the data but lets psycopg keep its prepared
  statements (it forgets all of them on every ROLLBACK), so PostgreSQL stops re-planning the
  catalogue's many-table queries on every page (1.5-3.5 ms each on a product page).
"""
from __future__ import annotations

import re
from collections.abc import Callable

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

_READ = re.compile(r"\s*(?:SELECT|SHOW|SAVEPOINT|RELEASE|ROLLBACK\s+TO)\b", re.IGNORECASE)
_WRITE_TARGET = re.compile(r'\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)', re.IGNORECASE)
_WRITES = "plb_tables_written"        # in a pooled connection's info dict
_CONNECTIONS = "plb_connections"      # in a session's info dict: (engine, connection info) pairs
_commit_callbacks: list[Callable[[Engine, set[str]], None]] = []
_listeners_installed = False


def enable_sqlite_pragmas(engine: Engine) -> None:
    """Enforce foreign keys, use WAL and wait on locks, for every SQLite connection."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # pragma: no cover - trivial
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()


def disable_postgresql_jit(engine: Engine) -> None:
    """Turn PostgreSQL's JIT compilation off for every connection.

    The programme reports' statements are estimated as costly (correlated sub-queries, many
    groupings), so PostgreSQL compiles them before running them: 1.5-2.7 s of compiling for
    statements that then run in 1-4 s (bench/bench_indicators.py). The shop's own queries are
    too short to gain anything from it.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # pragma: no cover - trivial
        cursor = dbapi_connection.cursor()
        cursor.execute("SET jit = off")
        cursor.close()
        dbapi_connection.commit()


# ---- what a transaction wrote --------------------------------------------------------------------

def _note_statement(conn, cursor, statement, parameters, context, executemany) -> None:
    if _READ.match(statement):
        return
    written_as = context.execution_options.get("written_as") if context is not None else None
    if written_as is None:
        target = _WRITE_TARGET.match(statement)
        written_as = target.group(1).lower() if target else "*"
    conn.info.setdefault(_WRITES, set()).add(written_as)


def note_written(session: Session, name: str) -> None:
    """Count `name` as written by the session's current transaction, as a statement writing to
    that table would (for a change a statement's `written_as` named too narrowly)."""
    session.connection().info.setdefault(_WRITES, set()).add(name)


def _session_began(session: Session, transaction, connection) -> None:
    # The pooled connection's info dict outlives the Connection, so after_commit can still read it.
    # Marks left on it by earlier use outside a session (a migration, a seed) are not this one's.
    # A savepoint (begin_nested) begins again on the same connection: what it wrote before stays.
    if any(info is connection.info for _engine, info in session.info.get(_CONNECTIONS, [])):
        return
    connection.info.pop(_WRITES, None)
    session.info.setdefault(_CONNECTIONS, []).append((connection.engine, connection.info))


def _session_committed(session: Session) -> None:
    for engine, info in session.info.pop(_CONNECTIONS, []):
        written = info.pop(_WRITES, None)
        if written:
            for callback in _commit_callbacks:
                callback(engine, written)


def _transaction_ended(session: Session, transaction) -> None:
    if transaction.parent is None:          # rolled back or closed without a commit: nothing changed
        for _engine, info in session.info.pop(_CONNECTIONS, []):
            info.pop(_WRITES, None)


def tables_written(session: Session) -> set[str]:
    """Tables the session's current transaction wrote to so far ("*" for statements of other kinds)."""
    written: set[str] = set()
    for _engine, info in session.info.get(_CONNECTIONS, []):
        written |= info.get(_WRITES, set())
    return written


def on_commit(callback: Callable[[Engine, set[str]], None]) -> Callable[[], None]:
    """Call `callback(engine, tables)` after every commit that wrote to `tables` on `engine`;
    returns a function that stops it."""
    _install_listeners()
    if callback not in _commit_callbacks:
        _commit_callbacks.append(callback)
    return lambda: _commit_callbacks.remove(callback) if callback in _commit_callbacks else None


def _install_listeners() -> None:
    global _listeners_installed
    if _listeners_installed:
        return
    event.listen(Engine, "before_cursor_execute", _note_statement)
    event.listen(Session, "after_begin", _session_began)
    event.listen(Session, "after_commit", _session_committed)
    event.listen(Session, "after_transaction_end", _transaction_ended)
    _listeners_installed = True


# ---- ending read-only requests -------------------------------------------------------------------

def commit_read_only_requests(app: Flask) -> None:
    """At the end of each request, COMMIT the session's transaction if it only read."""
    from marketplace.extensions import db

    _install_listeners()

    # Registered after Flask-SQLAlchemy's teardown, so it runs before the session is removed.
    @app.teardown_appcontext
    def _end_read_only_transaction(exc: BaseException | None) -> None:
        if exc is not None or not db.session.registry.has():   # a request that never used the database
            return
        session = db.session()
        if not session.in_transaction():
            return
        if session.new or session.dirty or session.deleted or tables_written(session):
            return                            # Flask-SQLAlchemy's teardown rolls it back
        try:
            session.commit()
        except SQLAlchemyError:
            session.rollback()
