"""Alembic environment, driven by Flask-Migrate (`flask db upgrade`)."""
from __future__ import annotations

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

from marketplace.models import Base, UTCDateTime

config = context.config
if config.config_file_name is not None and not config.attributes.get("skip_logging"):
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

target_metadata = Base.metadata


def render_item(type_, obj, autogen_context):
    """Write our UTCDateTime as a plain DateTime so migrations don't import app code."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime()"
    return False


def include_object(obj, name, type_, reflected, compare_to):
    """Leave the search index's engine-specific parts (FTS5 tables, tsvector column) to migration 0003."""
    if reflected and compare_to is None:
        if type_ == "table" and name and name.startswith("search_fts"):
            return False
        if type_ == "column" and name == "search_vector":
            return False
        if type_ == "index" and name == "ix_search_documents_search_vector":
            return False
    return True


def engine():
    return current_app.extensions["migrate"].db.engine


def run_migrations_offline() -> None:
    context.configure(
        url=str(engine().url).replace("%", "%%"),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
        render_item=render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    def process_revision_directives(context_, revision, directives):
        if getattr(config.cmd_opts, "autogenerate", False):
            script = directives[0]
            if script.upgrade_ops.is_empty():
                directives[:] = []
                logger.info("No changes in schema detected.")

    conf_args = dict(current_app.extensions["migrate"].configure_args)
    conf_args.setdefault("process_revision_directives", process_revision_directives)
    conf_args["render_item"] = render_item
    conf_args["render_as_batch"] = True
    conf_args["compare_type"] = True
    conf_args.setdefault("include_object", include_object)

    with engine().connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata, **conf_args)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
