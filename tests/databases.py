"""Throw-away databases for the test suite and the benchmarks."""
from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from config import database_url


@contextlib.contextmanager
def scratch_database(server_url: str | None, sqlite_folder: Path, prefix: str = "plb_test") -> Iterator[str]:
    """Yield the URL of a new, empty database and drop it afterwards.

    With a PostgreSQL `server_url`, a database of its own is created on that server, so
    parallel runs never collide; without one, an SQLite file in `sqlite_folder`.
    """
    if not server_url:
        yield f"sqlite:///{Path(sqlite_folder) / f'{prefix}.sqlite'}"
        return
    server_url = database_url(server_url)
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
