"""Producer workspace: the shop profile editor."""
from __future__ import annotations

from marketplace.sellers.routes import bp  # noqa: F401
