"""Public pages: the home page."""
from __future__ import annotations

from flask import Blueprint, render_template

from marketplace.extensions import db
from marketplace.services import catalog

bp = Blueprint("catalog", __name__)


@bp.route("/")
def home():
    return render_template(
        "catalog/home.html",
        products=catalog.newest_products(db.session),
        producers=catalog.featured_producers(db.session),
    )
