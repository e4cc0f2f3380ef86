"""Language selection: the user's saved choice, then the session's, then Indonesian."""
from __future__ import annotations

from flask import Flask, current_app, session
from flask_babel import get_locale
from flask_login import current_user

from marketplace.extensions import babel


def supported_languages() -> dict[str, str]:
    return current_app.config["LANGUAGES"]


def select_locale() -> str:
    languages = supported_languages()
    if current_user and current_user.is_authenticated and current_user.preferred_language in languages:
        return current_user.preferred_language
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def current_language() -> str:
    """'id' or 'en' for the current request."""
    locale = get_locale()
    return locale.language if locale else "id"


def init_i18n(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale, timezone_selector=lambda: "Asia/Jakarta")
    init_language_switch(app)


def init_language_switch(app: Flask) -> None:
    """POST /bahasa switches the language for the session and, when logged in, for the user."""
    from flask import abort, redirect, request
    from flask_babel import gettext as _

    from marketplace.extensions import db
    from marketplace.urls import safe_next_url

    def set_language():
        code = (request.form.get("lang") or "").strip()
        if code not in supported_languages():
            abort(400, _("This language is not available. Choose Bahasa Indonesia or English."))
        session["lang"] = code
        if current_user.is_authenticated:
            current_user.preferred_language = code
            db.session.commit()
        return redirect(safe_next_url(request.form.get("next")))

    app.add_url_rule("/bahasa", "set_language", set_language, methods=["POST"])
