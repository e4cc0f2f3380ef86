"""Serves stored image renditions with long cache headers (keys are content hashes)."""
from __future__ import annotations

import re

from flask import Blueprint, Response, abort

from marketplace.services.storage import get_storage

bp = Blueprint("media", __name__)

_RENDITION = re.compile(r"^[0-9a-f]{2}/[0-9a-f]{40}-\d{2,4}\.webp$")


@bp.route("/media/<path:key>")
def rendition(key: str) -> Response:
    if not _RENDITION.match(key):
        abort(404)
    storage = get_storage()
    if not storage.exists(key):
        abort(404)
    response = Response(storage.read(key), mimetype="image/webp")
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    return response
