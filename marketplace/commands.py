"""Command-line tools: `flask create-officer`, `flask backup`, `flask restore`,
`flask rebuild-sales-summaries` (and, from seed_commands, `flask seed-demo`, `flask seed-bench`)."""
from __future__ import annotations

import time
from pathlib import Path

import click
from email_validator import EmailNotValidError, validate_email
from flask import Flask, current_app
from flask.cli import with_appcontext

from marketplace.extensions import db
from marketplace.models import Role
from marketplace.seed_commands import init_seed_commands
from marketplace.services import accounts, backup as backups, sales_summary
from marketplace.services.storage import get_storage


@click.command("create-officer")
@click.argument("email")
@click.option("--name", default="Petugas Program", show_default=True, help="The officer's name.")
@click.option("--password", help="Password, for scripts (prompted for twice when not given).")
@click.option("--admin", "is_admin", is_flag=True, help="Create an admin, who can manage officers.")
@click.option("--language", type=click.Choice(["id", "en"]), default="id", show_default=True,
              help="Language of the officer's pages and e-mails.")
@with_appcontext
def create_officer(email: str, name: str, password: str | None, is_admin: bool, language: str) -> None:
    """Create a programme officer (or, with --admin, an admin) account."""
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        raise click.ClickException(f"{email!r} is not a valid e-mail address.")
    if not name.strip():
        raise click.ClickException("The name must not be empty.")
    taken = f"An account with e-mail {accounts.normalise_email(email)} already exists; nothing was changed."
    if accounts.find_user_by_email(db.session, email) is not None:
        raise click.ClickException(taken)
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt="Repeat the password")
    min_length = current_app.config["PASSWORD_MIN_LENGTH"]
    problem = accounts.password_problem(password, min_length)
    if problem:
        raise click.ClickException({
            "too_short": f"The password needs at least {min_length} characters.",
            "too_long": f"The password may have at most {accounts.MAX_PASSWORD_LENGTH} characters.",
        }.get(problem, "The password is too easy to guess: use letters and numbers, not a common password."))
    try:
        user = accounts.register_user(
            db.session, email=email, name=name, password=password, language=language,
            role=Role.ADMIN if is_admin else Role.OFFICER,
            hash_method=current_app.config["PASSWORD_HASH_METHOD"],
        )
    except accounts.AccountError:
        raise click.ClickException(taken)
    click.echo(f"Created {user.role.value} {user.email}.")


@click.command("rebuild-sales-summaries")
@with_appcontext
def rebuild_sales_summaries() -> None:
    """Recompute the monthly sales summaries and paid parts' links from the sales (after sales were
    written with plain SQL, which the ORM hook keeping them exact does not see)."""
    started = time.perf_counter()
    sales_summary.rebuild_all(db.session.connection())
    db.session.commit()
    click.echo(f"Rebuilt the sales summaries in {time.perf_counter() - started:.1f} s.")


@click.command("backup")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Archive to write (default: instance/backups/backup-YYYYmmdd-HHMMSS.tar.gz, UTC).")
@with_appcontext
def backup_command(output: Path | None) -> None:
    """Back up the database and every media file into one .tar.gz archive."""
    output = output or Path(current_app.instance_path) / "backups" / backups.default_backup_name()
    try:
        summary = backups.create_backup(db.engine, get_storage(), output)
    except backups.BackupError as error:
        raise click.ClickException(str(error))
    for table in summary.tables:
        click.echo(f"  {table.name}: {table.rows} rows")
    click.echo(
        f"Backed up {len(summary.tables)} tables ({summary.rows} rows) of the {summary.dialect} database at revision "
        f"{summary.revision} and {summary.media_files} media files ({backups.human_size(summary.media_bytes)}) "
        f"to {summary.path} ({backups.human_size(summary.size)})."
    )
    if summary.skipped_tables:
        click.echo(f"Not backed up (not part of this app): {', '.join(summary.skipped_tables)}.")
    if summary.skipped_media:
        click.echo(f"Not backed up (names no storage can hold): {', '.join(map(repr, summary.skipped_media))}.")


@click.command("restore")
@click.argument("archive", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Delete ALL data in the database first and replace it with the backup.")
@with_appcontext
def restore_command(archive: Path, force: bool) -> None:
    """Restore a `flask backup` archive into this (empty) database and media storage."""
    try:
        summary = backups.restore_backup(db.session, get_storage(), archive, force=force)
    except backups.BackupError as error:
        raise click.ClickException(str(error))
    if summary.emptied_first:
        click.echo("Deleted the data that was in the database (--force).")
    for table in summary.tables:
        click.echo(f"  {table.name}: {table.rows} rows")
    media_files = summary.media_written + summary.media_unchanged
    click.echo(
        f"Restored {len(summary.tables)} tables ({summary.rows} rows) at revision {summary.revision} from the "
        f"{summary.source_dialect} backup made {summary.created_at}, and {media_files} "
        f"media files ({summary.media_written} written, {summary.media_unchanged} already there) "
        f"from {summary.path} ({backups.human_size(summary.path.stat().st_size)}). "
        f"Search index rebuilt: {summary.search_documents} products."
    )


def init_commands(app: Flask) -> None:
    app.cli.add_command(create_officer)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(rebuild_sales_summaries)
    init_seed_commands(app)
