"""Configuration classes, read from the environment.

`create_app` picks a class by name (`development`, `testing`, `production`) from the
`MARKETPLACE_CONFIG` variable, or from its own argument. Every setting can be
overridden through an environment variable of the same name.
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("INSTANCE_PATH", BASE_DIR / "instance"))


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def development_secret_key(instance_dir: Path = INSTANCE_DIR) -> str:
    """Return the development secret key, generating it once under instance/."""
    key_file = instance_dir / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def database_url(url: str) -> str:
    """Use the psycopg 3 driver for plain `postgresql://` / `postgres://` URLs."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


class Config:
    """Settings shared by every environment."""

    ENV_NAME = "base"
    SECRET_KEY: str | None = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = database_url(
        os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'marketplace.sqlite'}")
    )
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    MEDIA_ROOT = os.environ.get("MEDIA_ROOT", str(INSTANCE_DIR / "media"))
    MEDIA_URL_PREFIX = "/media"
    MAX_CONTENT_LENGTH = _env_int("MAX_CONTENT_LENGTH", 16 * 1024 * 1024)
    MAX_IMAGE_BYTES = 15 * 1024 * 1024
    MAX_IMAGE_PIXELS = 40_000_000
    IMAGE_WIDTHS = (320, 800, 1600)

    BABEL_DEFAULT_LOCALE = "id"
    BABEL_DEFAULT_TIMEZONE = "Asia/Jakarta"
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "translations")
    LANGUAGES = {"id": "Bahasa Indonesia", "en": "English"}

    PASSWORD_HASH_METHOD = "scrypt"
    PASSWORD_MIN_LENGTH = 8
    PASSWORD_RESET_MAX_AGE = _env_int("PASSWORD_RESET_MAX_AGE", 3600)
    REMEMBER_COOKIE_DURATION = 60 * 60 * 24 * 30
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None

    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "console")
    MAIL_DEFAULT_SENDER = os.environ.get(
        "MAIL_DEFAULT_SENDER", "Pasar Lokal Blitar <noreply@pasarlokalblitar.id>"
    )
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = _env_int("MAIL_PORT", 587)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_USE_TLS = _env_bool("MAIL_USE_TLS", True)
    MAIL_OUTBOX_DIR = os.environ.get("MAIL_OUTBOX_DIR", str(INSTANCE_DIR / "outbox"))

    STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY")
    STRIPE_PUBLISHABLE_KEY = os.environ.get("STRIPE_PUBLISHABLE_KEY")
    STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET")
    STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE", "https://api.stripe.com")
    STRIPE_JS_URL = os.environ.get("STRIPE_JS_URL", "https://js.stripe.com/v3/")

    STRIPE_MINIMUM_AMOUNT = _env_int("STRIPE_MINIMUM_AMOUNT", 10_000)  # rupiah; Stripe's real IDR minimum is unverified

    # Unpaid orders expire (and give their stock back) after these many minutes.
    ORDER_EXPIRY_MINUTES = {
        "card": _env_int("ORDER_EXPIRY_CARD_MINUTES", 30),
        "transfer": _env_int("ORDER_EXPIRY_TRANSFER_MINUTES", 24 * 60),
    }
    STUCK_ORDER_DAYS = _env_int("STUCK_ORDER_DAYS", 3)
    # The marketplace operator's account that buyers transfer to.
    BANK_ACCOUNT = {
        "bank": os.environ.get("BANK_NAME", "Bank Jatim"),
        "number": os.environ.get("BANK_ACCOUNT_NUMBER", "0011223344"),
        "holder": os.environ.get("BANK_ACCOUNT_HOLDER", "Koperasi Pasar Lokal Blitar"),
    }

    REDIS_URL = os.environ.get("REDIS_URL")
    SITE_NAME = "Pasar Lokal Blitar"
    # Absolute links in e-mails sent outside a request (cron jobs, commands).
    SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:5000")
    PER_PAGE = 24


class DevelopmentConfig(Config):
    """Local development: SQLite under instance/, mails to console and outbox."""

    ENV_NAME = "development"
    DEBUG = True


class TestingConfig(Config):
    """The test suite: a database URL from TEST_DATABASE_URL, cheap hashing, mails in memory."""

    ENV_NAME = "testing"
    TESTING = True
    SQLALCHEMY_DATABASE_URI = database_url(os.environ.get("TEST_DATABASE_URL", "sqlite://"))
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"
    MAIL_BACKEND = "memory"
    SECRET_KEY = "testing-secret-key"
    SERVER_NAME = None


class ProductionConfig(Config):
    """Production: PostgreSQL through DATABASE_URL, SECRET_KEY required, secure cookies."""

    ENV_NAME = "production"
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "smtp")
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
