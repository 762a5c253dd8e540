"""The scheduler's periodic work (jobs/maintenance.py): what `vocportal scheduler` registers,
and the job each tick records."""

from __future__ import annotations

from rq.cron import CronScheduler
from sqlalchemy import select

from jobs import maintenance
from vocportal.extensions import db
from vocportal.queue import jobnames
from vocportal.queue.models import JobRecord
from vocportal.redis_client import get_redis


def test_scheduler_registers_the_periodic_work_at_the_configured_times(app):
    cron = CronScheduler(connection=get_redis(app), name="test")
    maintenance.register_schedule(cron, app.config)
    registered = {job.func_name: job for job in cron.get_jobs()}
    prefix = "jobs.maintenance."
    assert set(registered) == {
        prefix + name
        for name in (
            "sweep_jobs",
            "schedule_topic_refresh",
            "schedule_digests",
            "schedule_theme_alerts",
            "schedule_weekly_report",
        )
    }
    assert registered[prefix + "sweep_jobs"].interval == app.config["SWEEP_INTERVAL_SECONDS"]
    refresh = registered[prefix + "schedule_topic_refresh"]
    assert refresh.interval == app.config["TOPICS_REFRESH_SECONDS"]
    alerts = registered[prefix + "schedule_theme_alerts"]
    assert alerts.interval == app.config["THEME_ALERTS_SECONDS"]
    digests = registered[prefix + "schedule_digests"]
    assert digests.cron == f"0 {app.config['DIGEST_HOUR_UTC']} * * *"
    weekly = registered[prefix + "schedule_weekly_report"]
    assert weekly.cron == f"0 {app.config['WEEKLY_REPORT_HOUR_UTC']} * * 1"
    assert {job.queue_name for job in registered.values()} == {"default"}


def test_each_tick_records_its_job_once_while_it_is_waiting(app):
    digests = maintenance.schedule_digests()
    alerts = maintenance.schedule_theme_alerts()
    assert maintenance.schedule_digests() == digests  # one a day
    assert maintenance.schedule_theme_alerts() == alerts
    db.session.expire_all()
    records = {r.func: r for r in db.session.scalars(select(JobRecord))}
    assert set(records) == {jobnames.NOTIFY_SEND_DIGESTS, jobnames.DETECT_THEME_ALERTS}
    assert records[jobnames.NOTIFY_SEND_DIGESTS].id == digests
    assert records[jobnames.NOTIFY_SEND_DIGESTS].queue == "notifications"
    assert records[jobnames.DETECT_THEME_ALERTS].id == alerts
    assert records[jobnames.DETECT_THEME_ALERTS].queue == "topics"
