"""Order views (cart, checkout and order pages arrive with the orders issue)."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("orders", __name__)
