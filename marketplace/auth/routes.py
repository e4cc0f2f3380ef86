"""Account views: register, log in, log out, account page."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from marketplace.auth.forms import LoginForm, RegisterForm
from marketplace.extensions import db, login_manager
from marketplace.i18n import current_language
from marketplace.models import User
from marketplace.services import accounts
from marketplace.urls import safe_next_url

bp = Blueprint("auth", __name__)

login_manager.login_view = "auth.login"
login_manager.login_message_category = "warning"


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    return db.session.get(User, int(user_id)) if user_id.isdigit() else None


@bp.before_app_request
def _localise_login_message() -> None:
    login_manager.login_message = _("Please log in to open this page.")


@bp.route("/masuk", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(safe_next_url(request.args.get("next")))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        user = accounts.authenticate(db.session, form.email.data, form.password.data)
        if user is None:
            flash(_("E-mail or password is not right."), "error")
            return render_template("auth/login.html", form=form), 401
        login_user(user, remember=form.remember.data)
        accounts.record_login(db.session, user)
        flash(_("Welcome back, %(name)s.", name=user.name), "success")
        return redirect(safe_next_url(form.next.data))
    status = 400 if form.is_submitted() else 200
    return render_template("auth/login.html", form=form), status


@bp.route("/keluar", methods=["POST"])
def logout():
    logout_user()
    flash(_("You have logged out."), "success")
    return redirect(url_for("catalog.home"))


@bp.route("/daftar", methods=["GET", "POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("catalog.home"))
    form = RegisterForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        try:
            user = accounts.register_user(
                db.session,
                email=form.email.data,
                name=form.name.data,
                password=form.password.data,
                phone=form.phone.data or None,
                language=current_language(),
                hash_method=current_app.config["PASSWORD_HASH_METHOD"],
            )
        except accounts.AccountError:
            form.email.errors.append(_("An account with this e-mail already exists. Log in instead."))
        else:
            login_user(user)
            accounts.record_login(db.session, user)
            flash(_("Your account is ready. Welcome, %(name)s!", name=user.name), "success")
            return redirect(safe_next_url(form.next.data))
    status = 400 if form.is_submitted() else 200
    return render_template("auth/register.html", form=form), status


@bp.route("/")
@login_required
def account():
    return render_template("auth/account.html")
