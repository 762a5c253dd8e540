"""`vocportal users ...`: manage people."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from vocportal.accounts import operations as ops
from vocportal.accounts.models import Role
from vocportal.errors import OperationError
from vocportal.extensions import db


@click.group()
def users() -> None:
    """Manage people."""


@users.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(["customer", "staff", "admin"]), default="customer")
@click.option("--name", "display_name", default=None, help="Display name (default: from email).")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@with_appcontext
def users_create(email: str, role: str, display_name: str | None, password: str) -> None:
    """Create an account with a role; or give an existing account that role."""
    user = ops.find_user_by_email(email)
    if user is not None:
        user.role = Role(role)
        db.session.commit()
        click.echo(f"{user.email} is now {role}.")
        return
    try:
        user = ops.create_user(email, display_name or email.split("@")[0], password, Role(role))
    except OperationError as error:
        raise click.ClickException(error.message) from error
    db.session.commit()
    click.echo(f"Created {role} {user.email} (id {user.id}).")
