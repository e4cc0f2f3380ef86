"""Pasar Lokal Blitar: an online marketplace for the producers of Blitar.

`create_app` assembles the application from small `register_*` steps.
"""
from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

from config import BASE_DIR, CONFIGS, INSTANCE_DIR, development_secret_key, load_env_file


def create_app(config_name: str | None = None, **overrides) -> Flask:
    """Build the app for `config_name` (development, testing, production)."""
    config_name = config_name or os.environ.get("MARKETPLACE_CONFIG", "development")
    if config_name == "development":
        load_env_file()
    app = Flask(
        __name__,
        template_folder=str(BASE_DIR / "templates"),
        static_folder=str(BASE_DIR / "static"),
        instance_path=str(INSTANCE_DIR),
    )
    configure(app, config_name, overrides)
    register_logging(app)
    register_extensions(app)
    register_security(app)
    register_i18n(app)
    register_blueprints(app)
    register_page_cache(app)
    register_error_handlers(app)
    register_template_helpers(app)
    register_commands(app)
    register_shell_context(app)
    return app


def configure(app: Flask, config_name: str, overrides: dict) -> None:
    """Load the config class, apply overrides and make sure a secret key exists."""
    if config_name not in CONFIGS:
        raise RuntimeError(f"Unknown MARKETPLACE_CONFIG {config_name!r}; use one of {sorted(CONFIGS)}")
    app.config.from_object(CONFIGS[config_name])
    app.config.update(overrides)
    if not app.config.get("SECRET_KEY"):
        if config_name == "production":
            raise RuntimeError("SECRET_KEY must be set in production; refusing to start without it.")
        app.config["SECRET_KEY"] = development_secret_key(Path(app.instance_path))
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)


def register_extensions(app: Flask) -> None:
    from marketplace.extensions import csrf, db, login_manager, migrate
    from marketplace.services.storage import init_storage

    db.init_app(app)
    migrate.init_app(app, db, directory=str(BASE_DIR / "migrations"))
    csrf.init_app(app)
    login_manager.init_app(app)
    init_storage(app)
    from marketplace.database import commit_read_only_requests, disable_postgresql_jit, enable_sqlite_pragmas

    commit_read_only_requests(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            enable_sqlite_pragmas(db.engine)
        elif db.engine.dialect.name == "postgresql":
            disable_postgresql_jit(db.engine)


def register_logging(app: Flask) -> None:
    from marketplace.logging_setup import init_logging

    init_logging(app)


def register_security(app: Flask) -> None:
    from marketplace.security import init_security

    init_security(app)


def register_i18n(app: Flask) -> None:
    from marketplace.i18n import init_i18n

    init_i18n(app)


def register_blueprints(app: Flask) -> None:
    from marketplace.admin.routes import bp as admin_bp
    from marketplace.auth.routes import bp as auth_bp
    from marketplace.catalog.routes import bp as catalog_bp
    from marketplace.health import bp as health_bp
    from marketplace.media import bp as media_bp
    from marketplace.orders.routes import bp as orders_bp
    from marketplace.sellers.routes import bp as sellers_bp
    from marketplace.verification import bp as verification_bp

    app.register_blueprint(catalog_bp)
    app.register_blueprint(auth_bp, url_prefix="/akun")
    app.register_blueprint(sellers_bp, url_prefix="/penjual")
    app.register_blueprint(orders_bp, url_prefix="/pesanan")
    app.register_blueprint(admin_bp, url_prefix="/petugas")
    app.register_blueprint(media_bp)
    app.register_blueprint(health_bp)
    app.register_blueprint(verification_bp)


def register_page_cache(app: Flask) -> None:
    from marketplace.page_cache import init_page_cache

    init_page_cache(app)


def register_error_handlers(app: Flask) -> None:
    from marketplace.errors import init_error_handlers

    init_error_handlers(app)


def register_template_helpers(app: Flask) -> None:
    from marketplace.templating import init_templating

    init_templating(app)


def register_commands(app: Flask) -> None:
    from marketplace.commands import init_commands

    init_commands(app)


def register_shell_context(app: Flask) -> None:
    from marketplace import models
    from marketplace.extensions import db

    app.shell_context_processor(lambda: {"db": db, "models": models})
