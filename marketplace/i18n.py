"""Language selection: the user's saved choice, then the session's, then Indonesian.

Every page's footer posts to /bahasa; the choice is kept in the session for guests and
saved as `preferred_language` for logged-in users, so it comes back at their next login.
"""
from __future__ import annotations

from collections.abc import Iterable

from flask import Flask, abort, current_app, g, redirect, request, session
from flask_babel import get_locale, get_translations
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import Session

from marketplace.extensions import babel
from marketplace.models import User

SESSION_KEY = "lang"


class UnsupportedLanguage(ValueError):
    """The language code is not one the marketplace is translated into."""


def supported_languages() -> dict[str, str]:
    """Language code -> name in that language, e.g. {'id': 'Bahasa Indonesia', 'en': 'English'}."""
    return current_app.config["LANGUAGES"]


def select_locale() -> str:
    """Flask-Babel's locale selector for the current request."""
    languages = supported_languages()
    if current_user and current_user.is_authenticated and current_user.preferred_language in languages:
        return current_user.preferred_language
    chosen = session.get(SESSION_KEY)
    if chosen in languages:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


def current_language() -> str:
    """'id' or 'en' for the current request."""
    locale = get_locale()
    return locale.language if locale else current_app.config["BABEL_DEFAULT_LOCALE"]


def save_preferred_language(db_session: Session, user: User, code: str, languages: Iterable[str]) -> None:
    """Remember `code` as the user's language. Raises UnsupportedLanguage; commits once."""
    if code not in set(languages):
        raise UnsupportedLanguage(code)
    if user.preferred_language != code:
        user.preferred_language = code
        db_session.commit()


def set_language():
    """POST /bahasa: switch language for this session (and the logged-in user), then go back."""
    from marketplace.extensions import db
    from marketplace.urls import safe_next_url

    code = (request.form.get("lang") or "").strip().lower()
    languages = supported_languages()
    if code not in languages:
        abort(400, _("This language is not available. Choose Bahasa Indonesia or English."))
    session[SESSION_KEY] = code
    if current_user.is_authenticated:
        save_preferred_language(db.session, current_user, code, languages)
    return redirect(safe_next_url(request.form.get("next")), code=303)


def _current_translations():
    """Flask-Babel's `get_translations()`, looked up once per request and language rather than
    for each of the few dozen strings a page translates (each lookup walks the request context
    four times and formats the locale's name). A forced or refreshed locale is a new object,
    so it gets its own translations."""
    babel_context = g.get("_flask_babel") if g else None
    locale = getattr(babel_context, "babel_locale", None)
    if locale is None:                   # not chosen yet in this request, or just refreshed
        return get_translations()
    known = getattr(babel_context, "plb_translations", None)
    if known is not None and known[0] is locale:
        return known[1]
    translations = get_translations()
    babel_context.plb_translations = (locale, translations)
    return translations


def init_i18n(app: Flask) -> None:
    """Bind Flask-Babel with our selectors, a quicker gettext for templates, and the /bahasa route."""
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    app.jinja_env.install_gettext_callables(
        gettext=lambda text: _current_translations().ugettext(text),
        ngettext=lambda singular, plural, n: _current_translations().ungettext(singular, plural, n),
        pgettext=lambda context, text: _current_translations().upgettext(context, text),
        npgettext=lambda context, singular, plural, n: _current_translations().unpgettext(context, singular, plural, n),
        newstyle=True,
    )
    app.add_url_rule("/bahasa", "set_language", set_language, methods=["POST"])
