"""Producer views: shop registration (onboarding) step by step, and the producer dashboard.

Every step works on the logged-in user's own profile only (no profile id in any URL), so
nobody can reach another person's draft. Rules on who may edit when are in
marketplace/services/onboarding.py.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from werkzeug.datastructures import FileStorage

from marketplace.extensions import db
from marketplace.formatting import to_wib
from marketplace.models import SellerProfile, SellerStatus, utcnow
from marketplace.security import limit_uploads
from marketplace.sellers.forms import (
    ERROR_MESSAGES, ConsentForm, ContactForm, LocationForm, PapersForm, ShopForm, SubmitForm, programme_form,
)
from marketplace.services import onboarding as onboarding_service
from marketplace.uploads import UploadRejected, check_upload, save_upload

bp = Blueprint("sellers", __name__)

STEP_TITLES = {
    "shop": _l("Your shop"),
    "location": _l("Location"),
    "contact": _l("Contact"),
    "programme": _l("Programme"),
    "papers": _l("Papers"),
    "consent": _l("Data use"),
    "review": _l("Check and send"),
}


def step_url(step: str) -> str:
    return url_for(f"sellers.onboarding_{step}")


def _previous_url(step: str) -> str:
    index = onboarding_service.STEPS.index(step)
    return step_url(onboarding_service.STEPS[index - 1]) if index else url_for("sellers.onboarding")


def _next_url(step: str) -> str:
    return step_url(onboarding_service.STEPS[onboarding_service.STEPS.index(step) + 1])


def _locked_redirect(profile: SellerProfile):
    messages = {
        SellerStatus.PENDING: _("Your shop is waiting for approval. You can change it after the officer's decision."),
        SellerStatus.APPROVED: _("Your shop is already approved."),
        SellerStatus.SUSPENDED: _("Your shop is suspended. Please contact the programme officer."),
    }
    flash(messages.get(profile.status, _("Your shop cannot be changed right now.")), "warning")
    return redirect(url_for("sellers.dashboard"))


def _refuse_staff() -> None:
    """Officers and admins decide on shops, so their own accounts never get one (403)."""
    if current_user.is_officer:
        abort(403, _("Officer and admin accounts cannot open a shop. Please register the shop with a "
                     "separate account."))


def _gate(step: str):
    """A redirect when `step` may not be shown now (locked profile, earlier step missing), else None."""
    _refuse_staff()
    profile = current_user.seller_profile
    if not onboarding_service.is_editable(profile):
        return _locked_redirect(profile)
    missing = onboarding_service.first_incomplete_step(profile, step)
    if missing:
        flash(_("Please complete this step first."), "warning")
        return redirect(step_url(missing))
    return None


def _apply_errors(form, error: onboarding_service.OnboardingError) -> None:
    """Put the service's reason codes onto the form's fields as translated messages."""
    for name, code in error.errors.items():
        message = ERROR_MESSAGES.get(code, ERROR_MESSAGES["required"])
        field = form._fields.get(name)
        if field is not None:
            field.errors = [*field.errors, message]
        else:
            form.form_errors.append(message)


def _render_step(step: str, form, status: int = 200, **context):
    return render_template(
        f"sellers/onboarding_{step}.html", form=form, step=step, steps=onboarding_service.STEPS,
        step_titles=STEP_TITLES,
        done=onboarding_service.completed_steps(current_user.seller_profile), back_url=_previous_url(step),
        profile=current_user.seller_profile, **context,
    ), status


def _saved_redirect(step: str):
    return redirect(_next_url(step), code=303)


def _step_post(step: str, form, save, **context):
    """Validate `form`, call `save()`; on success go on, otherwise re-render with errors (400)."""
    if not form.validate_on_submit():
        return _render_step(step, form, 400, **context)
    try:
        save()
    except onboarding_service.OnboardingError as exc:
        db.session.rollback()
        if exc.errors.get("status") == "locked":
            return _locked_redirect(current_user.seller_profile)
        _apply_errors(form, exc)
        return _render_step(step, form, 400, **context)
    return _saved_redirect(step)


# ---- account: the entry page ---------------------------------------------------------------

@bp.route("/daftar-toko")
def onboarding():
    """Explain the registration; send visitors to register or log in, and producers on."""
    if not current_user.is_authenticated:
        here = url_for("sellers.onboarding")
        return render_template("sellers/onboarding_intro.html", steps=onboarding_service.STEPS,
                               step_titles=STEP_TITLES,
                               register_url=url_for("auth.register", next=here),
                               login_url=url_for("auth.login", next=here))
    _refuse_staff()
    profile = current_user.seller_profile
    if not onboarding_service.is_editable(profile):
        return redirect(url_for("sellers.dashboard"))
    return render_template("sellers/onboarding_intro.html", steps=onboarding_service.STEPS, step_titles=STEP_TITLES,
                           profile=profile, done=onboarding_service.completed_steps(profile),
                           continue_url=step_url(onboarding_service.resume_step(profile)))


# ---- the steps ------------------------------------------------------------------------------

@bp.route("/daftar-toko/toko", methods=["GET", "POST"])
@limit_uploads
@login_required
def onboarding_shop():
    if (blocked := _gate("shop")) is not None:
        return blocked
    form = ShopForm(obj=current_user.seller_profile)
    if request.method == "GET":
        return _render_step("shop", form)
    if not form.validate_on_submit():
        return _render_step("shop", form, 400)
    upload = form.photo_file.data
    photo = None
    try:
        if isinstance(upload, FileStorage) and upload.filename:
            # The picture work happens before any database work; storing it only adds a flushed Image row.
            photo = save_upload(check_upload(upload))
        onboarding_service.save_shop_step(
            db.session, current_user, shop_name=form.shop_name.data, story=form.story.data,
            products_summary=form.products_summary.data, photo=photo, remove_photo=form.remove_photo.data)
    except UploadRejected as exc:
        db.session.rollback()
        form.photo_file.errors = [*form.photo_file.errors, exc.message]
        return _render_step("shop", form, 400)
    except onboarding_service.OnboardingError as exc:
        db.session.rollback()
        if exc.errors.get("status") == "locked":
            return _locked_redirect(current_user.seller_profile)
        _apply_errors(form, exc)
        return _render_step("shop", form, 400)
    return _saved_redirect("shop")


@bp.route("/daftar-toko/lokasi", methods=["GET", "POST"])
@login_required
def onboarding_location():
    if (blocked := _gate("location")) is not None:
        return blocked
    profile = current_user.seller_profile
    form = LocationForm(obj=profile)
    if request.method == "GET":
        return _render_step("location", form)
    return _step_post("location", form, lambda: onboarding_service.save_location_step(
        db.session, profile, kecamatan_code=form.kecamatan_code.data, desa=form.desa.data, address=form.address.data))


@bp.route("/daftar-toko/kontak", methods=["GET", "POST"])
@login_required
def onboarding_contact():
    if (blocked := _gate("contact")) is not None:
        return blocked
    profile = current_user.seller_profile
    form = ContactForm(whatsapp=profile.whatsapp or current_user.phone)
    if request.method == "GET":
        return _render_step("contact", form)
    return _step_post("contact", form, lambda: onboarding_service.save_contact_step(
        db.session, profile, whatsapp_e164=form.whatsapp.data))


@bp.route("/daftar-toko/program", methods=["GET", "POST"])
@login_required
def onboarding_programme():
    if (blocked := _gate("programme")) is not None:
        return blocked
    profile = current_user.seller_profile
    groups = onboarding_service.cohorts_by_training(db.session)
    all_cohorts = [cohort for _type, cohorts in groups for cohort in cohorts]
    context = {"groups": groups, "today_iso": to_wib(utcnow()).date().isoformat()}
    if request.method == "GET":
        data = {"group_name": profile.group_name, "cohorts": [str(link.cohort_id) for link in profile.cohorts]}
        if profile.in_programme is not None:
            data["in_programme"] = "yes" if profile.in_programme else "no"
        data.update({f"completed_{link.cohort_id}": link.completed_on for link in profile.cohorts})
        return _render_step("programme", programme_form(all_cohorts, data=data), **context)
    form = programme_form(all_cohorts)

    def save():
        chosen = form.chosen_ids()
        if chosen is None:
            raise onboarding_service.OnboardingError({"cohorts": "unknown_cohort"})
        in_programme = form.in_programme.data == "yes"
        completions = {cid: (form[f"completed_{cid}"].data if f"completed_{cid}" in form else None)
                       for cid in chosen} if in_programme else {}
        onboarding_service.save_programme_step(db.session, profile, in_programme=in_programme,
                                       group_name=form.group_name.data, completions=completions,
                                       today=to_wib(utcnow()).date())

    return _step_post("programme", form, save, **context)


@bp.route("/daftar-toko/dokumen", methods=["GET", "POST"])
@login_required
def onboarding_papers():
    if (blocked := _gate("papers")) is not None:
        return blocked
    profile = current_user.seller_profile
    form = PapersForm(obj=profile)
    if request.method == "GET":
        return _render_step("papers", form)
    return _step_post("papers", form, lambda: onboarding_service.save_papers_step(
        db.session, profile, nib=form.nib.data, pirt=form.pirt.data, halal=form.halal.data))


@bp.route("/daftar-toko/persetujuan", methods=["GET", "POST"])
@login_required
def onboarding_consent():
    if (blocked := _gate("consent")) is not None:
        return blocked
    profile = current_user.seller_profile
    form = ConsentForm(agree=profile.data_consent_at is not None)
    if request.method == "GET":
        return _render_step("consent", form)
    return _step_post("consent", form, lambda: onboarding_service.save_consent_step(
        db.session, profile, agreed=form.agree.data))


@bp.route("/daftar-toko/periksa", methods=["GET", "POST"])
@login_required
def onboarding_review():
    if (blocked := _gate("review")) is not None:
        return blocked
    profile = current_user.seller_profile
    form = SubmitForm()
    if request.method == "GET":
        return _render_step("review", form)
    if not form.validate_on_submit():
        return _render_step("review", form, 400)
    try:
        resubmission = onboarding_service.submit_for_review(db.session, profile)
    except onboarding_service.OnboardingError as exc:
        db.session.rollback()
        if "step" in exc.errors:
            flash(_("Please complete this step first."), "warning")
            return redirect(step_url(exc.errors["step"]))
        return _locked_redirect(profile)
    onboarding_service.notify_officers_of_submission(db.session, profile, resubmission=resubmission)
    flash(_("Thank you! Your shop was sent to the programme officers for approval."), "success")
    return redirect(url_for("sellers.dashboard"), code=303)


# ---- the dashboard --------------------------------------------------------------------------

@bp.route("/")
@login_required
def dashboard():
    """The producer's home: their status, and for approved shops what needs doing."""
    profile = current_user.seller_profile
    if profile is None:
        flash(_("Register your shop first."), "warning")
        return redirect(url_for("sellers.onboarding"))
    todo = onboarding_service.todo_counts(db.session, profile.id) if profile.status == SellerStatus.APPROVED else None
    resume_url = step_url(onboarding_service.resume_step(profile)) if onboarding_service.is_editable(profile) else None
    return render_template("sellers/dashboard.html", profile=profile, todo=todo, resume_url=resume_url,
                           low_stock=onboarding_service.LOW_STOCK)


# Views in sibling modules register themselves on `bp`.
from marketplace.sellers import balance, products, sales, shop, stall_sales  # noqa: E402,F401
