"""Producer views."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from marketplace.auth.decorators import seller_required

bp = Blueprint("sellers", __name__)


@bp.route("/daftar-toko")
@login_required
def onboarding():
    return render_template("sellers/onboarding_intro.html")


@bp.route("/")
@seller_required
def dashboard():
    return render_template("sellers/dashboard.html", profile=current_user.seller_profile)


# Views in sibling modules register themselves on `bp`.
from marketplace.sellers import products, shop  # noqa: E402,F401
