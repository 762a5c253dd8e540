"""Portal commands, registered on the app's CLI (so `vocportal` and `flask` both have them)."""

from __future__ import annotations

import contextlib
import io
import os

import click
from flask import Flask, current_app
from flask.cli import with_appcontext


def register_commands(app: Flask) -> None:
    for command in (
        users,
        seed_demo,
        demo,
        worker,
        scheduler,
        redis_server,
        embeddings,
        themes,
        import_feedback,
        import_companies,
    ):
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
@click.option("-v", "--verbose", is_flag=True, help="Show the web, worker and scheduler logs here.")
@with_appcontext
def demo(host: str, port: int, verbose: bool) -> None:
    """Migrate, load demo data if empty, and run web, Redis, worker and scheduler together.

    The web is gunicorn (the production server). Ctrl-C, SIGTERM and SIGHUP (a closed
    terminal) all stop every process it started. The other processes log to files under
    the instance folder unless --verbose."""
    from flask_migrate import upgrade

    from vocportal.demo.seed import DEMO_LOGINS, database_is_empty, seed
    from vocportal.demo.supervisor import Supervisor
    from vocportal.extensions import db
    from vocportal.feedback.operations import request_embedding as request_feedback_embedding
    from vocportal.queue.operations import defer

    app = current_app._get_current_object()
    supervisor = Supervisor(app, verbose=verbose, echo=click.echo)
    with supervisor.signals_stop():
        try:
            supervisor.start_redis()
            # Alembic logs a line per migration: only with --verbose.
            quiet = contextlib.redirect_stderr(io.StringIO())
            with contextlib.nullcontext() if verbose else quiet:
                upgrade()
            supervisor.say("Database migrated")
            if database_is_empty():
                supervisor.say("Loading demo data (first run only)...")
                seed()
                # Embedding every demo idea also asks for a theme refresh when it is done.
                defer("embed ideas", "jobs.embeddings.backfill", queue="embeddings", timeout=3600)
                request_feedback_embedding()
                db.session.commit()
            db.engine.dispose()  # the children open their own connections
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
            supervisor.watch()
        finally:
            supervisor.stop()
    click.echo("Stopped web, worker, scheduler and Redis.")
    if supervisor.failed:
        raise SystemExit(1)


@click.command("worker")
@click.argument("queues", nargs=-1)
@click.option("--burst", is_flag=True, help="Stop when the queues are empty.")
@click.option("--no-warm-up", is_flag=True, help="Do not load the models before the first job.")
@with_appcontext
def worker(queues: tuple[str, ...], burst: bool, no_warm_up: bool) -> None:
    """Run an RQ worker for QUEUES (default: all) inside the app context.

    The worker does not fork per job: the embedding model and BERTopic's compiled code
    stay loaded, so only the first job after start pays their cold start (the warm-up
    pays it before the first job).
    """
    from rq import SimpleWorker

    from jobs.runtime import set_app
    from vocportal.queue.operations import QUEUES
    from vocportal.queue.redis import get_redis

    app = current_app._get_current_object()
    set_app(app)
    # A worker embeds in batches and fits themes: give torch every core.
    os.environ.setdefault("VOCPORTAL_TORCH_THREADS", str(os.cpu_count() or 1))
    names = list(queues) or list(QUEUES)
    unknown = set(names) - set(QUEUES)
    if unknown:
        raise click.BadParameter(f"unknown queue(s): {', '.join(sorted(unknown))}")
    if not no_warm_up:
        warm_up(names)
    rq_worker = SimpleWorker(names, connection=get_redis())
    rq_worker.work(burst=burst, with_scheduler=True)


def warm_up(queues: list[str]) -> None:
    """Load the embedding model and compile BERTopic's code once, before any job."""
    import time

    started = time.monotonic()
    from vocportal.embeddings.encoder import embed

    if "embeddings" in queues or "topics" in queues:
        embed(["warm up"])
    if "topics" in queues:
        from vocportal.themes.pipeline import warm_up as warm_up_topics

        warm_up_topics()
    click.echo(f"worker warmed up in {time.monotonic() - started:.1f} s")


@click.command("scheduler")
@with_appcontext
def scheduler() -> None:
    """Run RQ's cron scheduler: sweeper, theme refresh, daily digests, theme alerts."""
    from rq.cron import CronScheduler

    from jobs import maintenance
    from vocportal.queue.redis import get_redis

    cfg = current_app.config
    cron = CronScheduler(connection=get_redis(), name="vocportal")
    cron.register(
        maintenance.sweep_jobs, "default", interval=cfg["SWEEP_INTERVAL_SECONDS"], job_timeout=300
    )
    cron.register(
        maintenance.schedule_topic_refresh,
        "default",
        interval=cfg["TOPICS_REFRESH_SECONDS"],
        job_timeout=60,
    )
    cron.register(
        maintenance.schedule_digests,
        "default",
        cron=f"0 {cfg['DIGEST_HOUR_UTC']} * * *",
        job_timeout=60,
    )
    cron.register(
        maintenance.schedule_theme_alerts,
        "default",
        interval=cfg["THEME_ALERTS_SECONDS"],
        job_timeout=60,
    )
    cron.start()


@click.command("redis")
@with_appcontext
def redis_server() -> None:
    """Run the embedded Redis server in the foreground (when REDIS_URL is not set)."""
    from vocportal.queue.redis import EmbeddedRedis

    if current_app.config["REDIS_URL"]:
        raise click.ClickException("REDIS_URL is set: use that Redis server.")
    server = EmbeddedRedis(current_app.instance_path)
    server.start()
    click.echo(f"Embedded Redis on {server.socket}; Ctrl-C stops it.")
    try:
        server.process.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


@click.group()
def embeddings() -> None:
    """Manage stored embeddings."""


@embeddings.command("backfill")
@click.option("--now", "inline", is_flag=True, help="Run here instead of queueing a job.")
@with_appcontext
def embeddings_backfill(inline: bool) -> None:
    """Embed every idea that has no vector from the current model (e.g. after a change)."""
    from vocportal.extensions import db
    from vocportal.queue.operations import defer

    record = defer(
        "embed ideas",
        "jobs.embeddings.backfill",
        queue="embeddings",
        timeout=3600,
        enqueue=not inline,
    )
    db.session.commit()
    if inline:
        from jobs.embeddings import backfill
        from jobs.runtime import set_app

        set_app(current_app._get_current_object())
        count = backfill(record.id)
        click.echo(f"Embedded {count} ideas.")
    else:
        click.echo(f"Queued job {record.id}; a worker will run it.")


@click.group()
def themes() -> None:
    """Manage themes."""


@themes.command("refresh")
@click.option("--now", "inline", is_flag=True, help="Run here instead of queueing a job.")
@with_appcontext
def themes_refresh(inline: bool) -> None:
    """Refit themes on every stored embedding."""
    from vocportal.extensions import db
    from vocportal.themes.refresh import request_refresh

    # With --now this may run alongside a queued refresh; refits are idempotent, so the
    # worst case is the same fit twice.
    record = request_refresh(enqueue=not inline)
    db.session.commit()
    if inline:
        from jobs.runtime import set_app
        from jobs.topics import refresh_topics

        set_app(current_app._get_current_object())
        click.echo(str(refresh_topics(record.id)))
    else:
        click.echo(f"Queued job {record.id}; a worker on the topics queue will run it.")


@click.command("import-feedback")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def import_feedback(csv_file: str) -> None:
    """Import feedback from CSV_FILE (columns: text, email, and optionally name, company,
    received_at, id). Bad rows are reported by line number; the rest imports; importing the
    same file again adds nothing."""
    from vocportal.feedback.importer import import_rows, open_csv

    with open_csv(csv_file) as file:
        total = max(sum(1 for _ in file) - 1, 0)
        file.seek(0)
        with click.progressbar(length=total, label="Importing feedback") as bar:
            done = 0

            def advance(n: int) -> None:
                nonlocal done
                bar.update(n - done)
                done = n

            report = import_rows(file, progress=advance)
    for line, message in report.errors:
        click.echo(f"line {line}: {message}", err=True)
    click.echo(
        f"{report.created} imported, {report.duplicates} already there, "
        f"{len(report.errors)} rejected; embedding and themes follow in the background."
    )
    if report.errors:
        raise SystemExit(1)


@click.command("import-companies")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def import_companies(csv_file: str) -> None:
    """Create or update companies from CSV_FILE (columns: name, and optionally plan, tier,
    monthly_revenue, id, people = emails separated by ';'; other columns are attributes)."""
    from vocportal.customers.operations import import_companies as run_import
    from vocportal.extensions import db

    with open(csv_file, newline="", encoding="utf-8-sig") as file:
        created, updated, errors = run_import(file)
    db.session.commit()
    for line, message in errors:
        click.echo(f"line {line}: {message}", err=True)
    click.echo(f"{created} companies created, {updated} updated, {len(errors)} rejected.")
    if errors:
        raise SystemExit(1)
