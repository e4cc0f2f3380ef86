"""Configuration: one class per environment, settings from the environment (and `.env` in
development), a secret key that production must be given."""
import stat

import pytest
from flask import Flask

import config
from config import CONFIGS, DevelopmentConfig, ProductionConfig, TestingConfig, database_url, development_secret_key
from marketplace import create_app


def loaded(config_class) -> Flask:
    """A bare Flask app with the class loaded the way create_app loads it."""
    app = Flask("config-test")
    app.config.from_object(config_class)
    return app


def test_there_is_a_class_for_each_environment():
    assert CONFIGS == {"development": DevelopmentConfig, "testing": TestingConfig, "production": ProductionConfig}


def test_an_unknown_environment_is_refused():
    with pytest.raises(RuntimeError, match="Unknown MARKETPLACE_CONFIG"):
        create_app("staging")


def test_production_refuses_to_start_without_a_secret_key(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)

    with pytest.raises(RuntimeError, match="SECRET_KEY must be set in production"):
        create_app("production")


def test_production_refuses_an_empty_secret_key(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "")

    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production")


def test_production_takes_the_secret_key_and_database_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "a-long-random-production-key")
    monkeypatch.setenv("DATABASE_URL", "postgres://plb:pw@db.internal:5432/pasar")
    monkeypatch.setenv("MEDIA_ROOT", str(tmp_path / "media"))

    app = create_app("production")

    assert app.config["SECRET_KEY"] == "a-long-random-production-key"
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://plb:pw@db.internal:5432/pasar"
    assert not app.debug
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
    assert app.config["MAIL_BACKEND"] == "smtp"


def test_development_generates_its_secret_key_once_and_reuses_it(tmp_path):
    instance = tmp_path / "instance"

    first = development_secret_key(instance)
    second = development_secret_key(instance)

    assert first == second
    assert len(first) >= 32
    key_file = instance / "secret_key"
    assert key_file.read_text() == first
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_each_instance_folder_gets_its_own_development_key(tmp_path):
    assert development_secret_key(tmp_path / "one") != development_secret_key(tmp_path / "two")


def test_an_emptied_key_file_gets_a_new_key(tmp_path):
    (tmp_path / "secret_key").write_text("\n")

    assert development_secret_key(tmp_path).strip()


@pytest.mark.parametrize("given, expected", [
    ("postgres://u:p@host:5432/db", "postgresql+psycopg://u:p@host:5432/db"),
    ("postgresql://postgres@127.0.0.1:5432/test", "postgresql+psycopg://postgres@127.0.0.1:5432/test"),
    ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
    ("sqlite:////srv/plb/marketplace.sqlite", "sqlite:////srv/plb/marketplace.sqlite"),
])
def test_database_urls_use_the_psycopg_driver(given, expected):
    assert database_url(given) == expected


def test_without_database_url_development_uses_sqlite_in_the_instance_folder(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)

    uri = loaded(DevelopmentConfig).config["SQLALCHEMY_DATABASE_URI"]

    assert uri == f"sqlite:///{config.INSTANCE_DIR / 'marketplace.sqlite'}"


def test_settings_are_read_when_the_app_is_created_not_at_import(monkeypatch):
    monkeypatch.setenv("STUCK_ORDER_DAYS", "5")
    monkeypatch.setenv("ORDER_EXPIRY_CARD_MINUTES", "45")
    monkeypatch.setenv("MAIL_USE_TLS", "no")

    settings = loaded(DevelopmentConfig).config

    assert settings["STUCK_ORDER_DAYS"] == 5
    assert settings["ORDER_EXPIRY_MINUTES"]["card"] == 45
    assert settings["MAIL_USE_TLS"] is False


def test_testing_uses_its_own_database_and_keeps_mail_in_memory(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://someone@production/db")
    monkeypatch.setenv("MAIL_BACKEND", "smtp")
    monkeypatch.delenv("TEST_DATABASE_URL", raising=False)

    settings = loaded(TestingConfig).config

    assert settings["SQLALCHEMY_DATABASE_URI"] == "sqlite://"
    assert settings["MAIL_BACKEND"] == "memory"
    assert settings["TESTING"]


def test_development_reads_the_dotenv_file(monkeypatch, tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text(
        "# local settings\n"
        "SECRET_KEY=key-from-dotenv\n"
        "DATABASE_URL=postgres://dev@127.0.0.1:5432/pasar_dev\n"
        f"MEDIA_ROOT={tmp_path / 'media'}\n"
        "SITE_URL=http://192.168.1.10:5000\n"
    )
    for name in ("SECRET_KEY", "DATABASE_URL", "MEDIA_ROOT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SITE_URL", "http://from-the-real-environment")  # real variables win over .env
    monkeypatch.setattr(config, "ENV_FILE", env_file)

    app = create_app("development")

    assert app.config["SECRET_KEY"] == "key-from-dotenv"
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://dev@127.0.0.1:5432/pasar_dev"
    assert app.config["SITE_URL"] == "http://from-the-real-environment"
    assert app.debug


def test_production_ignores_the_dotenv_file(monkeypatch, tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("SECRET_KEY=key-from-dotenv\n")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setattr(config, "ENV_FILE", env_file)

    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production")


def test_overrides_given_to_create_app_win(app):
    assert app.config["WTF_CSRF_ENABLED"] is False
    assert app.config["MAIL_BACKEND"] == "memory"
