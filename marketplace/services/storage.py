"""Where media files live. Callers use the small `Storage` interface only, so an
S3-compatible backend can replace `LocalStorage` later without touching them."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Iterator, Protocol

from flask import Flask, current_app


class Storage(Protocol):
    """Stores bytes under a relative key such as `ab/abcdef...-800.webp`.

    Keys are content-hashed, so a key's bytes never change: saving a key again is
    harmless and readers may cache forever.
    """

    def save(self, key: str, data: bytes, content_type: str) -> None:
        """Store `data` under `key`, all or nothing (no half-written file is ever visible)."""

    def read(self, key: str) -> bytes | None:
        """The bytes under `key`, or None when there are none (or the key is invalid)."""

    def exists(self, key: str) -> bool:
        """Whether `key` holds bytes."""

    def delete(self, key: str) -> None:
        """Remove `key`; removing a missing key is not an error."""

    def keys(self) -> Iterator[str]:
        """Every stored key, in no particular order (for backups)."""


class LocalStorage:
    """Files under a folder (MEDIA_ROOT), written atomically through a temporary file."""

    FILE_MODE = 0o644  # readable by a front web server that may serve MEDIA_ROOT directly

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root).resolve()

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if self.root not in path.parents:
            raise ValueError(f"key outside storage: {key!r}")
        return path

    def save(self, key: str, data: bytes, content_type: str) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp, self.FILE_MODE)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def read(self, key: str) -> bytes | None:
        try:
            return self._path(key).read_bytes()
        except (ValueError, FileNotFoundError, IsADirectoryError, NotADirectoryError):
            return None

    def exists(self, key: str) -> bool:
        try:
            return self._path(key).is_file()
        except ValueError:
            return False

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def keys(self) -> Iterator[str]:
        if not self.root.is_dir():
            return
        for path in self.root.rglob("*"):
            if path.is_file() and not path.name.startswith(".upload-"):
                yield path.relative_to(self.root).as_posix()


def init_storage(app: Flask) -> None:
    """Give the app its storage backend (LocalStorage under MEDIA_ROOT)."""
    app.extensions["storage"] = LocalStorage(app.config["MEDIA_ROOT"])


def get_storage(app: Flask | None = None) -> Storage:
    """The app's storage backend."""
    return (app or current_app).extensions["storage"]
