"""Turn a browser upload (a Werkzeug FileStorage) into a stored Image, or into a clear,
translated message saying what is wrong with it.

A view uses it like this (the expensive picture work runs before any database work, so
no transaction is held open while a 12 megapixel photo is converted)::

    try:
        processed = check_upload(form.photo.data)      # no database, no storage
    except UploadRejected as rejected:
        form.photo.errors.append(rejected.message)
        return render_template(...), 400
    product = owned_product_or_404(...)                # now the database work
    image = save_upload(processed)                     # files + Image row (flushed)
    ...; db.session.commit()

or, when nothing needs loading first, `image = image_from_upload(form.photo.data)`.
"""
from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage

from marketplace.extensions import db
from marketplace.models import Image
from marketplace.services.images import (
    MAX_ASPECT_RATIO, MIN_SIDE, ImageRejected, ProcessedImage, process_image, store_image,
)
from marketplace.services.storage import get_storage

ACCEPT_ATTRIBUTE = "image/jpeg,image/png,image/webp"  # for <input type="file" accept="...">

MESSAGES = {
    "missing": _l("Please choose a photo to upload."),
    "empty": _l("The file you chose is empty. Please choose a photo."),
    "too_large": _l("The photo is larger than %(mb)s MB. Please choose a smaller photo."),
    "not_an_image": _l("This file is not a photo. Please choose a JPEG, PNG or WebP picture."),
    "format": _l("This type of picture is not accepted. Please use a JPEG, PNG or WebP photo."),
    "too_many_pixels": _l(
        "The picture is too big (more than %(megapixels)s megapixels). Please choose a smaller photo."
    ),
    "bad_shape": _l(
        "The picture is too long and narrow. Please crop it so that the long side is at most %(ratio)s times "
        "the short side."
    ),
    "too_small": _l("The picture is too small. Please choose a photo at least %(pixels)s pixels on each side."),
    "damaged": _l("The photo file is damaged or incomplete. Please choose it again or take a new photo."),
}


class UploadRejected(ValueError):
    """An upload we cannot use: `code` for programs, `message` (translated) for people."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def rejection_message(code: str) -> str:
    """The message, in the current language, for a rejection code."""
    config = current_app.config
    values = {
        "mb": config["MAX_IMAGE_BYTES"] // (1024 * 1024),
        "megapixels": config["MAX_IMAGE_PIXELS"] // 1_000_000,
        "ratio": MAX_ASPECT_RATIO,
        "pixels": MIN_SIDE,
    }
    text = str(MESSAGES.get(code, MESSAGES["not_an_image"]))
    try:
        return text % values
    except (KeyError, ValueError, TypeError):  # a translation with broken placeholders
        return text


def check_upload(file_storage: FileStorage | None) -> ProcessedImage:
    """Read, check and convert an upload, touching neither the database nor storage.

    Raises UploadRejected; nothing is stored for a rejected upload.
    """
    if file_storage is None or not isinstance(file_storage, FileStorage) or not file_storage.filename:
        raise UploadRejected("missing", rejection_message("missing"))
    config = current_app.config
    try:
        return process_image(
            file_storage.stream,
            max_bytes=config["MAX_IMAGE_BYTES"],
            max_pixels=config["MAX_IMAGE_PIXELS"],
            widths=tuple(config["IMAGE_WIDTHS"]),
        )
    except ImageRejected as rejected:
        raise UploadRejected(rejected.code, rejection_message(rejected.code)) from None


def save_upload(processed: ProcessedImage, session: Session | None = None) -> Image:
    """Store a checked upload's renditions and add its Image row (flushed; the caller commits)."""
    return store_image(session or db.session, get_storage(), processed)


def image_from_upload(file_storage: FileStorage | None, session: Session | None = None) -> Image:
    """`check_upload` then `save_upload`: the Image for an upload, or UploadRejected."""
    processed = check_upload(file_storage)
    return save_upload(processed, session)
