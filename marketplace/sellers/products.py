"""Producer workspace: product list, create / edit / duplicate / archive, photos, CSV import."""
from __future__ import annotations

from marketplace.sellers.routes import bp  # noqa: F401
