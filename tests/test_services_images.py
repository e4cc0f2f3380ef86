"""The photo pipeline: metadata stripped, pictures upright, renditions never upscaled,
bad files refused with a reason code, same content stored once."""
from __future__ import annotations

import io
import struct

import pytest
from PIL import Image as PILImage
from PIL import ImageFile, ImageOps

from marketplace.models import Image
from marketplace.services import images
from marketplace.services.images import ImageRejected, process_image, rendition_key, store_image
from marketplace.services.storage import LocalStorage, get_storage
from tests import factories

LIMITS = {"max_bytes": 15 * 1024 * 1024, "max_pixels": 40_000_000, "widths": (320, 800, 1600)}


def process(data: bytes, **overrides):
    return process_image(io.BytesIO(data), **{**LIMITS, **overrides})


def open_webp(blob: bytes) -> PILImage.Image:
    picture = PILImage.open(io.BytesIO(blob))
    assert picture.format == "WEBP"
    return picture


def riff_chunks(blob: bytes) -> list[tuple[bytes, bytes]]:
    """The (fourcc, payload) chunks of a WebP file."""
    assert blob[:4] == b"RIFF" and blob[8:12] == b"WEBP"
    chunks, offset = [], 12
    while offset + 8 <= len(blob):
        fourcc, size = blob[offset:offset + 4], struct.unpack("<I", blob[offset + 4:offset + 8])[0]
        chunks.append((fourcc, blob[offset + 8:offset + 8 + size]))
        offset += 8 + size + (size & 1)
    return chunks


# ---- metadata and orientation --------------------------------------------------------------------

def test_a_photo_with_gps_exif_xmp_and_icc_gives_renditions_without_any_metadata():
    marker = b"Kanigoro-secret-location"
    original = factories.photo_bytes(2000, 1500, orientation=1, gps=True, icc=True,
                                     xmp=b'<x:xmpmeta xmlns:x="adobe:ns:meta/">' + marker + b"</x:xmpmeta>")
    source = PILImage.open(io.BytesIO(original))
    assert source.getexif().get_ifd(0x8825), "the test photo must carry GPS to begin with"
    assert {"exif", "xmp", "icc_profile"} <= set(source.info)

    processed = process(original)

    assert sorted(processed.renditions) == [320, 800, 1600]
    for blob in processed.renditions.values():
        fourccs = {fourcc for fourcc, _ in riff_chunks(blob)}
        assert not fourccs & {b"EXIF", b"XMP ", b"ICCP"}
        for fourcc, payload in riff_chunks(blob):
            if fourcc == b"VP8X":  # its flags byte announces ICC (0x20), EXIF (0x08) and XMP (0x04)
                assert payload[0] & 0x2C == 0
        assert marker not in blob and b"Exif" not in blob
        assert not {"exif", "xmp", "icc_profile"} & set(open_webp(blob).info)


def test_a_sideways_phone_photo_becomes_a_portrait_turned_the_right_way():
    # Phones store the sensor's landscape pixels and say "rotate 90° clockwise" (orientation 6).
    original = factories.photo_bytes(2400, 1800, orientation=6)

    processed = process(original)

    assert (processed.width, processed.height) == (1800, 2400)
    for width, blob in processed.renditions.items():
        picture = open_webp(blob).convert("RGB")
        assert picture.size == (width, round(2400 * width / 1800))
        # The stored top-left corner (blue) ends up top-right once turned clockwise.
        assert picture.getpixel((width - 3, 3))[2] > 200
        assert picture.getpixel((2, 3))[2] < 100
        assert picture.getpixel((2, picture.height - 3))[2] < 100


def _blue_corner(picture: PILImage.Image) -> tuple[int, int]:
    """Which corner (0 or 1 per axis) the blue marker block sits in."""
    w, h = picture.size
    corners = {(x, y): picture.convert("RGB").getpixel((3 + x * (w - 7), 3 + y * (h - 7)))[2]
               for x in (0, 1) for y in (0, 1)}
    return max(corners, key=corners.get)


@pytest.mark.parametrize("orientation", range(1, 9))
def test_every_exif_orientation_matches_pillows_reference_transpose(orientation):
    original = factories.photo_bytes(1200, 900, orientation=orientation)
    reference = ImageOps.exif_transpose(PILImage.open(io.BytesIO(original)))

    processed = process(original)

    assert (processed.width, processed.height) == reference.size
    assert _blue_corner(open_webp(processed.renditions[320])) == _blue_corner(reference)


# ---- renditions --------------------------------------------------------------------------------

@pytest.mark.parametrize("width, height, expected_widths", [
    (4000, 3000, [320, 800, 1600]),
    (1600, 1200, [320, 800, 1600]),
    (1000, 750, [320, 800, 1000]),
    (850, 600, [320, 800]),   # within 10% of 800: a separate 850 rendition is not worth its bytes
    (500, 400, [320, 500]),
    (320, 240, [320]),
    (200, 150, [200]),
])
def test_renditions_are_never_upscaled_and_match_the_image_rows_height(session, width, height, expected_widths):
    processed = process(factories.photo_bytes(width, height))
    image = store_image(session, get_storage(), processed)

    assert image.widths == expected_widths == sorted(processed.renditions)
    for target in expected_widths:
        assert open_webp(processed.renditions[target]).size == (target, image.height_for(target))


def test_a_transparent_png_keeps_its_alpha_and_an_opaque_one_loses_it():
    transparent, opaque = io.BytesIO(), io.BytesIO()
    PILImage.new("RGBA", (400, 300), (10, 120, 40, 90)).save(transparent, "PNG")
    PILImage.new("RGBA", (400, 300), (10, 120, 40, 255)).save(opaque, "PNG")

    assert open_webp(process(transparent.getvalue()).renditions[400]).mode == "RGBA"
    assert open_webp(process(opaque.getvalue()).renditions[400]).mode == "RGB"


@pytest.mark.parametrize("mode, value", [("I;16", 40000), ("L", 156), ("1", 255), ("CMYK", (0, 0, 0, 99)), ("P", 7)])
def test_unusual_colour_modes_become_ordinary_renditions(mode, value):
    out = io.BytesIO()
    PILImage.new(mode, (300, 200), value).save(out, "JPEG" if mode == "CMYK" else "PNG")

    picture = open_webp(process(out.getvalue()).renditions[300])

    assert picture.mode == "RGB"
    if mode == "I;16":  # 40000 of 65535 is a mid grey, not clipped to white
        assert 140 <= picture.getpixel((10, 10))[0] <= 170


def test_webp_input_is_accepted():
    processed = process(factories.photo_bytes(900, 600, fmt="WEBP"))
    assert sorted(processed.renditions) == [320, 800, 900]


def test_the_800_rendition_of_a_phone_photo_stays_small():
    processed = process(factories.photo_bytes(4000, 3000, orientation=6, gps=True))
    assert len(processed.renditions[800]) < 120_000


# ---- bad input ---------------------------------------------------------------------------------

def _gif() -> bytes:
    out = io.BytesIO()
    PILImage.new("P", (200, 200)).save(out, "GIF")
    return out.getvalue()


def _bmp() -> bytes:
    out = io.BytesIO()
    PILImage.new("RGB", (200, 200), (1, 2, 3)).save(out, "BMP")
    return out.getvalue()


def _png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    PILImage.new("L", (width, height), 128).save(out, "PNG")
    return out.getvalue()


BAD_FILES = {
    "text renamed .jpg": (b"Daftar harga: keripik tempe Rp 15.000\n" * 20, "not_an_image"),
    "pdf": (b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n" * 10, "not_an_image"),
    "truncated jpeg": (factories.photo_bytes(800, 600)[:6000], "damaged"),
    "1x100000 png": (_png(1, 100_000), "bad_shape"),
    "tiny png": (_png(20, 20), "too_small"),
    "20000x20000 png bomb": (factories.png_declaring(20_000, 20_000), "too_many_pixels"),
    "7000x7000 png": (factories.png_declaring(7_000, 7_000), "too_many_pixels"),
    "gif": (_gif(), "format"),
    "bmp": (_bmp(), "format"),
    "heic": (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 200, "format"),
    "empty": (b"", "empty"),
    "over 15 MB": (factories.photo_bytes(64, 64) + b"\x00" * (15 * 1024 * 1024), "too_large"),
}


@pytest.mark.parametrize("name", list(BAD_FILES))
def test_bad_files_are_refused_with_their_reason(name):
    data, code = BAD_FILES[name]
    with pytest.raises(ImageRejected) as caught:
        process(data)
    assert caught.value.code == code
    assert code in images.REJECTION_CODES


def test_a_bomb_is_refused_before_its_pixels_are_decoded(monkeypatch):
    decoded = []
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda self: decoded.append(self))
    with pytest.raises(ImageRejected) as caught:
        process(factories.png_declaring(7_000, 7_000))
    assert caught.value.code == "too_many_pixels"
    assert decoded == []


def test_a_smaller_pixel_limit_applies():
    with pytest.raises(ImageRejected) as caught:
        process(factories.photo_bytes(1000, 1000), max_pixels=999_999)
    assert caught.value.code == "too_many_pixels"


# ---- keys and storage --------------------------------------------------------------------------

def test_same_content_gets_the_same_key_and_storing_it_twice_is_harmless(session):
    storage = get_storage()
    photo = factories.photo_bytes(700, 500)

    first = store_image(session, storage, process(photo))
    second = store_image(session, storage, process(photo))
    other = process(factories.photo_bytes(700, 501))

    assert first.key == second.key != other.key
    assert len(first.key) == images.KEY_LENGTH
    assert first.id != second.id
    for width in first.widths:
        assert storage.read(rendition_key(first.key, width)) == process(photo).renditions[width]


def test_store_image_adds_the_row_to_the_callers_transaction_without_committing(session):
    processed = process(factories.photo_bytes(400, 300))
    store_image(session, get_storage(), processed)
    session.rollback()
    assert session.query(Image).count() == 0


class FailingStorage(LocalStorage):
    """A disk that fills up after `allowed` files."""

    def __init__(self, root, allowed: int):
        super().__init__(root)
        self.allowed = allowed

    def save(self, key, data, content_type):
        if self.allowed == 0:
            raise OSError("No space left on device")
        self.allowed -= 1
        super().save(key, data, content_type)


def test_a_storage_failure_midway_leaves_no_half_set_of_renditions(session, tmp_path):
    storage = FailingStorage(tmp_path, allowed=2)
    with pytest.raises(OSError):
        store_image(session, storage, process(factories.photo_bytes(2000, 1500)))
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []
    assert session.query(Image).count() == 0


def test_local_storage_round_trip_and_file_mode(tmp_path):
    storage = LocalStorage(tmp_path)
    storage.save("ab/abc-320.webp", b"bytes", "image/webp")

    assert storage.exists("ab/abc-320.webp")
    assert storage.read("ab/abc-320.webp") == b"bytes"
    assert (tmp_path / "ab" / "abc-320.webp").stat().st_mode & 0o777 == 0o644
    assert [p.name for p in (tmp_path / "ab").iterdir()] == ["abc-320.webp"]  # no temporary file left
    storage.save("cd/cde-800.webp", b"more", "image/webp")
    assert sorted(storage.keys()) == ["ab/abc-320.webp", "cd/cde-800.webp"]
    storage.delete("ab/abc-320.webp")
    storage.delete("ab/abc-320.webp")
    assert not storage.exists("ab/abc-320.webp")
    assert storage.read("ab/abc-320.webp") is None


@pytest.mark.parametrize("key", ["../outside.webp", "ab/../../outside.webp", "/etc/passwd"])
def test_local_storage_refuses_keys_outside_its_folder(tmp_path, key):
    root = tmp_path / "media"
    (tmp_path / "outside.webp").write_bytes(b"secret")
    storage = LocalStorage(root)

    with pytest.raises(ValueError):
        storage.save(key, b"x", "image/webp")
    assert storage.read(key) is None
    assert not storage.exists(key)
    assert (tmp_path / "outside.webp").read_bytes() == b"secret"
