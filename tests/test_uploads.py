"""Uploads from the browser: a stored Image, or a clear message and a 4xx with nothing
stored; requests over the 16 MB limit get the 413 page, never a 500."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from flask import Blueprint, current_app, request
from flask_babel import force_locale
from werkzeug.datastructures import FileStorage

from marketplace import create_app, uploads
from marketplace.errors import ERROR_TEXTS
from marketplace.extensions import db
from marketplace.models import Image, Product, ProductImage
from marketplace.services.images import rendition_key
from marketplace.services.storage import get_storage
from marketplace.uploads import UploadRejected, check_upload, image_from_upload, save_upload
from tests import factories
from tests.test_services_images import BAD_FILES

MB = 1024 * 1024


@pytest.fixture(autouse=True)
def _request(app):
    """Uploads arrive in requests; the messages pick their language from the request."""
    with app.test_request_context():
        yield


def upload(data: bytes, filename: str = "foto.jpg", content_type: str = "image/jpeg") -> FileStorage:
    return FileStorage(stream=io.BytesIO(data), filename=filename, content_type=content_type)


def stored_files() -> list[Path]:
    return [p for p in Path(current_app.config["MEDIA_ROOT"]).rglob("*") if p.is_file()]


# ---- the helper views call ---------------------------------------------------------------------

def test_a_phone_photo_becomes_a_stored_image(session):
    image = image_from_upload(upload(factories.photo_bytes(2000, 1500, orientation=6, gps=True)))
    session.commit()

    saved = session.get(Image, image.id)
    assert (saved.width, saved.height) == (1500, 2000)
    assert saved.widths == [320, 800, 1500]
    for width in saved.widths:
        assert get_storage().exists(rendition_key(saved.key, width))


@pytest.mark.parametrize("name", list(BAD_FILES))
def test_bad_files_get_their_message_and_nothing_is_stored(session, name):
    data, code = BAD_FILES[name]
    before = stored_files()

    with pytest.raises(UploadRejected) as caught:
        image_from_upload(upload(data))

    assert caught.value.code == code
    assert caught.value.message == str(uploads.MESSAGES[code]) % {
        "mb": 15, "megapixels": 40, "ratio": 6, "pixels": 64} and "%(" not in caught.value.message
    assert stored_files() == before
    assert session.query(Image).count() == 0


def test_messages_are_in_indonesian_by_default_with_the_limits_filled_in():
    indonesian = uploads.rejection_message("too_large")
    with force_locale("en"):
        english = uploads.rejection_message("too_large")
    assert "15 MB" in indonesian and "15 MB" in english
    assert indonesian != english


def test_messages_name_the_limits():
    with force_locale("en"):
        assert "15 MB" in uploads.rejection_message("too_large")
        assert "40 megapixels" in uploads.rejection_message("too_many_pixels")
        assert "6 times" in uploads.rejection_message("bad_shape")
        assert "64 pixels" in uploads.rejection_message("too_small")
        assert "JPEG, PNG or WebP" in uploads.rejection_message("format")


@pytest.mark.parametrize("file_storage", [None, FileStorage(stream=io.BytesIO(b""), filename="")])
def test_no_file_chosen_asks_for_a_photo(file_storage):
    with pytest.raises(UploadRejected) as caught:
        check_upload(file_storage)
    assert caught.value.code == "missing"
    assert str(caught.value) == caught.value.message == uploads.rejection_message("missing")


def test_the_picture_is_processed_before_any_database_work(session, monkeypatch):
    seen = []
    real = uploads.process_image

    def watching(*args, **kwargs):
        seen.append(session().in_transaction())
        return real(*args, **kwargs)

    monkeypatch.setattr(uploads, "process_image", watching)
    assert not session().in_transaction()

    image_from_upload(upload(factories.photo_bytes(400, 300)))

    assert seen == [False]
    assert session.query(Image).count() == 1


def test_check_then_save_lets_a_view_load_its_objects_in_between(session):
    processed = check_upload(upload(factories.photo_bytes(640, 480)))
    product = factories.make_product(session, commit=False)
    image = save_upload(processed)
    product.images.append(ProductImage(image=image, position=0))
    session.commit()
    assert session.get(Product, product.id).cover.key == processed.key


# ---- through HTTP: a view using the helper, and the request size limit --------------------------

probe = Blueprint("upload_probe", __name__)


@probe.post("/probe-upload")
def probe_upload():
    """A minimal view in the recommended shape: parse, call the helper, commit or say why not."""
    try:
        image = image_from_upload(request.files.get("photo"))
    except UploadRejected as rejected:
        return rejected.message, 400
    db.session.commit()
    return str(image.id), 201


@pytest.fixture(scope="module")
def upload_app(database_uri, tmp_path_factory):
    """A second app on the same database, with the probe view registered before any request."""
    second = create_app("testing", SQLALCHEMY_DATABASE_URI=database_uri, WTF_CSRF_ENABLED=False,
                        MEDIA_ROOT=str(tmp_path_factory.mktemp("probe-media")))
    second.register_blueprint(probe)
    yield second
    with second.app_context():
        db.engine.dispose()


def post_photo(client, data: bytes, filename="foto.jpg"):
    return client.post("/probe-upload", data={"photo": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


def test_a_view_stores_a_good_photo(upload_app, session):
    response = post_photo(upload_app.test_client(), factories.photo_bytes(900, 600))
    assert response.status_code == 201
    assert session.get(Image, int(response.data)).widths == [320, 800, 900]


@pytest.mark.parametrize("name", ["text renamed .jpg", "truncated jpeg", "gif", "empty", "20000x20000 png bomb"])
def test_a_view_answers_bad_files_with_400_and_the_message(upload_app, session, name):
    data, code = BAD_FILES[name]
    response = post_photo(upload_app.test_client(), data)
    assert response.status_code == 400
    with upload_app.test_request_context():
        assert response.get_data(as_text=True) == uploads.rejection_message(code)
    assert session.query(Image).count() == 0


def test_a_photo_between_15_and_16_mb_gets_the_form_message_not_413(upload_app, session):
    data = factories.photo_bytes(64, 64) + b"\x00" * (15 * MB + 100_000)
    response = post_photo(upload_app.test_client(), data)
    assert response.status_code == 400
    assert "15 MB" in response.get_data(as_text=True)


def test_a_30_mb_upload_gets_the_file_too_large_page(upload_app):
    client = upload_app.test_client()
    with client.session_transaction() as flask_session:
        flask_session["lang"] = "en"
    response = post_photo(client, b"\xff\xd8" + b"\x00" * (30 * MB))
    assert response.status_code == 413
    assert "File too large" in response.get_data(as_text=True)


@pytest.mark.usefixtures("csrf_enabled")
def test_a_30_mb_post_to_an_ordinary_form_gets_413_even_before_the_csrf_check(client):
    response = client.post("/akun/masuk", data={"photo": (io.BytesIO(b"\x00" * (30 * MB)), "big.jpg")},
                           content_type="multipart/form-data")
    assert response.status_code == 413
    assert str(ERROR_TEXTS[413][0]) in response.get_data(as_text=True)  # in Indonesian, the default
