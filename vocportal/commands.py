"""Portal commands, registered on the app's CLI (so `vocportal` and `flask` both have them)."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import with_appcontext


def register_commands(app: Flask) -> None:
    for command in (users, seed_demo, demo):
        app.cli.add_command(command)


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
    from vocportal.accounts import operations as ops
    from vocportal.accounts.models import Role
    from vocportal.errors import OperationError
    from vocportal.extensions import db

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


@click.command("seed-demo")
@click.option("--force", is_flag=True, help="Seed even if the database already has ideas.")
@with_appcontext
def seed_demo(force: bool) -> None:
    """Load the demo product, boards, people, ideas, votes and comments."""
    from vocportal.demo.seed import DEMO_LOGINS, database_is_empty, seed

    if not force and not database_is_empty():
        click.echo("The database already has ideas; not seeding (use --force to add anyway).")
        return
    counts = seed()
    click.echo("Seeded: " + ", ".join(f"{v} {k}" for k, v in counts.items()))
    for role, (email, password) in DEMO_LOGINS.items():
        click.echo(f"  {role:8} {email} / {password}")


@click.command("demo")
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=5000, type=int)
@with_appcontext
def demo(host: str, port: int) -> None:
    """Create or upgrade the database, load demo data if empty, and serve the portal."""
    from flask_migrate import upgrade
    from werkzeug.serving import run_simple

    from vocportal.demo.seed import DEMO_LOGINS, database_is_empty, seed

    upgrade()
    if database_is_empty():
        click.echo("Loading demo data (first run only)...")
        seed()
    app = current_app._get_current_object()
    click.echo("")
    click.echo(f"vocportal is running at http://{host}:{port}")
    for role, (email, password) in DEMO_LOGINS.items():
        click.echo(f"  log in as {role:8} {email} / {password}")
    click.echo("Press Ctrl-C to stop.")
    run_simple(host, port, app, threaded=True, use_reloader=False)
