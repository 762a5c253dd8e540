"""Asking for a theme refresh: a deduplicated job on the `topics` queue, enqueued by name.

The web process only records and enqueues the job (`jobs.topics.refresh_topics`); the
refit itself (:mod:`vocportal.themes.refit`) runs in a worker.
"""

from __future__ import annotations

from sqlalchemy import select

from vocportal.extensions import db
from vocportal.queue import jobnames

REFRESH_KEY = "topics:refresh"


def request_refresh(enqueue: bool = True):
    """Queue a theme refresh unless one is already waiting; return its job record."""
    from vocportal.queue.operations import defer

    return defer(
        "refresh themes",
        jobnames.REFRESH_THEMES,
        queue="topics",
        dedupe_key=REFRESH_KEY,
        timeout=3600,
        attempts=2,
        enqueue=enqueue,
    )


def refresh_job():
    """The theme refresh that is queued or running now, if any."""
    from vocportal.queue.models import ACTIVE_STATES, JobRecord

    return db.session.scalar(
        select(JobRecord)
        .where(JobRecord.dedupe_key == REFRESH_KEY, JobRecord.state.in_(ACTIVE_STATES))
        .order_by(JobRecord.id.desc())
        .limit(1)
    )
