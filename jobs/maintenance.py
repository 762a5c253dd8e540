"""Periodic work, started by RQ's cron scheduler (`vocportal scheduler`)."""

from __future__ import annotations

import logging

from flask import Config
from rq.cron import CronScheduler

from jobs.runtime import get_app
from vocportal.extensions import db
from vocportal.queue import jobnames
from vocportal.queue import operations as queue
from vocportal.timeutil import utcnow

log = logging.getLogger("vocportal.jobs")


def sweep_jobs() -> dict:
    """Re-drive recorded jobs and notifications that Redis lost or a dead worker left."""
    from vocportal.notifications import delivery

    with get_app().app_context():
        counts = queue.sweep()
        db.session.commit()
        counts.update(delivery.sweep())
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
    return _record(
        "notify: daily digests",
        jobnames.NOTIFY_SEND_DIGESTS,
        queue="notifications",
        dedupe_key=f"notify:digest:{utcnow():%Y-%m-%d}",
        timeout=3600,
        attempts=3,
    )


def schedule_theme_alerts() -> int:
    """Queue the early-warning check over themes."""
    return _record(
        "detect theme alerts",
        jobnames.DETECT_THEME_ALERTS,
        queue="topics",
        dedupe_key="topics:alerts",
        timeout=600,
        attempts=2,
    )


def schedule_weekly_report() -> int:
    """Queue the last complete week's report (built, fanned out and sent once per week)."""
    from vocportal.reports.figures import last_complete_week
    from vocportal.reports.operations import defer_send

    with get_app().app_context():
        record = defer_send(last_complete_week(utcnow()))
        db.session.commit()
        return record.id


def _record(kind: str, func: str, **options) -> int:
    """Record a job and queue it once recorded; return its record id."""
    with get_app().app_context():
        record = queue.defer(kind, func, **options)
        db.session.commit()
        return record.id


def register_schedule(cron: CronScheduler, config: Config) -> None:
    """Register the periodic work above on RQ's cron scheduler, as often as `config` says."""
    interval = config["SWEEP_INTERVAL_SECONDS"]
    cron.register(sweep_jobs, "default", interval=interval, job_timeout=300)
    interval = config["TOPICS_REFRESH_SECONDS"]
    cron.register(schedule_topic_refresh, "default", interval=interval, job_timeout=60)
    daily = f"0 {config['DIGEST_HOUR_UTC']} * * *"
    cron.register(schedule_digests, "default", cron=daily, job_timeout=60)
    interval = config["THEME_ALERTS_SECONDS"]
    cron.register(schedule_theme_alerts, "default", interval=interval, job_timeout=60)
    weekly = f"0 {config['WEEKLY_REPORT_HOUR_UTC']} * * 1"
    cron.register(schedule_weekly_report, "default", cron=weekly, job_timeout=60)
