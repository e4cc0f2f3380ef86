"""Where media files live. Callers use the small `Storage` interface only; `init_storage`
picks the backend from MEDIA_BACKEND: `LocalStorage` (a folder) or `S3Storage` (a bucket on
S3 or an S3-compatible server such as MinIO or Ceph)."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any, Iterator, Protocol

from flask import Flask, current_app

# Keys are content-hashed, so an object's bytes never change: anything in front may keep them.
CACHE_CONTROL = "public, max-age=31536000, immutable"


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


def valid_key(key: str) -> bool:
    """Whether `key` is a plain relative key: no leading "/", no "." or ".." or empty parts."""
    if not isinstance(key, str) or not key or key.startswith("/") or "\\" in key or "\x00" in key:
        return False
    return all(part not in ("", ".", "..") for part in key.split("/"))


class S3Storage:
    """Objects in an S3 bucket (AWS, or any S3-compatible server through `endpoint_url`).

    The bucket can stay private: the app reads objects and streams them (marketplace/media.py).
    A PUT is all or nothing on S3, so no half-written object is ever visible.
    """

    NOT_FOUND = {"404", "NoSuchKey", "NotFound"}

    def __init__(self, bucket: str, *, prefix: str = "", endpoint_url: str | None = None,
                 region: str | None = None, access_key_id: str | None = None,
                 secret_access_key: str | None = None, client: Any = None):
        if not bucket:
            raise ValueError("S3Storage needs a bucket name")
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.client = client or self._make_client(endpoint_url, region, access_key_id, secret_access_key)

    @staticmethod
    def _make_client(endpoint_url, region, access_key_id, secret_access_key):
        import boto3
        from botocore.config import Config as BotoConfig

        config = BotoConfig(
            connect_timeout=5, read_timeout=20, retries={"max_attempts": 3, "mode": "standard"},
            # Path-style URLs work on every S3-compatible server; virtual hosts need DNS set up for them.
            s3={"addressing_style": "path" if endpoint_url else "auto"},
            # Checksums only where S3 requires them: several S3-compatible servers refuse the
            # newer default checksum headers.
            request_checksum_calculation="when_required" if endpoint_url else "when_supported",
            response_checksum_validation="when_required" if endpoint_url else "when_supported",
        )
        # Without explicit keys boto3 falls back to its usual chain (AWS_* variables, instance role).
        return boto3.session.Session().client(
            "s3", endpoint_url=endpoint_url or None, region_name=region or None,
            aws_access_key_id=access_key_id or None, aws_secret_access_key=secret_access_key or None,
            config=config,
        )

    def _object_key(self, key: str) -> str:
        if not valid_key(key):
            raise ValueError(f"invalid storage key: {key!r}")
        return self.prefix + key

    def _not_found(self, error: Exception) -> bool:
        code = str(getattr(error, "response", {}).get("Error", {}).get("Code", ""))
        return code in self.NOT_FOUND

    def save(self, key: str, data: bytes, content_type: str) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self._object_key(key), Body=data,
                               ContentType=content_type, CacheControl=CACHE_CONTROL)

    def read(self, key: str) -> bytes | None:
        from botocore.exceptions import ClientError

        if not valid_key(key):
            return None
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=self.prefix + key)
        except ClientError as error:
            if self._not_found(error):
                return None
            raise
        with response["Body"] as body:
            return body.read()

    def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        if not valid_key(key):
            return False
        try:
            self.client.head_object(Bucket=self.bucket, Key=self.prefix + key)
        except ClientError as error:
            if self._not_found(error):
                return False
            raise
        return True

    def delete(self, key: str) -> None:
        # S3 answers a DELETE of a missing key with success: deleting twice is harmless.
        self.client.delete_object(Bucket=self.bucket, Key=self._object_key(key))

    def keys(self) -> Iterator[str]:
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix):
            for item in page.get("Contents", []):
                key = item["Key"][len(self.prefix):]
                if valid_key(key):
                    yield key


MEDIA_BACKENDS = ("local", "s3")


def make_storage(config) -> Storage:
    """The storage backend the settings ask for; RuntimeError when they are incomplete."""
    backend = (config.get("MEDIA_BACKEND") or "local").strip().lower()
    if backend == "local":
        return LocalStorage(config["MEDIA_ROOT"])
    if backend == "s3":
        if not config.get("S3_BUCKET"):
            raise RuntimeError("MEDIA_BACKEND=s3 needs S3_BUCKET (the bucket for uploaded pictures); "
                               "refusing to start without it.")
        return S3Storage(config["S3_BUCKET"], prefix=config.get("S3_PREFIX") or "",
                         endpoint_url=config.get("S3_ENDPOINT_URL"), region=config.get("S3_REGION"),
                         access_key_id=config.get("S3_ACCESS_KEY_ID"),
                         secret_access_key=config.get("S3_SECRET_ACCESS_KEY"))
    raise RuntimeError(f"Unknown MEDIA_BACKEND {backend!r}; use one of {', '.join(MEDIA_BACKENDS)}.")


def init_storage(app: Flask) -> None:
    """Give the app its storage backend: MEDIA_BACKEND `local` (MEDIA_ROOT) or `s3` (S3_BUCKET...)."""
    app.extensions["storage"] = make_storage(app.config)


def get_storage(app: Flask | None = None) -> Storage:
    """The app's storage backend."""
    return (app or current_app).extensions["storage"]
