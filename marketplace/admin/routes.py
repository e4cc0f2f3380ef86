"""Programme officers' views."""
from __future__ import annotations

from flask import Blueprint, render_template

from marketplace.auth.decorators import officer_required

bp = Blueprint("admin", __name__)


@bp.route("/")
@officer_required
def dashboard():
    return render_template("admin/dashboard.html")
