"""Order views (cart, checkout and order pages arrive with the orders issue)."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("orders", __name__)


# Views in sibling modules register themselves on `bp`.
from marketplace.orders import webhooks  # noqa: E402,F401
