"""Officers find any product and take down ones that break the rules, with a reason."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from marketplace.admin.forms import ERROR_MESSAGES, UnpublishForm
from marketplace.admin.routes import bp, get_or_404, paginate
from marketplace.auth.decorators import officer_required
from marketplace.extensions import db
from marketplace.models import Product, ProductStatus
from marketplace.services import moderation


@bp.route("/produk")
@officer_required
def products():
    """Every product, searchable by product or shop name, filterable by status, paginated."""
    text = (request.args.get("q") or "").strip()[: moderation.QUERY_MAX]
    raw_status = request.args.get("status") or ""
    try:
        status = ProductStatus(raw_status) if raw_status else None
    except ValueError:
        abort(400, _("Unknown product status. Choose one from the list."))
    page = paginate(moderation.products_query(text, status))
    return render_template("admin/products.html", page=page, products=page.items, q=text, status=status,
                           statuses=list(ProductStatus))


def _render_product(product: Product, form: UnpublishForm | None = None, status_code: int = 200,
                    error: str | None = None):
    return render_template("admin/product.html", product=product, form=form or UnpublishForm(),
                           error=error), status_code


@bp.route("/produk/<int:product_id>")
@officer_required
def product(product_id: int):
    """One product as officers see it, with the take-down form while it is published."""
    return _render_product(get_or_404(Product, product_id))


@bp.route("/produk/<int:product_id>/turunkan", methods=["POST"])
@officer_required
def unpublish(product_id: int):
    """Take a published product down (back to draft) with the reason the producer reads."""
    product = get_or_404(Product, product_id)
    form = UnpublishForm()
    if not form.validate_on_submit():
        return _render_product(product, form, 400)
    try:
        moderation.unpublish_product(db.session, product, actor_id=current_user.id, reason=form.reason.data or "")
    except moderation.ModerationError as exc:
        db.session.rollback()
        db.session.refresh(product)
        message = ERROR_MESSAGES[exc.code]
        if exc.code == "not_published":
            return _render_product(product, form, 409, error=message)
        form.reason.errors = [*form.reason.errors, message]
        return _render_product(product, form, 400)
    moderation.notify_seller(product, link=url_for("sellers.dashboard", _external=True))
    flash(_("The product is taken down. We sent the producer the reason by e-mail."), "success")
    return redirect(url_for("admin.product", product_id=product.id), code=303)
