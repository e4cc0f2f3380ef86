"""Producer workspace: the shop profile editor for approved shops.

There is no profile id in the URL: a producer only ever edits their own shop.
"""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from marketplace.auth.decorators import approved_seller_required
from marketplace.extensions import db
from marketplace.sellers.forms import ERROR_MESSAGES
from marketplace.sellers.product_forms import PRODUCT_MESSAGES, ShopProfileForm
from marketplace.security import limit_uploads
from marketplace.sellers.routes import bp
from marketplace.services import shop as shop_service
from marketplace.uploads import ACCEPT_ATTRIBUTE, UploadRejected, check_upload, save_upload


def _render(form: ShopProfileForm, status: int = 200):
    return render_template("sellers/shop_edit.html", form=form, profile=current_user.seller_profile,
                           accept=ACCEPT_ATTRIBUTE), status


def _apply_errors(form: ShopProfileForm, errors: dict[str, str]) -> None:
    for name, code in errors.items():
        message = str(ERROR_MESSAGES.get(code) or PRODUCT_MESSAGES.get(code) or ERROR_MESSAGES["required"])
        target = form._fields.get(name)
        if target is not None:
            target.errors = [*target.errors, message]
        else:
            form.form_errors.append(message)


@bp.route("/toko", methods=["GET", "POST"])
@limit_uploads
@approved_seller_required
def shop_edit():
    """Edit the shop's name, story, photo, location, WhatsApp and papers. The shop's link stays the same."""
    profile = current_user.seller_profile
    if request.method == "GET":
        return _render(ShopProfileForm(obj=profile))
    form = ShopProfileForm()
    if not form.validate_on_submit():
        return _render(form, 400)
    upload = form.photo_file.data
    processed = None
    if upload is not None and getattr(upload, "filename", ""):
        try:
            processed = check_upload(upload)  # the picture work, before any database write
        except UploadRejected as rejected:
            form.photo_file.errors = [*form.photo_file.errors, rejected.message]
            return _render(form, 400)
    data = shop_service.ShopData(
        shop_name=form.shop_name.data, story=form.story.data, products_summary=form.products_summary.data,
        kecamatan_code=form.kecamatan_code.data, desa=form.desa.data, address=form.address.data,
        whatsapp=form.whatsapp.data, nib=form.nib.data, pirt=form.pirt.data, halal=form.halal.data,
    )
    try:
        photo = save_upload(processed) if processed is not None else None
        shop_service.update_shop(db.session, profile, data, actor_id=current_user.id, photo=photo,
                                 remove_photo=bool(form.remove_photo.data))
    except shop_service.ShopError as exc:
        db.session.rollback()
        _apply_errors(form, exc.errors)
        return _render(form, 400)
    flash(_("Your shop profile is saved."), "success")
    return redirect(url_for("sellers.shop_edit"), code=303)
