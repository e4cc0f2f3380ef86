"""Serves stored image renditions. Keys are content hashes, so a URL's bytes never
change: browsers may cache them for a year without asking again."""
from __future__ import annotations

import re

from flask import Blueprint, Response, abort, request

from marketplace.services.images import KEY_LENGTH
from marketplace.services.storage import get_storage

bp = Blueprint("media", __name__)

# `ab/ab0123...-800.webp`: the folder is the key's first two characters.
_RENDITION = re.compile(r"(?P<prefix>[0-9a-f]{2})/(?P<key>[0-9a-f]{%d})-[1-9][0-9]{1,3}\.webp" % KEY_LENGTH)
CACHE_FOREVER = "public, max-age=31536000, immutable"


@bp.route("/media/<path:key>")
def rendition(key: str) -> Response:
    """One WebP rendition; 404 for anything that is not a stored rendition key."""
    match = _RENDITION.fullmatch(key)
    if match is None or not match["key"].startswith(match["prefix"]):
        abort(404)
    etag = key.rsplit("/", 1)[1]
    if etag in request.if_none_match:
        # The key is the content's hash: a browser holding this tag holds these bytes, so
        # answer without fetching them from storage (a round trip to S3 saved).
        response = Response(status=304)
    else:
        data = get_storage().read(key)
        if data is None:
            abort(404)
        response = Response(data, mimetype="image/webp")
    response.headers["Cache-Control"] = CACHE_FOREVER
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.set_etag(etag)
    return response.make_conditional(request) if response.status_code == 200 else response
