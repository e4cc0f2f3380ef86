"""Friendly error pages in the reader's language, for browsers and JSON clients."""
from __future__ import annotations

from flask import Flask, current_app, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

ERROR_TEXTS = {
    400: (_l("Bad request"), _l("Something in the request was not right. Please go back and try again.")),
    403: (_l("Not allowed"), _l("Your account does not have access to this page.")),
    404: (_l("Page not found"), _l("The page you are looking for does not exist or has been moved.")),
    405: (_l("Not allowed"), _l("This page cannot be used that way.")),
    413: (_l("File too large"), _l("The file you sent is too large.")),
    429: (_l("Too many attempts"), _l("Please wait a moment before trying again.")),
    500: (_l("Something went wrong"), _l("We could not finish your request. Please try again later.")),
}
CSRF_MESSAGE = _l("Your form expired or was sent from elsewhere. Please reload the page and try again.")

# Headers of the original error worth keeping on our page (405's Allow, 429's Retry-After...).
_KEPT_HEADERS = {"allow", "retry-after", "www-authenticate"}


def wants_json() -> bool:
    """True for API clients: they prefer JSON to HTML, or sent JSON without asking for HTML."""
    if request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json":
        return True
    if request.path.endswith(".json"):
        return True
    return request.is_json and not request.accept_mimetypes.accept_html


def render_error(code: int, message: str | None = None, headers: dict | None = None):
    """The error page (or JSON body) for HTTP status `code`, with an optional specific message."""
    title, default_message = ERROR_TEXTS.get(code, ERROR_TEXTS[500 if code >= 500 else 400])
    text = str(message or default_message)
    if wants_json():
        response = jsonify(error=str(title), message=text, status=code)
    else:
        response = current_app.make_response(
            render_template("errors/error.html", code=code, title=title, message=text)
        )
    response.status_code = code
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _kept_headers(error: HTTPException) -> dict:
    return {name: value for name, value in error.get_headers() if name.lower() in _KEPT_HEADERS}


def _fallback_page(code: int):
    """A bare page for when even the error template fails (e.g. the database is down)."""
    title, message = ERROR_TEXTS[500]
    body = f"<!doctype html><html><head><meta charset=\"utf-8\"><title>{title}</title></head>" \
           f"<body><h1>{title}</h1><p>{message}</p></body></html>"
    return body, code, {"Content-Type": "text/html; charset=utf-8"}


def init_error_handlers(app: Flask) -> None:
    """Register handlers that turn every HTTP error into our page or JSON."""

    @app.errorhandler(CSRFError)
    def _csrf_error(error: CSRFError):
        return render_error(400, CSRF_MESSAGE)

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        code = error.code or 500
        if code >= 500:
            return _server_error(error)
        # abort(code, message) passes our own translated message; Werkzeug's default
        # English descriptions are replaced by ours.
        custom = error.description if error.description != type(error).description else None
        return render_error(code, custom, _kept_headers(error))

    @app.errorhandler(InternalServerError)
    def _server_error(error: HTTPException):
        # A failed query leaves the session unusable (PostgreSQL aborts the transaction);
        # roll back so the page's header (cart count, user) can still be read.
        from marketplace.extensions import db

        try:
            db.session.rollback()
        except Exception:  # noqa: BLE001 - the database itself may be what failed
            current_app.logger.exception("rollback after a server error failed")
        try:
            return render_error(error.code or 500)
        except Exception:  # noqa: BLE001 - never answer an error with a second traceback
            current_app.logger.exception("the error page itself failed")
            return _fallback_page(error.code or 500)
