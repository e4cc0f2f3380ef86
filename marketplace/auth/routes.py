"""Account views: register, log in and out, account page, change and reset password."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user

from marketplace.auth.forms import (
    AccountForm, ChangePasswordForm, ForgotPasswordForm, LoginForm, RegisterForm, ResetPasswordForm,
)
from marketplace.extensions import db, login_manager
from marketplace.formatting import InvalidPhoneNumber
from marketplace.i18n import current_language
from marketplace.models import User
from marketplace.security import (
    clear_failed_logins, limit_login, limit_password_reset, limit_registration, login_lockout_seconds,
    record_failed_login, retry_message,
)
from marketplace.services import accounts
from marketplace.urls import is_safe_next, safe_next_url

bp = Blueprint("auth", __name__)

login_manager.login_view = "auth.login"
login_manager.login_message = _l("Please log in to open this page.")
login_manager.login_message_category = "warning"
# Flask-Login flashes str(message): the lazy string is translated per request, in its language.
login_manager.localize_callback = str

TOKEN_MESSAGES = {
    "token_expired": lambda: _("This link has expired. Links to reset a password work for a limited time only."),
    "token_invalid": lambda: _("This link is not valid or has already been used."),
}


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """The logged-in user; an account switched off since is logged out at its next request."""
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    return user if user is not None and user.is_active else None


def _config(name: str):
    return current_app.config[name]


def _next_from_args() -> str:
    target = request.args.get("next")
    return target if is_safe_next(target) else ""


def _password_rules() -> dict:
    return {"hash_method": _config("PASSWORD_HASH_METHOD"), "min_length": _config("PASSWORD_MIN_LENGTH")}


def _lockout() -> dict:
    return {"attempts": _config("LOGIN_LOCKOUT_ATTEMPTS"), "minutes": _config("LOGIN_LOCKOUT_MINUTES")}


@bp.route("/masuk", methods=["GET", "POST"])
@limit_login
def login():
    if current_user.is_authenticated:
        return redirect(safe_next_url(request.args.get("next")))
    form = LoginForm(next=_next_from_args())
    if form.validate_on_submit():
        # Same answer for every locked address, registered or not: nothing is revealed.
        locked_for = login_lockout_seconds(form.email.data, **_lockout())
        if locked_for is not None:
            body = render_template("auth/login.html", form=form, login_error=retry_message(locked_for))
            return body, 429, {"Retry-After": str(locked_for)}
        try:
            user = accounts.authenticate(db.session, form.email.data, form.password.data,
                                         hash_method=_config("PASSWORD_HASH_METHOD"))
        except accounts.AccountError:
            error = _("This account has been switched off. Please contact a programme officer.")
            return render_template("auth/login.html", form=form, login_error=error), 403
        if user is None:
            record_failed_login(form.email.data, **_lockout())
            error = _("E-mail or password is not right.")
            return render_template("auth/login.html", form=form, login_error=error), 400
        clear_failed_logins(form.email.data, **_lockout())
        login_user(user, remember=form.remember.data)
        accounts.record_login(db.session, user)
        flash(_("Welcome back, %(name)s.", name=user.name), "success")
        return redirect(safe_next_url(form.next.data), code=303)
    status = 400 if form.is_submitted() else 200
    return render_template("auth/login.html", form=form), status


@bp.route("/keluar", methods=["POST"])
def logout():
    logout_user()
    flash(_("You have logged out."), "success")
    return redirect(url_for("catalog.home"), code=303)


@bp.route("/daftar", methods=["GET", "POST"])
@limit_registration
def register():
    if current_user.is_authenticated:
        return redirect(url_for("catalog.home"))
    form = RegisterForm(next=_next_from_args())
    if form.validate_on_submit():
        try:
            user = accounts.register_user(
                db.session,
                email=form.email.data,
                name=form.name.data,
                password=form.password.data,
                phone=form.phone.data or None,
                language=current_language(),
                hash_method=_config("PASSWORD_HASH_METHOD"),
            )
        except accounts.AccountError:
            form.email.errors.append(_("An account with this e-mail already exists. Log in instead."))
        else:
            login_user(user)
            accounts.record_login(db.session, user)
            flash(_("Your account is ready. Welcome, %(name)s!", name=user.name), "success")
            return redirect(safe_next_url(form.next.data), code=303)
    status = 400 if form.is_submitted() else 200
    return render_template("auth/register.html", form=form), status


@bp.route("/", methods=["GET", "POST"])
@login_required
def account():
    form = AccountForm(obj=current_user)
    if form.validate_on_submit():
        try:
            accounts.update_profile(
                db.session, current_user, name=form.name.data, phone=form.phone.data,
                language=form.preferred_language.data, languages=_config("LANGUAGES"),
            )
        except InvalidPhoneNumber:
            form.phone.errors.append(_("Enter a valid phone number, for example 0812-3456-7890."))
        except accounts.AccountError:
            form.name.errors.append(_("Enter your name."))
        else:
            session["lang"] = current_user.preferred_language
            flash(_("Your details have been saved."), "success")
            return redirect(url_for("auth.account"), code=303)
    status = 400 if form.is_submitted() else 200
    return render_template("auth/account.html", form=form), status


@bp.route("/kata-sandi", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            accounts.change_password(db.session, current_user, form.current_password.data, form.password.data,
                                     **_password_rules())
        except accounts.AccountError:
            form.current_password.errors.append(_("Your current password is not right."))
        else:
            accounts.send_password_changed_notice(current_user)
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("auth.account"), code=303)
    status = 400 if form.is_submitted() else 200
    return render_template("auth/change_password.html", form=form), status


@bp.route("/lupa-kata-sandi", methods=["GET", "POST"])
@limit_password_reset
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        accounts.request_password_reset(
            db.session, form.email.data, secret_key=_config("SECRET_KEY"),
            max_age=_config("PASSWORD_RESET_MAX_AGE"),
            link_for=lambda token: url_for("auth.reset_password", token=token, _external=True),
        )
        return redirect(url_for("auth.forgot_password_sent"), code=303)
    status = 400 if form.is_submitted() else 200
    return render_template("auth/forgot_password.html", form=form), status


@bp.route("/lupa-kata-sandi/terkirim")
def forgot_password_sent():
    # The same page whether or not the e-mail has an account.
    return render_template("auth/forgot_password_sent.html")


@bp.route("/atur-ulang/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    secret_key, max_age = _config("SECRET_KEY"), _config("PASSWORD_RESET_MAX_AGE")
    try:
        accounts.user_for_reset_token(db.session, secret_key, token, max_age)
    except accounts.AccountError as error:
        return _no_referrer(render_template("auth/reset_invalid.html", message=TOKEN_MESSAGES[error.code]()), 400)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            user = accounts.reset_password(db.session, token, form.password.data, secret_key=secret_key,
                                           max_age=max_age, **_password_rules())
        except accounts.AccountError as error:
            message = TOKEN_MESSAGES.get(error.code, TOKEN_MESSAGES["token_invalid"])()
            return _no_referrer(render_template("auth/reset_invalid.html", message=message), 400)
        login_user(user)
        accounts.record_login(db.session, user)
        flash(_("Your new password is saved and you are logged in."), "success")
        return redirect(url_for("catalog.home"), code=303)
    status = 400 if form.is_submitted() else 200
    return _no_referrer(render_template("auth/reset_password.html", form=form), status)


def _no_referrer(body: str, status: int):
    """Keep the reset token out of Referer headers sent to other sites."""
    return body, status, {"Referrer-Policy": "no-referrer"}
