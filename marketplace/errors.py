"""Friendly error pages in the reader's language, for browsers and JSON clients."""
from __future__ import annotations

from flask import Flask, jsonify, render_template, request
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


def render_error(code: int, message: str | None = None):
    title, default_message = ERROR_TEXTS.get(code, ERROR_TEXTS[500 if code >= 500 else 400])
    text = str(message or default_message)
    if request.accept_mimetypes.best == "application/json" or request.path.endswith(".json"):
        return jsonify(error=str(title), message=text), code
    return render_template("errors/error.html", code=code, title=title, message=text), code


def init_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf_error(error: CSRFError):
        return render_error(400, _l("Your form expired or was sent from elsewhere. Please reload the page and try again."))

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        code = error.code or 500
        if code not in ERROR_TEXTS and code < 500:
            return error
        # abort(code, message) passes our own translated message; Werkzeug's default
        # English descriptions are replaced by ours.
        custom = error.description if error.description != type(error).description else None
        return render_error(code, custom)

    @app.errorhandler(InternalServerError)
    def _server_error(error: InternalServerError):
        return render_error(500)
