"""Periodic work, started by RQ's cron scheduler (`vocportal scheduler`)."""

from __future__ import annotations

import logging

from jobs.runtime import get_app
from vocportal.extensions import db
from vocportal.queue import operations as queue

log = logging.getLogger("vocportal.jobs")


def sweep_jobs() -> dict:
    """Re-drive recorded jobs and notifications that Redis lost or a dead worker left."""
    from vocportal.notifications import operations as notifications

    with get_app().app_context():
        counts = queue.sweep()
        db.session.commit()
        counts.update(notifications.sweep())
        db.session.commit()
    if any(counts.values()):
        log.warning("sweeper re-drove jobs: %s", counts)
    return counts


def schedule_topic_refresh() -> int:
    """Queue a theme refresh (recorded, so the staff page shows it), unless one is queued."""
    from vocportal.themes.refresh import request_refresh

    with get_app().app_context():
        record = request_refresh()
        db.session.commit()
        return record.id


def schedule_digests() -> int:
    """Queue today's digest emails (recorded, retried, re-driven like any job)."""
    from vocportal.queue.operations import defer
    from vocportal.timeutil import utcnow

    with get_app().app_context():
        record = defer(
            "notify: daily digests",
            "jobs.notify.send_digests",
            queue="notifications",
            dedupe_key=f"notify:digest:{utcnow():%Y-%m-%d}",
            timeout=3600,
            attempts=3,
        )
        db.session.commit()
        return record.id


def schedule_theme_alerts() -> int:
    """Queue the early-warning check over themes."""
    from vocportal.queue.operations import defer

    with get_app().app_context():
        record = defer(
            "detect theme alerts",
            "jobs.topics.detect_theme_alerts",
            queue="topics",
            dedupe_key="topics:alerts",
            timeout=600,
            attempts=2,
        )
        db.session.commit()
        return record.id
