"""The app a worker runs jobs in, and the wrapper that keeps each job's record true."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable

from flask import Flask
from sqlalchemy import update
from sqlalchemy.exc import OperationalError

from vocportal.extensions import db
from vocportal.queue.models import JobRecord, JobState
from vocportal.timeutil import utcnow

log = logging.getLogger("vocportal.jobs")

_app: Flask | None = None


def set_app(app: Flask) -> None:
    """Use `app` for jobs in this process (the worker command builds it once, warm)."""
    global _app
    _app = app


def get_app() -> Flask:
    """The app jobs run in: the one set by `set_app`, else one built from the environment."""
    global _app
    if _app is None:
        from vocportal import create_app

        _app = create_app()
    return _app


def run_here(app: Flask, record: JobRecord):
    """Run a recorded job in this process, as a worker would (for commands' `--now`), and
    return its result; the record's state and error are kept as for a queued run."""
    from rq.utils import import_attribute

    set_app(app)
    return import_attribute(record.func)(record.id, *record.args)


class Progress:
    """Report how far a job is; written in its own short transaction so pages see it."""

    def __init__(self, record_id: int):
        self.record_id = record_id

    def __call__(self, fraction: float, message: str = "") -> None:
        # Best effort: on SQLite the job's own transaction may hold the write lock (a job
        # reports progress while it computes, before it writes); never wait long for it.
        try:
            with db.engine.begin() as conn:
                if conn.dialect.name == "sqlite":
                    conn.exec_driver_sql("PRAGMA busy_timeout = 250")
                conn.execute(
                    update(JobRecord)
                    .where(JobRecord.id == self.record_id)
                    .values(progress=max(0.0, min(1.0, fraction)), progress_message=message[:200])
                )
                if conn.dialect.name == "sqlite":
                    conn.exec_driver_sql("PRAGMA busy_timeout = 30000")
        except OperationalError as error:
            log.info("progress of job %s not recorded: %s", self.record_id, error)


def _set(record_id: int, **values) -> None:
    with db.engine.begin() as conn:
        conn.execute(update(JobRecord).where(JobRecord.id == record_id).values(**values))


def retries_left() -> int:
    """How many more times RQ will retry the running job if it fails now (0 outside RQ)."""
    from rq import get_current_job

    job = get_current_job()
    return int(getattr(job, "retries_left", 0) or 0) if job is not None else 0


def give_up_retries() -> None:
    """Let the running job fail without being retried, for a failure no retry can help:
    RQ reads this when the job fails, and `task` records it as failed, not retrying."""
    from rq import get_current_job

    job = get_current_job()
    if job is not None:
        job.retries_left = 0


def task(func: Callable) -> Callable:
    """Run `func(*args, progress=...)` for job record `record_id` in the app context.

    The job's own database work commits once, when it returns. Its record says started,
    finished, or (on an exception) retrying/failed with the error, and the exception goes
    on to RQ, which retries or fails the job: a failure is never reported as done.
    """

    @functools.wraps(func)
    def run(record_id: int, *args):
        app = get_app()
        with app.app_context():
            record = db.session.get(JobRecord, record_id)
            if record is None:
                raise LookupError(f"job record {record_id} does not exist")
            if record.state is JobState.finished:
                log.info("job %s already finished; not running it again", record_id)
                return None
            _set(
                record_id,
                state=JobState.started,
                started_at=utcnow(),
                finished_at=None,
                attempts=JobRecord.attempts + 1,
                progress=0.0,
                progress_message="",
            )
            db.session.expire_all()
            try:
                result = func(*args, progress=Progress(record_id))
                db.session.commit()
            except BaseException as error:
                db.session.rollback()
                retrying = retries_left() > 0
                _set(
                    record_id,
                    state=JobState.retrying if retrying else JobState.failed,
                    error=f"{type(error).__name__}: {error}"[:4000],
                    finished_at=utcnow(),
                )
                raise
            _set(
                record_id,
                state=JobState.finished,
                progress=1.0,
                progress_message="done",
                finished_at=utcnow(),
                error="",
            )
            return result

    return run
