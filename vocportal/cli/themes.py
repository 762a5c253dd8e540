"""`vocportal themes refresh` and `vocportal embeddings backfill`: queue a refit or a
re-embedding, or run it in this process with `--now` (which makes this module worker-side:
`--now` runs the job from `jobs/`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click
from flask import current_app
from flask.cli import with_appcontext

from jobs.runtime import run_here
from vocportal.extensions import db
from vocportal.queue import jobnames
from vocportal.queue.models import JobRecord
from vocportal.queue.operations import defer
from vocportal.themes.refresh import request_refresh

NOW = click.option("--now", "inline", is_flag=True, help="Run here instead of queueing a job.")


@click.group()
def themes() -> None:
    """Manage themes."""


@themes.command("refresh")
@NOW
@with_appcontext
def themes_refresh(inline: bool) -> None:
    """Refit themes on every stored embedding."""
    # With --now this may run alongside a queued refresh; refits are idempotent, so the
    # worst case is the same fit twice.
    record = request_refresh(enqueue=not inline)
    run_or_leave_queued(record, inline, str, waiting="a worker on the topics queue will run it.")


@click.group()
def embeddings() -> None:
    """Manage stored embeddings."""


@embeddings.command("backfill")
@NOW
@with_appcontext
def embeddings_backfill(inline: bool) -> None:
    """Embed every idea that has no vector from the current model (e.g. after a change)."""
    record = defer(
        "embed ideas",
        jobnames.EMBED_IDEAS_BACKFILL,
        queue="embeddings",
        timeout=3600,
        enqueue=not inline,
    )
    run_or_leave_queued(
        record, inline, lambda count: f"Embedded {count} ideas.", waiting="a worker will run it."
    )


def run_or_leave_queued(
    record: JobRecord, inline: bool, done: Callable[[Any], str], *, waiting: str
) -> None:
    """Commit the job's record, then run the job here (`--now`) and echo `done(result)`, or
    say that it is queued and `waiting`."""
    db.session.commit()
    if inline:
        click.echo(done(run_here(current_app._get_current_object(), record)))
    else:
        click.echo(f"Queued job {record.id}; {waiting}")
