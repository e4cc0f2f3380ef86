"""Officers manage training types, their cohorts, and product categories."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from marketplace.admin.forms import (
    ERROR_MESSAGES, CategoryForm, CohortForm, ConfirmForm, TrainingTypeForm, optional_int,
)
from marketplace.admin.routes import apply_errors, bp, get_or_404
from marketplace.auth.decorators import officer_required
from marketplace.extensions import db
from marketplace.i18n import current_language
from marketplace.models import Category, Cohort, TrainingType
from marketplace.services import programme as programme_service


# ---- training types and cohorts -------------------------------------------------------------

@bp.route("/pelatihan")
@officer_required
def trainings():
    """Every training type with its cohorts."""
    return render_template("admin/trainings.html",
                           training_types=programme_service.training_types_with_cohorts(db.session))


def _training_type_form_page(form: TrainingTypeForm, training_type: TrainingType | None):
    if form.validate_on_submit():
        try:
            programme_service.save_training_type(
                db.session, actor_id=current_user.id, slug=form.slug.data or "", name_id=form.name_id.data,
                name_en=form.name_en.data, training_type=training_type,
            )
        except programme_service.ProgrammeError as exc:
            db.session.rollback()
            apply_errors(form, exc.errors)
        else:
            flash(_("The training type is saved."), "success")
            return redirect(url_for("admin.trainings"), code=303)
    status = 400 if form.is_submitted() else 200
    return render_template("admin/training_type_form.html", form=form, training_type=training_type), status


@bp.route("/pelatihan/baru", methods=["GET", "POST"])
@officer_required
def training_type_new():
    """Create a training type."""
    return _training_type_form_page(TrainingTypeForm(), None)


@bp.route("/pelatihan/<int:training_type_id>/ubah", methods=["GET", "POST"])
@officer_required
def training_type_edit(training_type_id: int):
    """Edit a training type (names and slug)."""
    training_type = get_or_404(TrainingType, training_type_id)
    return _training_type_form_page(TrainingTypeForm(obj=training_type), training_type)


def _cohort_form_page(form: CohortForm, cohort: Cohort | None):
    language = current_language()
    form.training_type_id.choices = [SelectChoice("", _("Choose…"))] + [
        SelectChoice(t.id, t.name(language)) for t in programme_service.training_types_with_cohorts(db.session)
    ]
    if form.validate_on_submit():
        try:
            programme_service.save_cohort(
                db.session, actor_id=current_user.id, training_type_id=form.training_type_id.data,
                name=form.name.data, place=form.place.data or "", start_date=form.start_date.data,
                end_date=form.end_date.data, cohort=cohort,
            )
        except programme_service.ProgrammeError as exc:
            db.session.rollback()
            apply_errors(form, exc.errors)
        else:
            flash(_("The cohort is saved."), "success")
            return redirect(url_for("admin.trainings"), code=303)
    status = 400 if form.is_submitted() else 200
    members = programme_service.cohort_member_count(db.session, cohort.id) if cohort else 0
    return render_template("admin/cohort_form.html", form=form, cohort=cohort, members=members), status


@bp.route("/pelatihan/angkatan/baru", methods=["GET", "POST"])
@officer_required
def cohort_new():
    """Create a cohort; `?jenis=<id>` preselects its training type."""
    form = CohortForm()
    if not form.is_submitted():
        form.training_type_id.data = optional_int(request.args.get("jenis"))
    return _cohort_form_page(form, None)


@bp.route("/pelatihan/angkatan/<int:cohort_id>/ubah", methods=["GET", "POST"])
@officer_required
def cohort_edit(cohort_id: int):
    """Edit a cohort (type, name, place, dates)."""
    cohort = get_or_404(Cohort, cohort_id)
    return _cohort_form_page(CohortForm(obj=cohort), cohort)


# ---- categories --------------------------------------------------------------------------

@bp.route("/kategori")
@officer_required
def categories():
    """The category tree with how many products each holds."""
    tree = programme_service.categories_tree(db.session)
    usage = {c.id: programme_service.category_usage(db.session, c.id) for c, _depth in tree}
    return render_template("admin/categories.html", tree=tree, usage=usage, confirm_form=ConfirmForm())


def _render_category_form(form: CategoryForm, category: Category | None, status: int = 200):
    language = current_language()
    form.parent_id.choices = [SelectChoice("", _("None (top level)"))] + [
        SelectChoice(c.id, "— " * depth + c.name(language))
        for c, depth in programme_service.categories_tree(db.session)
        if category is None or c.id != category.id
    ]
    usage = programme_service.category_usage(db.session, category.id) if category else (0, 0)
    return render_template("admin/category_form.html", form=form, category=category, usage=usage,
                           confirm_form=ConfirmForm()), status


def _category_form_page(form: CategoryForm, category: Category | None):
    if form.validate_on_submit():
        try:
            programme_service.save_category(
                db.session, actor_id=current_user.id, slug=form.slug.data or "", name_id=form.name_id.data,
                name_en=form.name_en.data, parent_id=form.parent_id.data, position=form.position.data or 0,
                category=category,
            )
        except programme_service.ProgrammeError as exc:
            db.session.rollback()
            apply_errors(form, exc.errors)
        else:
            flash(_("The category is saved."), "success")
            return redirect(url_for("admin.categories"), code=303)
    return _render_category_form(form, category, 400 if form.is_submitted() else 200)


@bp.route("/kategori/baru", methods=["GET", "POST"])
@officer_required
def category_new():
    """Create a category."""
    return _category_form_page(CategoryForm(), None)


@bp.route("/kategori/<int:category_id>/ubah", methods=["GET", "POST"])
@officer_required
def category_edit(category_id: int):
    """Rename or move a category."""
    category = get_or_404(Category, category_id)
    return _category_form_page(CategoryForm(obj=category), category)


@bp.route("/kategori/<int:category_id>/hapus", methods=["POST"])
@officer_required
def category_delete(category_id: int):
    """Delete an unused category; one in use is refused (409) with a link to rename it."""
    category = get_or_404(Category, category_id)
    if not ConfirmForm().validate_on_submit():
        return _render_category_form(CategoryForm(obj=category, formdata=None), category, 400)
    try:
        programme_service.delete_category(db.session, actor_id=current_user.id, category=category)
    except programme_service.ProgrammeError as exc:
        db.session.rollback()
        edit_form = CategoryForm(obj=category, formdata=None)
        edit_form.form_errors.append(ERROR_MESSAGES[exc.errors["category"]])
        return _render_category_form(edit_form, category, 409)
    flash(_("The category is deleted."), "success")
    return redirect(url_for("admin.categories"), code=303)
