"""The photo pipeline: check an upload really is a sane image, turn it upright, drop
all metadata (GPS above all) and store WebP renditions under content-hashed keys."""
from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass
from typing import BinaryIO

from PIL import Image as PILImage
from PIL import ImageOps, UnidentifiedImageError
from sqlalchemy.orm import Session

from marketplace.models import Image
from marketplace.services.storage import Storage

ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP"}
MAX_ASPECT_RATIO = 6
MIN_SIDE = 64
WEBP_QUALITY = 78


class ImageRejected(ValueError):
    """The upload is not an image we accept; `code` says why (the view words it)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass
class ProcessedImage:
    key: str
    width: int
    height: int
    renditions: dict[int, bytes]


def rendition_key(key: str, width: int) -> str:
    return f"{key[:2]}/{key}-{width}.webp"


def _read_limited(stream: BinaryIO, max_bytes: int) -> bytes:
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ImageRejected("too_large")
    if not data:
        raise ImageRejected("empty")
    return data


def _open_checked(data: bytes, max_pixels: int) -> PILImage.Image:
    """Open and fully decode the image, refusing anything odd before it costs memory."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", PILImage.DecompressionBombWarning)
        try:
            probe = PILImage.open(io.BytesIO(data))
            probe_format = probe.format
            width, height = probe.size
        except (UnidentifiedImageError, PILImage.DecompressionBombError, PILImage.DecompressionBombWarning):
            raise ImageRejected("not_an_image") from None
        except (OSError, SyntaxError, ValueError):
            raise ImageRejected("not_an_image") from None
        if probe_format not in ACCEPTED_FORMATS:
            raise ImageRejected("format")
        if width * height > max_pixels:
            raise ImageRejected("too_many_pixels")
        if min(width, height) < MIN_SIDE or max(width, height) > MAX_ASPECT_RATIO * min(width, height):
            raise ImageRejected("dimensions")
        try:
            probe.verify()
            image = PILImage.open(io.BytesIO(data))
            image.load()
        except (PILImage.DecompressionBombError, PILImage.DecompressionBombWarning):
            raise ImageRejected("too_many_pixels") from None
        except (OSError, SyntaxError, ValueError):
            raise ImageRejected("damaged") from None
    return image


def process_image(
    stream: BinaryIO, *, max_bytes: int, max_pixels: int, widths: tuple[int, ...]
) -> ProcessedImage:
    """Validate and convert an upload; raises ImageRejected with a reason code."""
    data = _read_limited(stream, max_bytes)
    image = _open_checked(data, max_pixels)
    image = ImageOps.exif_transpose(image)
    has_alpha = image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info)
    image = image.convert("RGBA" if has_alpha else "RGB")
    width, height = image.size
    targets = sorted({w for w in widths if w <= width} or {width})
    renditions: dict[int, bytes] = {}
    for target in targets:
        copy = image if target == width else image.resize(
            (target, max(1, round(height * target / width))), PILImage.Resampling.LANCZOS, reducing_gap=3.0
        )
        out = io.BytesIO()
        # No exif= / icc_profile= / xmp=: the renditions carry no metadata at all.
        copy.save(out, "WEBP", quality=WEBP_QUALITY, method=4)
        renditions[target] = out.getvalue()
    key = hashlib.sha256(data).hexdigest()[:40]
    return ProcessedImage(key=key, width=width, height=height, renditions=renditions)


def store_image(session: Session, storage: Storage, processed: ProcessedImage) -> Image:
    """Write the renditions and add an Image row to the caller's transaction."""
    for target, blob in processed.renditions.items():
        storage.save(rendition_key(processed.key, target), blob, "image/webp")
    image = Image(
        key=processed.key,
        width=processed.width,
        height=processed.height,
        rendition_widths=",".join(str(w) for w in sorted(processed.renditions)),
    )
    session.add(image)
    session.flush()
    return image
