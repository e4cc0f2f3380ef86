"""Configuration classes, read from the environment.

`create_app` picks a class by name (`development`, `testing`, `production`) from the
`MARKETPLACE_CONFIG` variable, or from its own argument. Settings marked `env(...)` are
read from the environment when the app is created, not when this module is imported, so
a `.env` file loaded by `create_app` (development only) is honoured.
"""
from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

from dotenv import load_dotenv

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("INSTANCE_PATH", BASE_DIR / "instance"))
ENV_FILE = BASE_DIR / ".env"


def _to_bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


class _FromEnv:
    """A class attribute whose value is computed each time it is read."""

    def __init__(self, read: Callable[[], Any]):
        self.read = read

    def __get__(self, instance, owner=None):
        return self.read()


def env(name: str, default: Any = None, cast: Callable[[str], Any] = str) -> Any:
    """A setting taken from environment variable `name` (empty counts as unset) when the app starts."""

    def read():
        value = os.environ.get(name)
        return default if value in (None, "") else cast(value)

    return _FromEnv(read)


def computed(read: Callable[[], Any]) -> Any:
    """A setting built from several environment variables when the app starts."""
    return _FromEnv(read)


def load_env_file(path: Path | None = None) -> bool:
    """Read KEY=value lines from `.env` (development only); real environment variables win."""
    return load_dotenv(path or ENV_FILE, override=False)


def development_secret_key(instance_dir: Path = INSTANCE_DIR) -> str:
    """Return the development secret key, generating it once under instance/."""
    key_file = instance_dir / "secret_key"
    if key_file.exists():
        key = key_file.read_text().strip()
        if key:
            return key
    instance_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def database_url(url: str) -> str:
    """Use the psycopg 3 driver for plain `postgresql://` / `postgres://` URLs.

    Hosting platforms still hand out `postgres://`, which SQLAlchemy no longer accepts.
    """
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _default_database_url() -> str:
    return database_url(os.environ.get("DATABASE_URL") or f"sqlite:///{INSTANCE_DIR / 'marketplace.sqlite'}")


class Config:
    """Settings shared by every environment."""

    ENV_NAME = "base"
    SECRET_KEY: str | None = env("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI: str = computed(_default_database_url)
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    MEDIA_ROOT = env("MEDIA_ROOT", str(INSTANCE_DIR / "media"))
    # Where uploaded pictures are kept: "local" (files under MEDIA_ROOT) or "s3" (a bucket on S3
    # or an S3-compatible server; S3_ENDPOINT_URL for MinIO, Ceph...). See services/storage.py.
    MEDIA_BACKEND = env("MEDIA_BACKEND", "local", lambda value: value.strip().lower())
    S3_BUCKET = env("S3_BUCKET")
    S3_ENDPOINT_URL = env("S3_ENDPOINT_URL")
    S3_REGION = env("S3_REGION")
    S3_ACCESS_KEY_ID = env("S3_ACCESS_KEY_ID")
    S3_SECRET_ACCESS_KEY = env("S3_SECRET_ACCESS_KEY")
    S3_PREFIX = env("S3_PREFIX", "")
    MEDIA_URL_PREFIX = "/media"
    MAX_CONTENT_LENGTH = env("MAX_CONTENT_LENGTH", 16 * 1024 * 1024, int)
    MAX_IMAGE_BYTES = 15 * 1024 * 1024
    MAX_IMAGE_PIXELS = 40_000_000
    IMAGE_WIDTHS = (320, 800, 1600)

    BABEL_DEFAULT_LOCALE = "id"
    BABEL_DEFAULT_TIMEZONE = "Asia/Jakarta"
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "translations")
    LANGUAGES = {"id": "Bahasa Indonesia", "en": "English"}

    PASSWORD_HASH_METHOD = "scrypt"
    PASSWORD_MIN_LENGTH = 8
    PASSWORD_RESET_MAX_AGE = env("PASSWORD_RESET_MAX_AGE", 3600, int)
    REMEMBER_COOKIE_DURATION = 60 * 60 * 24 * 30
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None

    MAIL_BACKEND = env("MAIL_BACKEND", "console")
    MAIL_DEFAULT_SENDER = env("MAIL_DEFAULT_SENDER", "Pasar Lokal Blitar <noreply@pasarlokalblitar.id>")
    MAIL_SERVER = env("MAIL_SERVER", "localhost")
    MAIL_PORT = env("MAIL_PORT", 587, int)
    MAIL_USERNAME = env("MAIL_USERNAME")
    MAIL_PASSWORD = env("MAIL_PASSWORD")
    MAIL_USE_TLS = env("MAIL_USE_TLS", True, _to_bool)
    MAIL_OUTBOX_DIR = env("MAIL_OUTBOX_DIR", str(INSTANCE_DIR / "outbox"))

    STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY")
    STRIPE_PUBLISHABLE_KEY = env("STRIPE_PUBLISHABLE_KEY")
    STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET")
    STRIPE_API_BASE = env("STRIPE_API_BASE", "https://api.stripe.com")
    STRIPE_JS_URL = env("STRIPE_JS_URL", "https://js.stripe.com/v3/")

    STRIPE_MINIMUM_AMOUNT = env("STRIPE_MINIMUM_AMOUNT", 10_000, int)  # rupiah; Stripe's real IDR minimum is unverified

    # Unpaid orders expire (and give their stock back) after these many minutes.
    ORDER_EXPIRY_MINUTES = computed(lambda: {
        "card": int(os.environ.get("ORDER_EXPIRY_CARD_MINUTES") or 30),
        "transfer": int(os.environ.get("ORDER_EXPIRY_TRANSFER_MINUTES") or 24 * 60),
    })
    STUCK_ORDER_DAYS = env("STUCK_ORDER_DAYS", 3, int)
    # The marketplace operator's account that buyers transfer to.
    BANK_ACCOUNT = computed(lambda: {
        "bank": os.environ.get("BANK_NAME") or "Bank Jatim",
        "number": os.environ.get("BANK_ACCOUNT_NUMBER") or "0011223344",
        "holder": os.environ.get("BANK_ACCOUNT_HOLDER") or "Koperasi Pasar Lokal Blitar",
    })

    REDIS_URL = env("REDIS_URL")
    # Anonymous visitors' catalogue pages kept this many seconds at most (marketplace/page_cache.py;
    # any catalogue change drops them at once). On by default only with Redis, which keeps the
    # cache exact across several app processes; 0 turns it off.
    PAGE_CACHE_SECONDS = computed(lambda: int(os.environ.get("PAGE_CACHE_SECONDS")
                                              or (60 if os.environ.get("REDIS_URL") else 0)))
    PAGE_CACHE_PREFIX = env("PAGE_CACHE_PREFIX", "plb:page")
    PAGE_CACHE_MAX_ENTRIES = env("PAGE_CACHE_MAX_ENTRIES", 2_000, int)

    # Security headers and rate limits (marketplace/security.py). Limits count per client IP,
    # or per logged-in user for checkout and uploads; many phones share one carrier IP, so they
    # are generous. Rate counters live in memory, or in Redis when REDIS_URL is set.
    HSTS_SECONDS = 0
    BEHIND_PROXY = env("BEHIND_PROXY", False, _to_bool)
    PROXY_HOPS = env("PROXY_HOPS", 1, int)
    RATELIMIT_ENABLED = env("RATELIMIT_ENABLED", True, _to_bool)
    RATELIMIT_STORAGE_URI = computed(lambda: os.environ.get("REDIS_URL") or "memory://")
    RATELIMIT_KEY_PREFIX = "plb"
    RATELIMIT_SWALLOW_ERRORS = True  # a Redis outage must not take the shop down with it
    RATELIMIT_LOGIN = env("RATELIMIT_LOGIN", "20 per minute;200 per hour")
    RATELIMIT_REGISTER = env("RATELIMIT_REGISTER", "10 per minute;50 per hour")
    RATELIMIT_PASSWORD_RESET = env("RATELIMIT_PASSWORD_RESET", "10 per minute;30 per hour")
    RATELIMIT_PASSWORD_RESET_EMAIL = env("RATELIMIT_PASSWORD_RESET_EMAIL", "3 per hour")
    RATELIMIT_CHECKOUT = env("RATELIMIT_CHECKOUT", "10 per minute;60 per hour")
    RATELIMIT_UPLOAD = env("RATELIMIT_UPLOAD", "30 per minute;300 per hour")
    # Failed log-ins per e-mail address (known or not) before it is locked for the window.
    LOGIN_LOCKOUT_ATTEMPTS = env("LOGIN_LOCKOUT_ATTEMPTS", 5, int)
    LOGIN_LOCKOUT_MINUTES = env("LOGIN_LOCKOUT_MINUTES", 15, int)

    # Logs (marketplace/logging_setup.py): JSON lines on stdout, one per request.
    LOG_LEVEL = env("LOG_LEVEL", "INFO")
    LOG_FORMAT = env("LOG_FORMAT", "json")

    SITE_NAME = "Pasar Lokal Blitar"
    # Absolute links in e-mails sent outside a request (cron jobs, commands).
    SITE_URL = env("SITE_URL", "http://127.0.0.1:5000")
    PER_PAGE = 24


class DevelopmentConfig(Config):
    """Local development: SQLite under instance/, mails to console and outbox, `.env` read."""

    ENV_NAME = "development"
    DEBUG = True
    LOG_FORMAT = env("LOG_FORMAT", "text")


class TestingConfig(Config):
    """The test suite: a database URL from TEST_DATABASE_URL, cheap hashing, mails in memory."""

    ENV_NAME = "testing"
    TESTING = True
    SQLALCHEMY_DATABASE_URI = computed(lambda: database_url(os.environ.get("TEST_DATABASE_URL") or "sqlite://"))
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"
    MAIL_BACKEND = "memory"
    MEDIA_BACKEND = "local"  # tests/test_storage_s3.py sets up its own bucket
    SECRET_KEY = "testing-secret-key"
    SERVER_NAME = None
    # Limits stay on, but high enough that the suite (all from one address) is never throttled;
    # tests/test_security_rate_limits.py lowers them.
    RATELIMIT_STORAGE_URI = "memory://"
    PAGE_CACHE_SECONDS = 0  # tests/test_page_cache.py turns it on
    RATELIMIT_LOGIN = RATELIMIT_REGISTER = RATELIMIT_PASSWORD_RESET = "10000 per minute"
    RATELIMIT_PASSWORD_RESET_EMAIL = RATELIMIT_CHECKOUT = RATELIMIT_UPLOAD = "10000 per minute"
    LOGIN_LOCKOUT_ATTEMPTS = 1000
    LOG_LEVEL = "WARNING"


class ProductionConfig(Config):
    """Production: PostgreSQL through DATABASE_URL, SECRET_KEY required, secure cookies."""

    ENV_NAME = "production"
    DEBUG = False
    MAIL_BACKEND = env("MAIL_BACKEND", "smtp")
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    SESSION_COOKIE_HTTPONLY = REMEMBER_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = REMEMBER_COOKIE_SAMESITE = "Lax"
    PREFERRED_URL_SCHEME = "https"
    HSTS_SECONDS = env("HSTS_SECONDS", 365 * 24 * 60 * 60, int)


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
