"""Producer workspace: product list, create / edit / duplicate / archive, photos, CSV import.

Every view is for approved producers only, and every product is looked up together with
the current producer's id: someone else's product id gives 404, never their data.
"""
from __future__ import annotations

from flask import Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from marketplace.auth.decorators import approved_seller_required
from marketplace.extensions import db
from marketplace.i18n import current_language
from marketplace.formatting import format_rupiah
from marketplace.models import UNITS, Product, ProductStatus
from marketplace.sellers.product_forms import (
    PRODUCT_MESSAGES, ArchiveForm, DuplicateForm, ImportForm, PhotoActionForm, PhotoUploadForm, ProductForm,
    QuickUpdateForm,
)
from marketplace.security import limit_uploads
from marketplace.sellers.routes import bp
from marketplace.services import product_import as import_service
from marketplace.services import products as product_service
from marketplace.uploads import ACCEPT_ATTRIBUTE, UploadRejected, check_upload, save_upload

STATUS_FILTERS = {
    "": None, "draft": ProductStatus.DRAFT, "published": ProductStatus.PUBLISHED, "archived": ProductStatus.ARCHIVED,
}
STATUS_NAMES = {
    "draft": _l("Draft"), "published": _l("Published"), "archived": _l("Archived"),
}


def _seller():
    return current_user.seller_profile


def owned_product_or_404(product_id: int, *, with_images: bool = False) -> Product:
    """The current producer's product, or 404 (another producer's product is never shown)."""
    product = product_service.get_owned_product(db.session, _seller().id, product_id, with_images=with_images)
    if product is None:
        abort(404)
    return product


def _message(code: str) -> str:
    return str(PRODUCT_MESSAGES.get(code, PRODUCT_MESSAGES["required"]))


def _apply_errors(form, errors: dict[str, str]) -> None:
    """Put the service's reason codes onto the form's fields as translated messages."""
    for name, code in errors.items():
        target = form._fields.get(name)
        if target is not None:
            target.errors = [*target.errors, _message(code)]
        else:
            form.form_errors.append(_message(code))


# ---- the list -------------------------------------------------------------------------------

@bp.route("/produk")
@approved_seller_required
def products():
    """The producer's products with a small price-and-stock form per row; ?status= filters."""
    status_key = request.args.get("status", "")
    if status_key not in STATUS_FILTERS:
        abort(400, _("Unknown status filter. Choose draft, published or archived."))
    items = product_service.list_products(db.session, _seller().id, STATUS_FILTERS[status_key])
    return _render_list(items, status_key)


def _quick_form(product: Product, **kwargs) -> QuickUpdateForm:
    """A row's form; the prefix keeps the field ids (and names) of the rows apart."""
    return QuickUpdateForm(prefix=f"p{product.id}", **kwargs)


def _render_list(items: list[Product], status_key: str, *, failed: QuickUpdateForm | None = None,
                 failed_id: int | None = None, status: int = 200):
    forms = {p.id: _quick_form(p, formdata=None, price=p.price, stock=p.stock, stock_seen=p.stock) for p in items}
    if failed is not None:
        forms[failed_id] = failed
    counts = {s.value: n for s, n in product_service.status_counts(db.session, _seller().id).items()}
    return render_template(
        "sellers/products/list.html", products=items, forms=forms, status_key=status_key, counts=counts,
        status_names=STATUS_NAMES, max_photos=product_service.MAX_PHOTOS,
    ), status


@bp.route("/produk/<int:product_id>/cepat", methods=["POST"])
@approved_seller_required
def product_quick(product_id: int):
    """Save one row's price and stock. Answers JSON to the list's script, else redirects back."""
    product = owned_product_or_404(product_id)
    wants_json = request.accept_mimetypes.best == "application/json"
    form = _quick_form(product)
    errors: dict[str, list[str]] = {}
    if form.validate_on_submit():
        try:
            product_service.quick_update(db.session, product, price=form.price.data, stock=form.stock.data,
                                         stock_seen=form.stock_seen.data)
        except product_service.ProductError as exc:
            db.session.rollback()
            errors = {name: [_message(code)] for name, code in exc.errors.items()}
    else:
        errors = {name: [str(e) for e in field_errors] for name, field_errors in form.errors.items()}
    if errors:
        db.session.refresh(product)
        if wants_json:
            return jsonify(ok=False, errors=errors, stock=product.stock, price=product.price), 400
        form.stock_seen.data = product.stock
        for name in ("price", "stock"):
            if name in errors and not form[name].errors:
                form[name].errors = errors[name]
        if "stock" in errors:
            # Show the stock as it is now, so saving again is a deliberate choice.
            form.stock.data, form.stock.raw_data = product.stock, None
        return _render_list(product_service.list_products(db.session, _seller().id), "", failed=form,
                            failed_id=product.id, status=400)
    message = _("Saved: %(name)s now costs %(price)s, %(stock)d in stock.", name=product.name,
                price=format_rupiah(product.price, current_language()), stock=product.stock)
    if wants_json:
        return jsonify(ok=True, message=message, stock=product.stock, price=product.price)
    flash(message, "success")
    return redirect(request.form.get("back") if _is_list_url(request.form.get("back")) else url_for("sellers.products"),
                    code=303)


def _is_list_url(target: str | None) -> bool:
    """Only our own product list may be the redirect target (no open redirects)."""
    base = url_for("sellers.products")
    return bool(target) and (target == base or target.startswith(base + "?status="))


# ---- create, edit, duplicate, archive ---------------------------------------------------------

def _product_form(product: Product | None = None, **kwargs) -> ProductForm:
    form = ProductForm(**kwargs)
    form.set_choices(product_service.categories(db.session), product_service.tags(db.session), current_language(),
                     archived=product is not None and product.status == ProductStatus.ARCHIVED)
    return form


def _form_data(form: ProductForm) -> product_service.ProductData | None:
    """The form as ProductData; None (with errors set) when ids were tampered with."""
    category_id = form.chosen_category_id()
    tag_ids = form.chosen_tag_ids()
    if category_id is False:
        form.category_id.errors = [*form.category_id.errors, _message("unknown_category")]
    if tag_ids is None:
        form.tags.errors = [*form.tags.errors, _message("unknown_tag")]
    if category_id is False or tag_ids is None:
        return None
    return product_service.ProductData(
        name=form.name.data or "", price=form.price.data, stock=form.stock.data, unit=form.unit.data or "",
        weight_grams=form.weight_grams.data or 0, description=form.description.data or "",
        category_id=category_id, tag_ids=tag_ids, status=form.status.data or "",
    )


def _render_form(form: ProductForm, product: Product | None, status: int = 200):
    return render_template("sellers/products/form.html", form=form, product=product,
                           can_publish=current_user.is_approved_seller,
                           duplicate_form=DuplicateForm(), archive_form=ArchiveForm()), status


@bp.route("/produk/baru", methods=["GET", "POST"])
@approved_seller_required
def product_new():
    form = _product_form()
    if request.method == "GET":
        return _render_form(form, None)
    if not form.validate_on_submit() or (data := _form_data(form)) is None:
        return _render_form(form, None, 400)
    try:
        product = product_service.create_product(db.session, _seller(), data)
    except product_service.ProductError as exc:
        db.session.rollback()
        _apply_errors(form, exc.errors)
        return _render_form(form, None, 400)
    flash(_("Product saved. Now add photos: the first one is the cover."), "success")
    return redirect(url_for("sellers.product_photos", product_id=product.id), code=303)


@bp.route("/produk/<int:product_id>/ubah", methods=["GET", "POST"])
@approved_seller_required
def product_edit(product_id: int):
    product = owned_product_or_404(product_id, with_images=True)
    if request.method == "GET":
        form = _product_form(product, data={
            "name": product.name, "description": product.description, "price": product.price, "unit": product.unit,
            "stock": product.stock, "stock_seen": product.stock, "weight_grams": product.weight_grams,
            "category_id": str(product.category_id or ""), "tags": [str(t.id) for t in product.tags],
            "status": product.status.value,
        })
        return _render_form(form, product)
    form = _product_form(product)
    if not form.validate_on_submit() or (data := _form_data(form)) is None:
        return _render_form(form, product, 400)
    try:
        product_service.update_product(db.session, product, data, stock_seen=form.stock_seen.data)
    except product_service.ProductError as exc:
        db.session.rollback()
        _apply_errors(form, exc.errors)
        product = owned_product_or_404(product_id, with_images=True)
        if "stock" in exc.errors:
            # Show the stock as it is now, so saving again is a deliberate choice.
            form.stock.data = form.stock_seen.data = product.stock
            form.stock.raw_data = None
        return _render_form(form, product, 400)
    flash(_("Your changes are saved."), "success")
    return redirect(url_for("sellers.products"), code=303)


@bp.route("/produk/<int:product_id>/salin", methods=["GET", "POST"])
@approved_seller_required
def product_duplicate(product_id: int):
    """Copy a product as a new draft, with or without its photos."""
    product = owned_product_or_404(product_id, with_images=True)
    if request.method == "GET":
        return render_template("sellers/products/duplicate.html", form=DuplicateForm(data={"with_photos": True}),
                               product=product)
    form = DuplicateForm()
    if not form.validate_on_submit():
        return render_template("sellers/products/duplicate.html", form=form, product=product), 400
    copy = product_service.duplicate_product(db.session, product, with_photos=bool(form.with_photos.data))
    flash(_("A copy was saved as a draft. Change what differs, then publish it."), "success")
    return redirect(url_for("sellers.product_edit", product_id=copy.id), code=303)


@bp.route("/produk/<int:product_id>/arsip", methods=["POST"])
@approved_seller_required
def product_archive(product_id: int):
    """Archive a product, or bring it back as a draft (`action=unarchive`)."""
    product = owned_product_or_404(product_id)
    form = ArchiveForm()
    if not form.validate_on_submit():
        abort(400)
    action = request.form.get("action", "archive")
    if action == "archive":
        product_service.archive_product(db.session, product)
        flash(_("The product is archived: buyers no longer see it. You find it under \"Archived\"."), "success")
        return redirect(url_for("sellers.products"), code=303)
    if action == "unarchive":
        try:
            product_service.unarchive_product(db.session, product)
        except product_service.ProductError:
            db.session.rollback()
            abort(400, _message("not_archived"))
        flash(_("The product is back as a draft. Check it, then publish it."), "success")
        return redirect(url_for("sellers.product_edit", product_id=product.id), code=303)
    abort(400, _message("unknown_action"))


# ---- photos -------------------------------------------------------------------------------

def _render_photos(product: Product, form: PhotoUploadForm, status: int = 200):
    return render_template("sellers/products/photos.html", product=product, form=form, action_form=PhotoActionForm(),
                           max_photos=product_service.MAX_PHOTOS, room=product_service.photo_room(product),
                           accept=ACCEPT_ATTRIBUTE), status


@bp.route("/produk/<int:product_id>/foto", methods=["GET", "POST"])
@limit_uploads
@approved_seller_required
def product_photos(product_id: int):
    """The product's photos: upload several at once from the phone, reorder, delete."""
    product = owned_product_or_404(product_id, with_images=True)
    form = PhotoUploadForm()
    if request.method == "GET":
        return _render_photos(product, form)
    if not form.validate_on_submit():
        return _render_photos(product, form, 400)
    uploads = [f for f in (form.photos.data or []) if getattr(f, "filename", "")]
    if not uploads:
        form.photos.errors = [_("Please choose a photo to upload.")]
        return _render_photos(product, form, 400)
    room = product_service.photo_room(product)
    if len(uploads) > room:
        form.photos.errors = [_message("too_many") + " " + (
            _("You can add %(count)d more.", count=room) if room else _("Delete one first."))]
        return _render_photos(product, form, 400)
    # The expensive picture work happens with no transaction open (the lookup's is ended first).
    db.session.rollback()
    processed = []
    for upload in uploads:
        try:
            processed.append(check_upload(upload))
        except UploadRejected as rejected:
            form.photos.errors = [f"{upload.filename}: {rejected.message}"]
            return _render_photos(owned_product_or_404(product_id, with_images=True), form, 400)
    product = owned_product_or_404(product_id, with_images=True)
    try:
        images = [save_upload(p) for p in processed]
        product_service.add_photos(db.session, product, images)
    except product_service.ProductError as exc:
        db.session.rollback()
        form.photos.errors = [_message(exc.errors.get("photos", "too_many"))]
        return _render_photos(owned_product_or_404(product_id, with_images=True), form, 400)
    flash(_("%(count)d photo(s) added.", count=len(images)), "success")
    return redirect(url_for("sellers.product_photos", product_id=product_id), code=303)


@bp.route("/produk/<int:product_id>/foto/<int:photo_id>", methods=["POST"])
@approved_seller_required
def product_photo_action(product_id: int, photo_id: int):
    """Move a photo up or down, or delete it (buttons that work without JavaScript)."""
    product = owned_product_or_404(product_id, with_images=True)
    form = PhotoActionForm()
    if not form.validate_on_submit():
        abort(400)
    action = form.action.data
    try:
        if action in ("up", "down"):
            product_service.move_photo(db.session, product, photo_id, action)
        elif action == "delete":
            product_service.delete_photo(db.session, product, photo_id)
            flash(_("The photo was deleted."), "success")
        else:
            abort(400, _message("unknown_action"))
    except product_service.ProductError as exc:
        db.session.rollback()
        if exc.errors.get("photo") == "not_found":
            abort(404)
        abort(400, _message(next(iter(exc.errors.values()))))
    return redirect(url_for("sellers.product_photos", product_id=product_id, _anchor="photos"), code=303)


# ---- CSV import ---------------------------------------------------------------------------

IMPORT_MESSAGES = {
    "empty": _l("The file is empty."),
    "spreadsheet": _l("This is an Excel workbook, not a CSV file. In Excel choose \"Save as\" and the type "
                      "\"CSV UTF-8 (Comma delimited)\", then upload that file."),
    "encoding": _l("The file's text encoding could not be read. Save it as \"CSV UTF-8\" and upload it again."),
    "binary": _l("This is not a CSV text file. Save your table as \"CSV UTF-8\" and upload that file."),
    "too_large": _l("The file is larger than %(value)s MB. Split it into smaller files."),
    "too_many_rows": _l("The file has more than %(value)s products. Split it into smaller files."),
    "unreadable": _l("The file could not be read as CSV (near line %(row)s). Check for a stray quote mark."),
    "no_rows": _l("The file has headers but no products."),
    "unknown_column": _l("Unknown column \"%(value)s\"."),
    "missing_column": _l("The column \"%(value)s\" is missing."),
    "duplicate_column": _l("The column \"%(value)s\" appears twice."),
    "extra_cells": _l("This row has more cells than there are columns. Check for a stray separator."),
    "duplicate_code": _l("The code \"%(value)s\" appears in more than one row."),
    "unknown_code": _l("None of your products has the code \"%(value)s\". Leave the code empty to add a new product."),
    "required": _l("This is required."),
    "too_long": _l("This is too long."),
    "negative": _l("\"%(value)s\" is negative; use 0 or more."),
    "not_a_number": _l("\"%(value)s\" is not a whole number. Write for example 15000 or 15.000."),
    "too_large_value": _l("\"%(value)s\" is too large."),
    "zero_price": _l("The price must be at least Rp 1."),
    "unknown_unit": _l("\"%(value)s\" is not a known unit."),
    "unknown_category": _l("\"%(value)s\" is not a known category."),
    "unknown_tag": _l("\"%(value)s\" is not a known label."),
    "unknown_status": _l("\"%(value)s\" is not a status; write draft or published."),
    "seller_not_approved": _l("Only approved shops can publish products."),
}


def import_message(problem: import_service.ImportProblem) -> str:
    """One problem in the reader's language."""
    code = "too_large_value" if problem.code == "too_large" and problem.row is not None else problem.code
    text = str(IMPORT_MESSAGES.get(code, IMPORT_MESSAGES["unreadable"]))
    try:
        return text % {"value": problem.value, "row": problem.row or "?"}
    except (KeyError, ValueError, TypeError):  # a translation with broken placeholders
        return text


def _render_import(form: ImportForm, status: int = 200, refused: import_service.ImportRefused | None = None):
    return render_template(
        "sellers/products/import.html", form=form, refused=refused, import_message=import_message,
        columns=import_service.COLUMNS, required_columns=import_service.REQUIRED_COLUMNS,
        max_rows=import_service.MAX_ROWS, units=UNITS,
        categories=product_service.categories(db.session), tags=product_service.tags(db.session),
    ), status


@bp.route("/produk/impor", methods=["GET", "POST"])
@limit_uploads
@approved_seller_required
def product_import():
    """Create or update many products from one CSV file: all rows or none."""
    form = ImportForm()
    if request.method == "GET":
        return _render_import(form)
    if not form.validate_on_submit():
        return _render_import(form, 400)
    upload = form.csv_file.data
    if upload is None or not getattr(upload, "filename", ""):
        form.csv_file.errors = [_("Please choose a CSV file to upload.")]
        return _render_import(form, 400)
    data = upload.stream.read(import_service.MAX_BYTES + 1)
    try:
        result = import_service.import_products(db.session, _seller(), data)
    except import_service.ImportRefused as refused:
        db.session.rollback()
        return _render_import(form, 400, refused)
    flash(_("Import done: %(created)d new product(s), %(updated)d updated.", created=result.created,
            updated=result.updated), "success")
    return redirect(url_for("sellers.products"), code=303)


@bp.route("/produk/impor/template.csv")
@approved_seller_required
def product_import_template():
    """The CSV template with the producer's current products, ready for Excel."""
    body = import_service.template_csv(db.session, _seller())
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": "attachment; filename=produk-pasar-lokal-blitar.csv",
        "Cache-Control": "no-store",
    })
