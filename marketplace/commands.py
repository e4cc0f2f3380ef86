"""Command-line tools: `flask create-officer`, `flask seed-demo`, `flask seed-bench`."""
from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from marketplace.extensions import db
from marketplace.models import Role
from marketplace.services import accounts


@click.command("create-officer")
@click.argument("email")
@click.option("--name", default="Petugas Program", help="The officer's name.")
@click.option("--password", help="Password (prompted for when not given).")
@click.option("--admin", "is_admin", is_flag=True, help="Create an admin, who can manage officers.")
@with_appcontext
def create_officer(email: str, name: str, password: str | None, is_admin: bool) -> None:
    """Create a programme officer account."""
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(password) < current_app.config["PASSWORD_MIN_LENGTH"]:
        raise click.ClickException("The password needs at least 8 characters.")
    try:
        user = accounts.register_user(
            db.session, email=email, name=name, password=password,
            role=Role.ADMIN if is_admin else Role.OFFICER,
            hash_method=current_app.config["PASSWORD_HASH_METHOD"],
        )
    except accounts.AccountError:
        raise click.ClickException(f"An account with e-mail {email} already exists.")
    click.echo(f"Created {user.role.value} {user.email}.")


def init_commands(app: Flask) -> None:
    app.cli.add_command(create_officer)
