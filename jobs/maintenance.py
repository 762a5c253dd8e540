"""Periodic work, started by RQ's cron scheduler (`vocportal scheduler`)."""

from __future__ import annotations

import logging

from jobs.runtime import get_app
from vocportal.extensions import db
from vocportal.queue import operations as queue

log = logging.getLogger("vocportal.jobs")


def sweep_jobs() -> dict:
    """Re-drive recorded jobs that Redis lost or a dead worker left behind."""
    with get_app().app_context():
        counts = queue.sweep()
        db.session.commit()
    if any(counts.values()):
        log.warning("sweeper re-drove jobs: %s", counts)
    return counts


def schedule_topic_refresh() -> int:
    """Queue a theme refresh (recorded, so the staff page shows it), unless one is queued."""
    from vocportal.themes.operations import request_refresh

    with get_app().app_context():
        record = request_refresh()
        db.session.commit()
        return record.id
