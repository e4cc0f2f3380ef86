"""Security hardening: response headers (CSP and friends), rate limits, log-in lockout, ProxyFix.

`init_security` is called by create_app's `register_security` step. Views put the limits on
with the decorators below (`limit_login`, `limit_uploads`...), whose numbers come from the
RATELIMIT_* settings in config.py, read on each request so tests can lower them.
"""
from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable
from urllib.parse import urlsplit

from flask import Flask, current_app, request
from flask_babel import ngettext
from flask_limiter import RateLimitExceeded
from flask_limiter.util import get_remote_address
from flask_login import current_user
from limits import parse
from limits.strategies import MovingWindowRateLimiter
from werkzeug.datastructures import FileStorage
from werkzeug.middleware.proxy_fix import ProxyFix

from marketplace.extensions import limiter

# Extra origins the real Stripe.js needs besides its own (3-D Secure frames, its API).
_STRIPE_EXTRA_ORIGINS = {
    "https://js.stripe.com": {"frame-src": ["https://hooks.stripe.com"], "connect-src": ["https://api.stripe.com"]},
}

PERMISSIONS_POLICY = ", ".join([
    "camera=()", "microphone=()", "geolocation=()", "payment=(self)", "usb=()", "serial=()",
    "magnetometer=()", "gyroscope=()", "accelerometer=()", "display-capture=()",
])


# ---- headers ---------------------------------------------------------------------------------

def origin_of(url: str | None) -> str | None:
    """'https://js.stripe.com' for 'https://js.stripe.com/v3/'; None for relative or empty URLs."""
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"


def content_security_policy(config) -> str:
    """The Content-Security-Policy for every page: our own origin, plus Stripe.js where it needs to be."""
    stripe_js = origin_of(config.get("STRIPE_JS_URL"))
    stripe_api = origin_of(config.get("STRIPE_API_BASE"))
    sources: dict[str, list[str]] = {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-src": ["'none'"],
        "frame-ancestors": ["'none'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "manifest-src": ["'self'"],
    }
    if stripe_js:
        sources["script-src"].append(stripe_js)
        sources["frame-src"] = [stripe_js, *_STRIPE_EXTRA_ORIGINS.get(stripe_js, {}).get("frame-src", [])]
        sources["connect-src"] += [stripe_js, *_STRIPE_EXTRA_ORIGINS.get(stripe_js, {}).get("connect-src", [])]
    if stripe_api and stripe_api not in sources["connect-src"]:
        sources["connect-src"].append(stripe_api)
    return "; ".join(f"{name} {' '.join(dict.fromkeys(values))}" for name, values in sources.items())


def _set_security_headers(response):
    config = current_app.config
    headers = response.headers
    # setdefault: a view that already chose a stricter value (e.g. no-referrer on reset links) keeps it.
    headers.setdefault("Content-Security-Policy", content_security_policy(config))
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")  # frame-ancestors for browsers too old for CSP 2
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
    if config.get("HSTS_SECONDS"):
        headers.setdefault("Strict-Transport-Security", f"max-age={int(config['HSTS_SECONDS'])}; includeSubDomains")
    return response


# ---- rate limits -----------------------------------------------------------------------------

def _setting(name: str) -> Callable[[], str]:
    return lambda: current_app.config[name]


def user_or_address() -> str:
    """Rate-limit key: the logged-in user, else the client address (checkout, uploads)."""
    if current_user and current_user.is_authenticated:
        return f"user:{current_user.get_id()}"
    return f"ip:{get_remote_address()}"


def _email_digest(email: str | None) -> str:
    # Hashed so that rate-limit storage (Redis) never holds e-mail addresses.
    normalised = (email or "").strip().lower()
    return hashlib.sha256(normalised.encode()).hexdigest()[:32]


def posted_email() -> str:
    """Rate-limit key: the e-mail address in the posted form, normalised and hashed."""
    return "email:" + _email_digest(request.form.get("email"))


def sends_file() -> bool:
    """True when the request carries at least one chosen file."""
    return any(isinstance(f, FileStorage) and f.filename for f in request.files.values())


def limit_login(view):
    """Log-in attempts per client address (POST only)."""
    return limiter.limit(_setting("RATELIMIT_LOGIN"), methods=["POST"])(view)


def limit_registration(view):
    """New accounts per client address (POST only)."""
    return limiter.limit(_setting("RATELIMIT_REGISTER"), methods=["POST"])(view)


def limit_password_reset(view):
    """Reset requests per client address and per e-mail address (no mail bombing one inbox)."""
    view = limiter.limit(_setting("RATELIMIT_PASSWORD_RESET_EMAIL"), key_func=posted_email, methods=["POST"])(view)
    return limiter.limit(_setting("RATELIMIT_PASSWORD_RESET"), methods=["POST"])(view)


def limit_checkout(view):
    """Orders placed per user (or address, for guests); other posts to the page are free."""
    return limiter.limit(_setting("RATELIMIT_CHECKOUT"), key_func=user_or_address, methods=["POST"],
                         exempt_when=lambda: request.form.get("action") != "place")(view)


def limit_uploads(view):
    """Posts carrying a file, counted together over every upload form, per user (or address)."""
    return limiter.shared_limit(_setting("RATELIMIT_UPLOAD"), scope="upload", key_func=user_or_address,
                                methods=["POST"], exempt_when=lambda: not sends_file())(view)


def retry_message(seconds: float) -> str:
    """'Too many attempts. Please try again in N minutes.' in the reader's language."""
    # Reset times come rounded up to the next second: 61 s still reads as "1 minute".
    minutes = max(1, math.ceil((seconds - 1) / 60))
    return ngettext("Too many attempts. Please try again in %(num)d minute.",
                    "Too many attempts. Please try again in %(num)d minutes.", minutes)


def _seconds_until(reset_at: float) -> int:
    return max(1, math.ceil(reset_at - time.time()))


def _rate_limited(error: RateLimitExceeded):
    from marketplace.errors import render_error

    current = limiter.current_limit
    seconds = _seconds_until(current.reset_at) if current is not None else 60
    return render_error(429, retry_message(seconds), {"Retry-After": str(seconds)})


# ---- log-in lockout --------------------------------------------------------------------------
# Counted per e-mail address whether or not an account has it, and answered with the same
# message either way, so the lockout tells nobody which addresses are registered.

def _lockout_item(attempts: int, minutes: int):
    return parse(f"{attempts} per {minutes} minutes")


def _lockout_call(method: str, email: str, attempts: int, minutes: int):
    """Call the moving-window strategy on the limiter's storage; None when the storage fails."""
    if not (limiter.enabled and limiter.initialized):
        return None
    strategy = MovingWindowRateLimiter(limiter.storage)
    namespace = f"{current_app.config.get('RATELIMIT_KEY_PREFIX') or 'plb'}/login-lockout"
    item = _lockout_item(attempts, minutes)
    try:
        if method == "locked_for":
            if strategy.test(item, namespace, _email_digest(email)):
                return None
            return _seconds_until(strategy.get_window_stats(item, namespace, _email_digest(email)).reset_time)
        return getattr(strategy, method)(item, namespace, _email_digest(email))
    except Exception:  # noqa: BLE001 - like the route limits, fail open when Redis is away
        current_app.logger.exception("login lockout storage failed")
        return None


def login_lockout_seconds(email: str, *, attempts: int, minutes: int) -> int | None:
    """Seconds until `email` may try to log in again, or None if it is not locked."""
    return _lockout_call("locked_for", email, attempts, minutes)


def record_failed_login(email: str, *, attempts: int, minutes: int) -> None:
    """Count one failed log-in for `email`."""
    _lockout_call("hit", email, attempts, minutes)


def clear_failed_logins(email: str, *, attempts: int, minutes: int) -> None:
    """Forget the failed log-ins of `email` (after a successful one)."""
    _lockout_call("clear", email, attempts, minutes)


# ---- set-up ----------------------------------------------------------------------------------

def init_security(app: Flask) -> None:
    """Trust the proxy's X-Forwarded-* if told to, start the limiter and add headers to every response."""
    if app.config.get("BEHIND_PROXY"):
        hops = int(app.config.get("PROXY_HOPS") or 1)
        # Not X-Forwarded-Host: a client could pass one through a proxy that doesn't set it and
        # steer the absolute links in e-mails (password reset) to another site.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=0, x_port=0)
    limiter.init_app(app)
    app.register_error_handler(RateLimitExceeded, _rate_limited)
    app.after_request(_set_security_headers)
