"""Media on S3-compatible storage: `S3Storage` against moto's standalone server on loopback
(no network, dummy credentials), `MEDIA_BACKEND` choosing the backend, and a product photo
uploaded through the real route and served back by the media route from the bucket."""
from __future__ import annotations

import io
import uuid

import boto3
import pytest
from botocore.exceptions import ClientError
from PIL import Image as PILImage
from sqlalchemy import select

from marketplace import create_app
from marketplace.extensions import db, limiter
from marketplace.models import Image, Product
from marketplace.services.images import rendition_key
from marketplace.services.storage import LocalStorage, S3Storage, get_storage, make_storage
from tests import factories
from tests.conftest import IsolatedClient, free_port, login

REGION = "us-east-1"
DUMMY_CREDENTIALS = {"S3_ACCESS_KEY_ID": "testing", "S3_SECRET_ACCESS_KEY": "testing"}


@pytest.fixture(scope="module")
def s3_endpoint():
    """moto's S3 server on a free loopback port, with AWS settings that keep boto3 off the network."""
    from moto.server import ThreadedMotoServer

    with pytest.MonkeyPatch.context() as patch:
        for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3",
                     "HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy"):
            patch.delenv(name, raising=False)
        patch.setenv("AWS_ACCESS_KEY_ID", "testing")
        patch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        patch.setenv("AWS_DEFAULT_REGION", REGION)
        patch.setenv("AWS_EC2_METADATA_DISABLED", "true")
        patch.setenv("AWS_CONFIG_FILE", "/dev/null")
        patch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        patch.setenv("NO_PROXY", "127.0.0.1,localhost")
        port = free_port()
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
        server.start()
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            server.stop()


@pytest.fixture(scope="module")
def s3_client(s3_endpoint):
    return boto3.session.Session().client("s3", endpoint_url=s3_endpoint, region_name=REGION,
                                          aws_access_key_id="testing", aws_secret_access_key="testing")


@pytest.fixture
def bucket(s3_client):
    """A new, empty bucket for one test."""
    name = f"plb-media-{uuid.uuid4().hex[:12]}"
    s3_client.create_bucket(Bucket=name)
    return name


def s3_settings(endpoint: str, bucket: str, prefix: str = "") -> dict:
    return {"MEDIA_BACKEND": "s3", "S3_BUCKET": bucket, "S3_ENDPOINT_URL": endpoint, "S3_REGION": REGION,
            "S3_PREFIX": prefix, **DUMMY_CREDENTIALS}


@pytest.fixture
def storage(s3_client, bucket):
    # Shares the module's client: building a boto3 client costs about a second on a busy machine
    # (the tests below that go through make_storage/create_app build their own).
    return S3Storage(bucket, prefix="media", client=s3_client)


def bucket_keys(s3_client, bucket: str) -> list[str]:
    return sorted(item["Key"] for item in s3_client.list_objects_v2(Bucket=bucket).get("Contents", []))


# ---- S3Storage -------------------------------------------------------------------------------

def test_round_trip_under_the_prefix_with_content_type_and_cache_headers(storage, s3_client, bucket):
    storage.save("ab/abc-320.webp", b"webp bytes", "image/webp")

    assert storage.exists("ab/abc-320.webp")
    assert storage.read("ab/abc-320.webp") == b"webp bytes"
    assert bucket_keys(s3_client, bucket) == ["media/ab/abc-320.webp"]
    head = s3_client.head_object(Bucket=bucket, Key="media/ab/abc-320.webp")
    assert head["ContentType"] == "image/webp"
    assert head["CacheControl"] == "public, max-age=31536000, immutable"
    assert head["ContentLength"] == len(b"webp bytes")


def test_saving_a_key_again_replaces_it_whole(storage):
    storage.save("ab/abc-320.webp", b"first", "image/webp")
    storage.save("ab/abc-320.webp", b"second", "image/webp")

    assert storage.read("ab/abc-320.webp") == b"second"


def test_missing_keys_read_as_none_and_do_not_exist(storage):
    storage.save("ab/abc-320.webp", b"x", "image/webp")

    assert storage.read("ab/abd-320.webp") is None
    assert storage.exists("ab/abd-320.webp") is False
    assert storage.read("ab/abc-320") is None  # a prefix of a stored key is not that key


@pytest.mark.parametrize("key", [
    "", "/ab/abc-320.webp", "../abc-320.webp", "ab/../../abc-320.webp", "ab/..", "ab//abc-320.webp",
    "ab/./abc-320.webp", "ab\\abc-320.webp", "ab/abc\x00-320.webp",
])
def test_invalid_keys_are_refused_for_writes_and_missing_for_reads(storage, s3_client, bucket, key):
    assert storage.read(key) is None
    assert storage.exists(key) is False
    with pytest.raises(ValueError):
        storage.save(key, b"x", "image/webp")
    with pytest.raises(ValueError):
        storage.delete(key)
    assert bucket_keys(s3_client, bucket) == []


def test_keys_lists_only_objects_under_the_prefix_without_it(storage, s3_client, bucket):
    for key in ("ab/abc-320.webp", "ab/abc-800.webp", "cd/cde-320.webp"):
        storage.save(key, key.encode(), "image/webp")
    # Neighbours in the same bucket that are not ours: another prefix, and one that merely starts alike.
    s3_client.put_object(Bucket=bucket, Key="backups/2026-11-28.tar", Body=b"x")
    s3_client.put_object(Bucket=bucket, Key="media-old/ab/abc-320.webp", Body=b"x")

    assert sorted(storage.keys()) == ["ab/abc-320.webp", "ab/abc-800.webp", "cd/cde-320.webp"]
    assert all(storage.read(key) == key.encode() for key in storage.keys())


def test_without_a_prefix_keys_are_the_object_names(s3_endpoint, bucket):
    storage = make_storage(s3_settings(s3_endpoint, bucket))
    storage.save("ab/abc-320.webp", b"x", "image/webp")

    assert list(storage.keys()) == ["ab/abc-320.webp"]
    assert list(S3Storage(bucket, prefix="other", endpoint_url=s3_endpoint, region=REGION).keys()) == []


def test_delete_is_idempotent(storage, s3_client, bucket):
    storage.save("ab/abc-320.webp", b"x", "image/webp")

    storage.delete("ab/abc-320.webp")
    storage.delete("ab/abc-320.webp")
    storage.delete("ef/never-stored-320.webp")

    assert not storage.exists("ab/abc-320.webp")
    assert storage.read("ab/abc-320.webp") is None
    assert bucket_keys(s3_client, bucket) == []


def test_errors_other_than_not_found_propagate(s3_endpoint):
    gone = S3Storage(f"no-such-bucket-{uuid.uuid4().hex[:8]}", endpoint_url=s3_endpoint, region=REGION,
                     access_key_id="testing", secret_access_key="testing")

    with pytest.raises(ClientError, match="NoSuchBucket"):
        gone.read("ab/abc-320.webp")
    with pytest.raises(ClientError, match="NoSuchBucket"):
        gone.save("ab/abc-320.webp", b"x", "image/webp")
    with pytest.raises(ClientError, match="NoSuchBucket"):
        list(gone.keys())


# ---- choosing the backend --------------------------------------------------------------------

def test_local_is_the_default_backend(tmp_path):
    assert isinstance(make_storage({"MEDIA_ROOT": str(tmp_path)}), LocalStorage)
    assert isinstance(make_storage({"MEDIA_BACKEND": "local", "MEDIA_ROOT": str(tmp_path)}), LocalStorage)


def test_s3_without_a_bucket_or_an_unknown_backend_is_refused(tmp_path):
    with pytest.raises(RuntimeError, match="MEDIA_BACKEND=s3 needs S3_BUCKET"):
        make_storage({"MEDIA_BACKEND": "s3", "S3_BUCKET": None, "MEDIA_ROOT": str(tmp_path)})
    with pytest.raises(RuntimeError, match="Unknown MEDIA_BACKEND 'ftp'"):
        make_storage({"MEDIA_BACKEND": "ftp", "MEDIA_ROOT": str(tmp_path)})


@pytest.fixture
def production_env(app, monkeypatch, tmp_path):
    """Environment for create_app("production"); the shared limiter is given back to `app` after."""
    monkeypatch.setenv("SECRET_KEY", "a-long-random-production-key")
    monkeypatch.setenv("DATABASE_URL", "postgresql://plb@db.internal:5432/pasar")
    monkeypatch.setenv("MEDIA_ROOT", str(tmp_path / "media"))
    monkeypatch.delenv("REDIS_URL", raising=False)
    for name in ("S3_BUCKET", "S3_ENDPOINT_URL", "S3_REGION", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY",
                 "S3_PREFIX"):
        monkeypatch.delenv(name, raising=False)
    yield monkeypatch
    limiter.init_app(app)
    limiter.reset()


def test_production_refuses_to_start_with_s3_and_no_bucket(production_env):
    production_env.setenv("MEDIA_BACKEND", "s3")

    with pytest.raises(RuntimeError, match="MEDIA_BACKEND=s3 needs S3_BUCKET"):
        create_app("production")


def test_production_reads_the_s3_settings_from_the_environment(production_env):
    for name, value in {"MEDIA_BACKEND": "S3", "S3_BUCKET": "pasar-media", "S3_REGION": "ap-southeast-3",
                        "S3_ENDPOINT_URL": "https://minio.internal:9000", "S3_PREFIX": "/media/",
                        "S3_ACCESS_KEY_ID": "AKIAEXAMPLE", "S3_SECRET_ACCESS_KEY": "secret"}.items():
        production_env.setenv(name, value)

    storage = get_storage(create_app("production"))

    assert isinstance(storage, S3Storage)
    assert (storage.bucket, storage.prefix) == ("pasar-media", "media/")
    assert storage.client.meta.endpoint_url == "https://minio.internal:9000"
    assert storage.client.meta.region_name == "ap-southeast-3"
    assert storage.client.meta.config.s3["addressing_style"] == "path"
    assert storage.client._request_signer._credentials.access_key == "AKIAEXAMPLE"


def test_production_keeps_local_media_by_default(production_env, tmp_path):
    storage = get_storage(create_app("production"))

    assert isinstance(storage, LocalStorage)
    assert storage.root == (tmp_path / "media").resolve()


# ---- end to end: upload through the route, serve through the media route ---------------------

@pytest.fixture
def s3_app(app, database_uri, s3_endpoint, bucket, tmp_path):
    """A second app on the test database whose media backend is the bucket (MEDIA_BACKEND=s3)."""
    s3_app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_uri, MEDIA_ROOT=str(tmp_path / "media"),
                        WTF_CSRF_ENABLED=False, **s3_settings(s3_endpoint, bucket, prefix="media"))
    s3_app.test_client_class = IsolatedClient
    yield s3_app
    with s3_app.app_context():
        db.engine.dispose()
    limiter.init_app(app)
    limiter.reset()


def test_a_product_photo_uploaded_through_the_app_is_stored_in_the_bucket_and_served(
        s3_app, session, s3_client, bucket, tmp_path):
    seller = factories.make_seller(session)
    product = factories.make_product(session, seller=seller)
    client = s3_app.test_client()
    login(client, seller.user)

    response = client.post(f"/penjual/produk/{product.id}/foto",
                           data={"photos": [(io.BytesIO(factories.photo_bytes(1000, 750)), "foto.jpg")]},
                           content_type="multipart/form-data")

    assert response.status_code == 303
    assert isinstance(get_storage(s3_app), S3Storage)
    session.expire_all()
    image = session.get(Product, product.id).cover
    assert image is not None and image.widths == [320, 800, 1000]
    assert session.scalars(select(Image.id)).all() == [image.id]
    expected = sorted(f"media/{rendition_key(image.key, width)}" for width in image.widths)
    assert bucket_keys(s3_client, bucket) == expected
    assert not (tmp_path / "media").exists() or not any((tmp_path / "media").rglob("*"))
    for width in image.widths:
        key = rendition_key(image.key, width)
        stored = s3_client.get_object(Bucket=bucket, Key=f"media/{key}")
        assert stored["ContentType"] == "image/webp"

        served = client.get(f"/media/{key}")

        assert served.status_code == 200
        assert served.mimetype == "image/webp"
        assert served.data == stored["Body"].read()
        assert PILImage.open(io.BytesIO(served.data)).size == (width, image.height_for(width))
    other_key = image.key[:-1] + ("1" if image.key.endswith("0") else "0")
    assert client.get(f"/media/{rendition_key(other_key, 320)}").status_code == 404
