"""Security headers on every response, a CSP the templates can live with, secure cookies and
HSTS in production, ProxyFix behind a proxy."""
from __future__ import annotations

import re

import pytest

from config import BASE_DIR
from marketplace import create_app
from marketplace.extensions import db, limiter
from marketplace.security import content_security_policy, origin_of
from tests import factories


def csp_of(response) -> dict[str, list[str]]:
    policy = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


@pytest.mark.parametrize("path", ["/", "/akun/masuk", "/no-such-page", "/healthz", "/static/css/app.css"])
def test_every_response_carries_the_security_headers(client, path):
    response = client.get(path)

    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    permissions = response.headers["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()"):
        assert feature in permissions
    csp = csp_of(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["img-src"] == ["'self'", "data:"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"]
    assert csp["form-action"] == ["'self'"]
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response.headers["Content-Security-Policy"]


def test_scripts_come_only_from_us_and_the_configured_stripe_js(app, client):
    local_stripe = "http://127.0.0.1:8420/js.stripe.com/v3/"
    saved = app.config["STRIPE_JS_URL"], app.config["STRIPE_API_BASE"]
    app.config.update(STRIPE_JS_URL=local_stripe, STRIPE_API_BASE="http://127.0.0.1:8420")
    try:
        csp = csp_of(client.get("/"))
    finally:
        app.config["STRIPE_JS_URL"], app.config["STRIPE_API_BASE"] = saved

    assert csp["script-src"] == ["'self'", "http://127.0.0.1:8420"]
    assert csp["frame-src"] == ["http://127.0.0.1:8420"]
    assert csp["connect-src"] == ["'self'", "http://127.0.0.1:8420"]


def test_real_stripe_gets_its_frames_and_api_too():
    policy = content_security_policy({"STRIPE_JS_URL": "https://js.stripe.com/v3/",
                                      "STRIPE_API_BASE": "https://api.stripe.com"})

    assert "script-src 'self' https://js.stripe.com;" in policy
    assert "frame-src https://js.stripe.com https://hooks.stripe.com;" in policy
    assert "connect-src 'self' https://js.stripe.com https://api.stripe.com;" in policy


def test_no_stripe_url_means_no_frames_at_all():
    policy = content_security_policy({"STRIPE_JS_URL": "", "STRIPE_API_BASE": None})

    assert "frame-src 'none';" in policy
    assert "script-src 'self';" in policy


def test_origin_of_ignores_relative_and_odd_urls():
    assert origin_of("https://js.stripe.com/v3/") == "https://js.stripe.com"
    assert origin_of("/static/js/app.js") is None
    assert origin_of("javascript:alert(1)") is None
    assert origin_of(None) is None


def test_a_stricter_referrer_policy_chosen_by_a_view_is_kept(client):
    response = client.get("/akun/atur-ulang/not-a-real-token")

    assert response.status_code == 400
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_no_hsts_outside_production(client):
    assert "Strict-Transport-Security" not in client.get("/healthz").headers


# ---- the templates and scripts must live with the CSP ----------------------------------------

def _files(folder: str, suffix: str):
    return sorted((BASE_DIR / folder).rglob(f"*{suffix}"))


def test_templates_have_no_inline_styles_or_scripts():
    problems = []
    for path in _files("templates", ".html"):
        text = path.read_text()
        for number, line in enumerate(text.splitlines(), 1):
            where = f"{path.relative_to(BASE_DIR)}:{number}"
            if re.search(r"\sstyle\s*=", line) or "<style" in line:
                problems.append(f"{where}: inline style")
            if re.search(r"\son[a-z]+\s*=\s*[\"']", line):
                problems.append(f"{where}: inline event handler")
            if "javascript:" in line:
                problems.append(f"{where}: javascript: URL")
        for match in re.finditer(r"<script\b([^>]*)>", text):
            attributes = match.group(1)
            if "src=" not in attributes and 'type="application/ld+json"' not in attributes:
                problems.append(f"{path.relative_to(BASE_DIR)}: inline <script>")

    assert problems == []


def test_templates_load_nothing_from_a_cdn():
    remote = [f"{path.relative_to(BASE_DIR)}: {m.group(0)}"
              for path in _files("templates", ".html")
              for m in re.finditer(r"(?:src|href)=\"(?:https?:)?//[^\"]+\"", path.read_text())]

    assert remote == []


def test_scripts_do_not_need_unsafe_eval_or_inline_styles():
    problems = [f"{path.name}: {pattern}"
                for path in _files("static/js", ".js")
                for pattern in ("eval(", "new Function(", "setAttribute('style'", 'setAttribute("style"')
                if pattern in path.read_text()]

    assert problems == []


# ---- production: HSTS and cookies ------------------------------------------------------------

@pytest.fixture
def production_app(app, database_uri, tmp_path):
    made = []

    def make(**overrides):
        settings = {"SECRET_KEY": "production-test-key", "SQLALCHEMY_DATABASE_URI": database_uri,
                    "MEDIA_ROOT": str(tmp_path), "WTF_CSRF_ENABLED": False, "MAIL_BACKEND": "memory"}
        settings.update(overrides)
        made.append(create_app("production", **settings))
        return made[-1]

    yield make
    for other in made:
        with other.app_context():
            db.engine.dispose()
    limiter.init_app(app)
    limiter.reset()


def test_production_sends_hsts(production_app):
    response = production_app().test_client().get("/healthz")

    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def _cookie(response, name: str) -> str:
    for header in response.headers.getlist("Set-Cookie"):
        if header.startswith(f"{name}="):
            return header
    raise AssertionError(f"no {name} cookie in {response.headers.getlist('Set-Cookie')}")


def test_production_cookies_are_secure_http_only_and_same_site_lax(session, production_app):
    user = factories.make_user(session, email="sri@example.id")
    client = production_app().test_client()

    response = client.post("/akun/masuk", data={"email": user.email, "password": factories.PASSWORD,
                                                "remember": "y"})

    assert response.status_code == 303
    for name in ("session", "remember_token"):
        cookie = _cookie(response, name)
        assert "Secure" in cookie
        assert "HttpOnly" in cookie
        assert "SameSite=Lax" in cookie


# ---- behind a reverse proxy ------------------------------------------------------------------

def test_behind_a_proxy_each_forwarded_client_has_its_own_limit(production_app):
    app = production_app(BEHIND_PROXY=True, RATELIMIT_LOGIN="1 per minute")
    client = app.test_client()

    def attempt(address):
        return client.post("/akun/masuk", data={"email": "x@example.id", "password": "salah"},
                           headers={"X-Forwarded-For": address, "X-Forwarded-Proto": "https"}).status_code

    assert [attempt("203.0.113.7"), attempt("203.0.113.7"), attempt("198.51.100.4")] == [400, 429, 400]


def test_without_the_proxy_setting_forwarded_headers_are_not_believed(production_app):
    app = production_app(BEHIND_PROXY=False, RATELIMIT_LOGIN="1 per minute")
    client = app.test_client()

    def attempt(address):
        return client.post("/akun/masuk", data={"email": "x@example.id", "password": "salah"},
                           headers={"X-Forwarded-For": address}).status_code

    assert [attempt("203.0.113.7"), attempt("198.51.100.4")] == [400, 429]


def test_behind_a_proxy_links_use_https_but_never_a_forwarded_host(session, production_app):
    from marketplace.services.mail import outbox

    factories.make_user(session, email="sri@example.id")
    app = production_app(BEHIND_PROXY=True)

    response = app.test_client().post(
        "/akun/lupa-kata-sandi", data={"email": "sri@example.id"}, base_url="http://pasarlokalblitar.id",
        headers={"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https",
                 "X-Forwarded-Host": "evil.example"})

    assert response.status_code == 303
    [mail] = outbox(app)
    assert "https://pasarlokalblitar.id/akun/atur-ulang/" in mail.body
    assert "evil.example" not in mail.body
