"""The media route serves stored renditions with long cache headers, and nothing else."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from flask import current_app
from PIL import Image as PILImage

from marketplace.services.images import rendition_key
from marketplace.templating import image_srcset, image_url
from tests import factories


@pytest.fixture
def stored_image(session):
    product = factories.make_product(session)
    return factories.add_product_image(session, product, width=1000, height=750).image


def test_a_rendition_is_served_as_webp_with_long_cache_headers(client, stored_image):
    response = client.get(f"/media/{rendition_key(stored_image.key, 320)}")

    assert response.status_code == 200
    assert response.mimetype == "image/webp"
    assert "max-age=31536000" in response.headers["Cache-Control"]
    assert "immutable" in response.headers["Cache-Control"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert PILImage.open(io.BytesIO(response.data)).size == (320, 240)


def test_a_browser_that_has_the_rendition_gets_not_modified(client, stored_image):
    url = f"/media/{rendition_key(stored_image.key, 800)}"
    etag = client.get(url).headers["ETag"]

    again = client.get(url, headers={"If-None-Match": etag})

    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == etag and "immutable" in again.headers["Cache-Control"]


def test_not_modified_is_answered_without_reading_storage(app, client, stored_image, monkeypatch):
    url = f"/media/{rendition_key(stored_image.key, 800)}"
    etag = client.get(url).headers["ETag"]
    assert client.get(url, headers={"If-None-Match": '"other"'}).status_code == 200
    monkeypatch.setattr(app.extensions["storage"], "read", lambda key: pytest.fail("storage read for a 304"))

    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304


def test_every_srcset_url_serves_a_file_of_the_size_the_image_row_promises(client, stored_image):
    with current_app.test_request_context():
        entries = [entry.rsplit(" ", 1) for entry in image_srcset(stored_image).split(", ")]
        fallback = image_url(stored_image, 320)

    assert [int(w[:-1]) for _, w in entries] == stored_image.widths == [320, 800, 1000]
    assert fallback == entries[0][0]
    for url, descriptor in entries:
        width = int(descriptor[:-1])
        served = PILImage.open(io.BytesIO(client.get(url).data))
        assert served.size == (width, stored_image.height_for(width))


def test_the_product_card_gives_the_picture_its_width_and_height(client, session):
    product = factories.make_product(session, name="Keripik Tempe")
    factories.add_product_image(session, product, width=800, height=600)

    page = client.get("/").get_data(as_text=True)

    assert 'width="320" height="240"' in page


def test_an_unknown_but_well_formed_key_is_not_found(client):
    assert client.get(f"/media/{rendition_key('ab' + 'c' * 38, 320)}").status_code == 404


@pytest.mark.parametrize("key", [
    "ab/abc.webp",
    "AB/AB" + "C" * 38 + "-320.webp",                 # upper case is never produced
    "cd/ab" + "c" * 38 + "-320.webp",                 # folder does not match the key
    "ab/ab" + "c" * 38 + "-320.png",
    "ab/ab" + "c" * 38 + "-320.webp.html",
    "ab/ab" + "c" * 38 + "-0320.webp",
    "ab/ab" + "c" * 38 + "-320.webp/..",
    "../../../etc/passwd",
    "ab/../../secret.webp",
    "%2e%2e/%2e%2e/etc/passwd",
    "..%2f..%2fsecret.webp",
])
def test_malformed_keys_and_path_traversal_are_not_found(client, key):
    assert client.get(f"/media/{key}").status_code == 404


def test_a_file_next_to_the_media_folder_cannot_be_reached(client):
    media_root = Path(current_app.config["MEDIA_ROOT"])
    secret = media_root.parent / "secret.webp"
    secret.write_bytes(b"not for you")
    try:
        for url in ("/media/../secret.webp", "/media/%2e%2e/secret.webp", "/media/ab/..%2F..%2Fsecret.webp"):
            response = client.get(url)
            assert response.status_code == 404
            assert b"not for you" not in response.data
    finally:
        secret.unlink()
