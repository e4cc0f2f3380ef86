"""Admins manage officers: list officers and admins, create officers, deactivate and reactivate."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from marketplace.admin.forms import ERROR_MESSAGES, ConfirmForm, OfficerForm
from marketplace.admin.routes import bp
from marketplace.auth.decorators import admin_required
from marketplace.extensions import db
from marketplace.services import staff as staff_service


def _render_staff(status_code: int = 200, error: str | None = None):
    return render_template("admin/staff.html", members=staff_service.staff_members(db.session),
                           confirm_form=ConfirmForm(), error=error), status_code


@bp.route("/staf")
@admin_required
def staff():
    """Every officer and admin, with deactivate / reactivate buttons."""
    return _render_staff()


@bp.route("/staf/baru", methods=["GET", "POST"])
@admin_required
def officer_new():
    """Create an officer with a temporary password the admin passes on."""
    form = OfficerForm()
    if form.validate_on_submit():
        try:
            user = staff_service.create_officer(
                db.session, actor_id=current_user.id, name=form.name.data, email=form.email.data,
                password=form.password.data, language=form.language.data,
                hash_method=current_app.config["PASSWORD_HASH_METHOD"],
            )
        except staff_service.StaffError as exc:
            db.session.rollback()
            form.email.errors = [*form.email.errors, ERROR_MESSAGES[exc.code]]
        else:
            flash(_("The officer account for %(email)s is ready. Give them the temporary password.",
                    email=user.email), "success")
            return redirect(url_for("admin.staff"), code=303)
    status = 400 if form.is_submitted() else 200
    return render_template("admin/officer_form.html", form=form), status


@bp.route("/staf/<int:user_id>/<any(nonaktifkan, aktifkan):change>", methods=["POST"])
@admin_required
def officer_set_active(user_id: int, change: str):
    """Deactivate or reactivate an officer or admin; never one's own account (409)."""
    user = staff_service.get_staff_member(db.session, user_id)
    if user is None:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        return _render_staff(400)
    active = change == "aktifkan"
    try:
        staff_service.set_active(db.session, actor_id=current_user.id, user=user, active=active)
    except staff_service.StaffError as exc:
        db.session.rollback()
        return _render_staff(409, error=ERROR_MESSAGES[exc.code])
    if active:
        flash(_("%(name)s can log in again.", name=user.name), "success")
    else:
        flash(_("%(name)s can no longer log in.", name=user.name), "success")
    return redirect(url_for("admin.staff"), code=303)
