"""The photo pipeline: check that an upload really is a sane JPEG, PNG or WebP picture,
turn it upright, drop ALL metadata (GPS above all) and store WebP renditions under
content-hashed keys.

`process_image` does the expensive work and touches neither the database nor storage,
so views call it before they open a transaction; `store_image` then writes the files
and adds the `Image` row to the caller's transaction. Originals are never stored.

Rendition widths: every configured width (320, 800, 1600) up to the picture's own
upright width, plus the own width when it is smaller than the largest configured
width and not within 10% above a configured one. Nothing is ever upscaled: a 500 px
wide picture gets 320 and 500, a 4000 px one gets 320, 800 and 1600.
"""
from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from typing import BinaryIO

from PIL import Image as PILImage
from PIL import ImageCms, UnidentifiedImageError
from sqlalchemy.orm import Session

from marketplace.models import Image
from marketplace.services.storage import Storage

# Pillow's JPEG opener reports multi-picture JPEGs (some phone cameras) as "MPO".
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")
_OPENED_FORMATS = {"JPEG", "MPO", "PNG", "WEBP"}
MAX_ASPECT_RATIO = 6
MIN_SIDE = 64
WEBP_QUALITY = 76
# libwebp effort: 4 for the renditions phones load; the large one (desktops, zoom) uses 2,
# about 3x faster to encode for some 7% more bytes (bench/bench_images.py).
WEBP_METHOD = 4
WEBP_METHOD_LARGE = 2
LARGE_RENDITION_WIDTH = 1000
# Part of every key: bump it when the renditions' encoding changes, so new renditions get
# new URLs (they are served as immutable).
PIPELINE_VERSION = b"plb-images-1:"
KEY_LENGTH = 40

# Reason codes, worded for people in marketplace/uploads.py.
REJECTION_CODES = (
    "empty", "too_large", "not_an_image", "format", "too_many_pixels", "bad_shape", "too_small", "damaged",
)

# Magic bytes of picture types people may send that we do not accept, so they get
# "wrong type" rather than "not a picture". Only sniffed, never parsed.
_OTHER_IMAGE_SIGNATURES = (
    (0, b"GIF87a"), (0, b"GIF89a"), (0, b"BM"), (0, b"II*\x00"), (0, b"MM\x00*"), (0, b"\x00\x00\x01\x00"),
    (4, b"ftypheic"), (4, b"ftypheix"), (4, b"ftyphevc"), (4, b"ftypmif1"), (4, b"ftypmsf1"), (4, b"ftypavif"),
    (0, b"<svg"), (0, b"\xff\x4f\xff\x51"), (0, b"\x00\x00\x00\x0cjP  "),
)

# EXIF orientation -> the transpose that makes the picture upright.
_ORIENTATION_FIXES = {
    2: PILImage.Transpose.FLIP_LEFT_RIGHT,
    3: PILImage.Transpose.ROTATE_180,
    4: PILImage.Transpose.FLIP_TOP_BOTTOM,
    5: PILImage.Transpose.TRANSPOSE,
    6: PILImage.Transpose.ROTATE_270,
    7: PILImage.Transpose.TRANSVERSE,
    8: PILImage.Transpose.ROTATE_90,
}
_SIDEWAYS = {5, 6, 7, 8}
_SRGB = ImageCms.createProfile("sRGB")


class ImageRejected(ValueError):
    """The upload is not a picture we accept; `code` (one of REJECTION_CODES) says why."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class ProcessedImage:
    """An accepted picture: its key, upright size and encoded WebP renditions by width."""

    key: str
    width: int
    height: int
    renditions: dict[int, bytes] = field(repr=False)


def rendition_key(key: str, width: int) -> str:
    """The storage key of one rendition: `ab/abcdef...-800.webp`."""
    return f"{key[:2]}/{key}-{width}.webp"


def rendition_widths(width: int, widths: tuple[int, ...]) -> list[int]:
    """The rendition widths for a picture `width` px wide (upright); see the module docstring."""
    chosen = sorted({w for w in widths if w <= width})
    if width < max(widths) and (not chosen or width > chosen[-1] * 1.1):
        chosen.append(width)
    return chosen


def read_limited(stream: BinaryIO, max_bytes: int) -> bytes:
    """Read at most `max_bytes` (never more into memory); refuse empty and larger streams."""
    data = stream.read(max_bytes + 1)
    if not data:
        raise ImageRejected("empty")
    if len(data) > max_bytes:
        raise ImageRejected("too_large")
    return data


def process_image(
    stream: BinaryIO, *, max_bytes: int, max_pixels: int, widths: tuple[int, ...]
) -> ProcessedImage:
    """Validate and convert an upload; raises ImageRejected with a reason code.

    Pure computation: no database, no storage, so no transaction stays open meanwhile.
    """
    data = read_limited(stream, max_bytes)
    return process_image_bytes(data, max_pixels=max_pixels, widths=widths)


def process_image_bytes(data: bytes, *, max_pixels: int, widths: tuple[int, ...]) -> ProcessedImage:
    """`process_image` for bytes already read (and already size-checked)."""
    picture = _open_checked(data, max_pixels)
    orientation = _orientation(picture)
    stored_w, stored_h = picture.size
    width, height = (stored_h, stored_w) if orientation in _SIDEWAYS else (stored_w, stored_h)
    _check_shape(width, height)

    targets = rendition_widths(width, widths)
    largest = targets[-1]
    largest_size = (largest, _height_for(width, height, largest))
    if picture.format in ("JPEG", "MPO"):
        # Let libjpeg decode at 1/2, 1/4 or 1/8 scale when that still leaves at least the
        # largest rendition's pixels: much faster and lighter for 12+ megapixel photos.
        needed = largest_size[::-1] if orientation in _SIDEWAYS else largest_size
        picture.draft("RGB", needed)
    try:
        picture.load()
    except PILImage.DecompressionBombError:
        raise ImageRejected("too_many_pixels") from None
    except (OSError, SyntaxError, ValueError, EOFError, IndexError, TypeError):
        raise ImageRejected("damaged") from None

    try:
        renditions = _renditions(picture, orientation, width, height, targets)
    except (OSError, ValueError, SyntaxError, EOFError):  # pixel data Pillow decoded but cannot convert
        raise ImageRejected("damaged") from None
    key = hashlib.sha256(PIPELINE_VERSION + data).hexdigest()[:KEY_LENGTH]
    return ProcessedImage(key=key, width=width, height=height, renditions=renditions)


def _renditions(picture: PILImage.Image, orientation: int, width: int, height: int,
                targets: list[int]) -> dict[int, bytes]:
    """Encode the decoded picture at each target width, upright and in sRGB."""
    largest = targets[-1]
    largest_size = (largest, _height_for(width, height, largest))
    icc_profile = picture.info.get("icc_profile")
    picture = _normalise_mode(picture)
    upright = _to_srgb(_resize(picture, largest_size[::-1] if orientation in _SIDEWAYS else largest_size),
                       icc_profile)
    if orientation in _ORIENTATION_FIXES:
        upright = upright.transpose(_ORIENTATION_FIXES[orientation])
    if upright.mode == "RGBA" and upright.getextrema()[3][0] == 255:
        upright = upright.convert("RGB")  # fully opaque: the alpha channel only costs bytes

    renditions: dict[int, bytes] = {}
    current = upright
    for target in reversed(targets):
        # Each smaller rendition comes from the next larger one: cheaper than from the original.
        current = _resize(current, (target, _height_for(width, height, target)))
        method = WEBP_METHOD_LARGE if target > LARGE_RENDITION_WIDTH else WEBP_METHOD
        renditions[target] = _encode_webp(current, method)
    return dict(sorted(renditions.items()))


def store_image(session: Session, storage: Storage, processed: ProcessedImage) -> Image:
    """Write the renditions (skipping ones already stored) and add an Image row to the
    caller's transaction (flushed, not committed). Same content, same key: storing twice
    is harmless. Each upload gets its own row; rows with the same key share the files."""
    written: list[str] = []
    try:
        for target, blob in processed.renditions.items():
            key = rendition_key(processed.key, target)
            if not storage.exists(key):
                storage.save(key, blob, "image/webp")
                written.append(key)
    except Exception:
        for key in written:  # best effort: leave no half set of renditions behind
            storage.delete(key)
        raise
    image = Image(
        key=processed.key,
        width=processed.width,
        height=processed.height,
        rendition_widths=",".join(str(w) for w in sorted(processed.renditions)),
    )
    session.add(image)
    session.flush()
    return image


def _open_checked(data: bytes, max_pixels: int) -> PILImage.Image:
    """Open the header only (no pixel decoding yet) and refuse wrong types and bombs."""
    try:
        picture = PILImage.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
    except PILImage.DecompressionBombError:
        raise ImageRejected("too_many_pixels") from None
    except UnidentifiedImageError:
        raise ImageRejected("format" if _looks_like_other_image(data) else "not_an_image") from None
    except (OSError, SyntaxError, ValueError, EOFError, IndexError, TypeError):
        raise ImageRejected("damaged") from None
    if picture.format not in _OPENED_FORMATS:
        raise ImageRejected("format")
    width, height = picture.size
    if width * height > max_pixels:
        raise ImageRejected("too_many_pixels")
    if width < 1 or height < 1:
        raise ImageRejected("damaged")
    return picture


def _looks_like_other_image(data: bytes) -> bool:
    head = data[:32].lstrip()
    return any(data[offset:offset + len(magic)] == magic for offset, magic in _OTHER_IMAGE_SIGNATURES) or (
        head.startswith(b"<?xml") and b"<svg" in data[:1024]
    )


def _orientation(picture: PILImage.Image) -> int:
    try:
        value = picture.getexif().get(0x0112, 1)
    except Exception:  # a damaged EXIF block only loses the orientation, not the photo
        return 1
    return value if value in _ORIENTATION_FIXES else 1


def _check_shape(width: int, height: int) -> None:
    if max(width, height) > MAX_ASPECT_RATIO * min(width, height):
        raise ImageRejected("bad_shape")
    if min(width, height) < MIN_SIDE:
        raise ImageRejected("too_small")


def _height_for(width: int, height: int, target: int) -> int:
    # The same rounding as Image.height_for, so templates' width/height match the files.
    return max(1, round(height * target / width))


def _normalise_mode(picture: PILImage.Image) -> PILImage.Image:
    """Bring any decoded mode to L, RGB, RGBA or CMYK, the modes we resize and convert."""
    mode = picture.mode
    if mode in ("L", "RGB", "RGBA", "CMYK"):
        return picture
    if mode.startswith("I;16") or mode in ("I", "F"):
        # 16-bit and float greys: scale into 8 bits instead of clipping to white.
        return picture.convert("I").point(lambda value: value * (1 / 256)).convert("L")
    if mode == "1":
        return picture.convert("L")
    if mode in ("LA", "La", "PA", "RGBa") or (mode == "P" and picture.has_transparency_data):
        return picture.convert("RGBA")
    return picture.convert("RGB")


def _resize(picture: PILImage.Image, size: tuple[int, int]) -> PILImage.Image:
    if picture.size == size:
        return picture
    return picture.resize(size, PILImage.Resampling.LANCZOS, reducing_gap=2.0)


def _to_srgb(picture: PILImage.Image, icc_profile: bytes | None) -> PILImage.Image:
    """Convert colours from an embedded profile to sRGB (the profile itself is dropped)."""
    out_mode = "RGBA" if picture.mode == "RGBA" else "RGB"
    if icc_profile:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
            converted = ImageCms.profileToProfile(picture, source, _SRGB, outputMode=out_mode)
            if converted is not None:
                return converted
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
            pass  # an odd profile: keep the pixels as they are
    return picture if picture.mode == out_mode else picture.convert(out_mode)


def _encode_webp(picture: PILImage.Image, method: int) -> bytes:
    out = io.BytesIO()
    picture.info.clear()  # belt and braces: no exif=, icc_profile= or xmp= ever reaches the file
    picture.save(out, "WEBP", quality=WEBP_QUALITY, method=method)
    return out.getvalue()
