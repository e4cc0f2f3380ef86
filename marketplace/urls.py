"""URL helpers: safe redirects after login and language switches."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import url_for


def is_safe_next(target: str | None) -> bool:
    """True only for a path on this site: no scheme, no host, no `//` or backslash tricks."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc and not any(ord(c) < 32 for c in target)


def safe_next_url(target: str | None, default_endpoint: str = "catalog.home") -> str:
    return target if is_safe_next(target) else url_for(default_endpoint)
