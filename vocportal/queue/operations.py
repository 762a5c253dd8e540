"""Queue work for after the commit, record it, and re-drive what Redis lost.

Operations call `defer(...)` inside the request's transaction: it writes a JobRecord and
remembers the job. Only when that transaction commits is the job handed to RQ (a worker
never sees a job before its rows exist). If Redis is unreachable then, the record stays
queued and the sweeper hands it over later: work is recorded before it is queued, so it
cannot be silently dropped.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import current_app
from rq import Queue, Retry
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from vocportal.extensions import db
from vocportal.queue.models import ACTIVE_STATES, JobRecord, JobState
from vocportal.redis_client import get_redis
from vocportal.timeutil import utcnow

log = logging.getLogger("vocportal.queue")

#: Queues named for what they carry.
QUEUES = ("default", "embeddings", "topics", "notifications")

_PENDING = "vocportal_pending_jobs"


def defer(
    kind: str,
    func: str,
    *args,
    queue: str = "default",
    dedupe_key: str | None = None,
    timeout: int = 300,
    attempts: int = 3,
    enqueue: bool = True,
) -> JobRecord:
    """Record a job now and enqueue it in RQ when the current transaction commits.

    `func` is a job's name from `vocportal.queue.jobnames` (the dotted path of a function in
    `jobs/` taking the record id first), then `args` (plain JSON values: ids, not objects).
    With `dedupe_key`, an active job with the same key is returned instead of queueing a
    second one. With `enqueue=False` the job is only recorded, for a caller that runs it
    in-process right away.
    """
    if queue not in QUEUES:
        raise ValueError(f"unknown queue {queue!r}")
    if dedupe_key is not None:
        existing = db.session.scalar(
            select(JobRecord).where(
                JobRecord.dedupe_key == dedupe_key,
                JobRecord.state.in_([JobState.queued, JobState.retrying]),
            )
        )
        if existing is not None:
            return existing
    record = JobRecord(
        kind=kind,
        func=func,
        args=list(args),
        queue=queue,
        dedupe_key=dedupe_key,
        timeout=timeout,
        max_attempts=attempts,
    )
    db.session.add(record)
    db.session.flush()
    if enqueue:
        db.session.info.setdefault(_PENDING, []).append(record.id)
    return record


def enqueue_record(record: JobRecord) -> bool:
    """Hand a recorded job to RQ; return False when Redis cannot be reached."""
    intervals = current_app.config["JOB_RETRY_INTERVALS"]
    retries = max(record.max_attempts - 1, 0)
    queue = Queue(record.queue, connection=get_redis())
    try:
        queue.enqueue(
            record.func,
            record.id,
            *record.args,
            job_id=record.rq_job_id,
            job_timeout=record.timeout,
            retry=Retry(max=retries, interval=intervals[:retries] or 0) if retries else None,
            result_ttl=3600,
            failure_ttl=7 * 24 * 3600,
            description=f"{record.kind} #{record.id}",
        )
    except Exception as error:  # Redis down: the sweeper re-drives it later
        log.warning("could not enqueue job %s (%s): %s", record.id, record.kind, error)
        return False
    return True


def _enqueue_pending(session: Session) -> None:
    ids = session.info.pop(_PENDING, [])
    if not ids:
        return
    # A fresh session: the one that just committed is mid-event and must not be reused.
    with Session(db.engine) as fresh:
        for record in fresh.scalars(select(JobRecord).where(JobRecord.id.in_(ids))):
            if enqueue_record(record):
                record.enqueued_at = utcnow()
        fresh.commit()


def withhold_deferred() -> list[int]:
    """Keep the jobs deferred so far in this transaction out of RQ (its commit hands none
    over) and return their record ids: for a caller that runs them in-process itself."""
    return db.session.info.pop(_PENDING, [])


def _forget_pending(session: Session, *_args) -> None:
    session.info.pop(_PENDING, None)


def register_queue_hooks() -> None:
    """Enqueue deferred jobs after commit; forget them on rollback (idempotent)."""
    if not event.contains(Session, "after_commit", _enqueue_pending):
        event.listen(Session, "after_commit", _enqueue_pending)
        event.listen(Session, "after_soft_rollback", _forget_pending)


def _in_rq(record: JobRecord) -> str | None:
    """The RQ status of a record's job, or None if Redis does not know it."""
    try:
        return Job.fetch(record.rq_job_id, connection=get_redis()).get_status(refresh=False)
    except NoSuchJobError:
        return None


def sweep(now=None) -> dict[str, int]:
    """Re-drive jobs that Redis lost or a killed worker left behind; return counts.

    - queued/retrying records that Redis does not know (never enqueued, or Redis lost them)
    - started records whose attempt outlived its timeout and that RQ no longer runs

    Re-driven records are set back to queued in the caller's transaction and handed to RQ
    only after it commits (like `defer`), so a worker can never finish one before the
    sweeper's own write lands and overwrite "finished" with "queued".
    """
    now = now or utcnow()
    grace = timedelta(seconds=current_app.config["JOB_SWEEP_GRACE_SECONDS"])
    counts = {"requeued": 0, "failed": 0, "finished": 0}
    records = db.session.scalars(select(JobRecord).where(JobRecord.state.in_(ACTIVE_STATES)))
    pending = db.session.info.setdefault(_PENDING, [])
    for record in records:
        status = _in_rq(record)
        if status == JobStatus.FINISHED:
            # The worker finished but died before its record said so.
            record.state, record.progress, record.finished_at = JobState.finished, 1.0, now
            counts["finished"] += 1
            continue
        if record.state is JobState.started:
            started = record.started_at or record.created_at
            overdue = now - started > timedelta(seconds=record.timeout) + grace
            if not overdue or status == JobStatus.STARTED:
                continue
        elif status is not None and status not in (JobStatus.FAILED, JobStatus.CANCELED):
            continue  # RQ has it (queued, scheduled, deferred): nothing to do
        elif now - (record.enqueued_at or record.created_at) < grace:
            continue  # just written; its after-commit enqueue may still be on its way
        if record.attempts >= record.max_attempts:
            record.state = JobState.failed
            record.error = record.error or "the worker stopped during the last attempt"
            record.finished_at = now
            counts["failed"] += 1
            continue
        if status is not None:
            Job.fetch(record.rq_job_id, connection=get_redis()).delete()
        record.state = JobState.queued
        pending.append(record.id)
        counts["requeued"] += 1
    db.session.flush()
    return counts
