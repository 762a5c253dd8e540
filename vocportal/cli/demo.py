"""`vocportal demo` and `vocportal seed-demo`: try the portal with believable data.

The processes `demo` starts (Redis, gunicorn, workers, scheduler) are supervised by
`vocportal.demo.supervisor`; this module only says in what order.
"""

from __future__ import annotations

import contextlib
import io

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_migrate import upgrade

from vocportal.demo.seed import DEMO_LOGINS, database_is_empty, seed
from vocportal.demo.supervisor import Supervisor
from vocportal.extensions import db
from vocportal.feedback.operations import request_embedding as request_feedback_embedding
from vocportal.queue import jobnames
from vocportal.queue.operations import defer


@click.command("seed-demo")
@click.option("--force", is_flag=True, help="Seed even if the database already has ideas.")
@with_appcontext
def seed_demo(force: bool) -> None:
    """Load the demo product, boards, people, ideas, votes and comments."""
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
@click.option("-v", "--verbose", is_flag=True, help="Show the web, worker and scheduler logs here.")
@with_appcontext
def demo(host: str, port: int, verbose: bool) -> None:
    """Migrate, load demo data if empty, and run web, Redis, worker and scheduler together.

    The web is gunicorn (the production server). Ctrl-C, SIGTERM and SIGHUP (a closed
    terminal) all stop every process it started. The other processes log to files under
    the instance folder unless --verbose."""
    supervisor = Supervisor(current_app._get_current_object(), verbose=verbose, echo=click.echo)
    with supervisor.signals_stop():
        try:
            supervisor.start_redis()
            prepare_database(supervisor, verbose)
            supervisor.start_children(host, port)
            supervisor.wait_until_serving(host, port)
            click.echo("")
            click.echo(f"vocportal is running at http://{host}:{port}")
            for role, (email, password) in DEMO_LOGINS.items():
                click.echo(f"  log in as {role:8} {email} / {password}")
            click.echo(
                "Worker and scheduler started; themes appear when the worker has embedded "
                "the ideas (see Staff > Jobs). Press Ctrl-C to stop everything."
            )
            if not verbose:
                click.echo(f"Logs: {supervisor.log_dir}")
            supervisor.warm_web(host, port)
            supervisor.watch()
        finally:
            supervisor.stop()
    click.echo("Stopped web, worker, scheduler and Redis.")
    if supervisor.failed:
        raise SystemExit(1)


def prepare_database(supervisor: Supervisor, verbose: bool) -> None:
    """Migrate; on the first run load the demo data and queue its embedding."""
    # Alembic logs a line per migration: only with --verbose.
    quiet = contextlib.redirect_stderr(io.StringIO())
    with contextlib.nullcontext() if verbose else quiet:
        upgrade()
    supervisor.say("Database migrated")
    if database_is_empty():
        supervisor.say("Loading demo data (first run only)...")
        seed()
        # Embedding every demo idea also asks for a theme refresh when it is done.
        defer("embed ideas", jobnames.EMBED_IDEAS_BACKFILL, queue="embeddings", timeout=3600)
        request_feedback_embedding()
        db.session.commit()
    db.engine.dispose()  # the children open their own connections
