"""The WSGI app gunicorn serves in bench_load: production settings on the bench database,
plus one static page of the product page's size, answered by the same server, as the ceiling.

Only for the load benchmark. Differences from production, each needed on plain-HTTP loopback:
cookies without the Secure flag (there is no TLS proxy in front), no rate limits (every
simulated person comes from 127.0.0.1), and mails kept in memory (bench_load sets
MAIL_BACKEND=memory: there is no mail server here).
"""
from __future__ import annotations

import os
from pathlib import Path

from flask import send_file

from marketplace import create_app

CEILING_PATH = "/bench-ceiling.html"

app = create_app(
    "production",
    SESSION_COOKIE_SECURE=False,
    REMEMBER_COOKIE_SECURE=False,
    RATELIMIT_ENABLED=False,
)
_ceiling = Path(os.environ["BENCH_CEILING_FILE"])


@app.route(CEILING_PATH)
def bench_ceiling():
    """A static HTML file as large as a product page: what the server stack costs alone."""
    return send_file(_ceiling, mimetype="text/html", max_age=0)
