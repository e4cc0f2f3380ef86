"""Command-line tools: `flask create-officer`, `flask seed-demo`, `flask seed-bench`."""
from __future__ import annotations

import click
from email_validator import EmailNotValidError, validate_email
from flask import Flask, current_app
from flask.cli import with_appcontext

from marketplace.extensions import db
from marketplace.models import Role
from marketplace.seed_commands import init_seed_commands
from marketplace.services import accounts


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


def init_commands(app: Flask) -> None:
    app.cli.add_command(create_officer)
    init_seed_commands(app)
