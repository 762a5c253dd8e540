"""The repeat window, measured: SIGKILL every notification worker in the middle of sending.

Run by hand from the repository root (never part of the test suite):

    .venv/bin/python benchmarks/fanout_kill.py --database postgresql --kills 5

Each round builds the same portal as `fanout.py` (fresh database, its supporters, an embedded
Redis, the aiosmtpd server in this process), starts N workers, publishes the status update
and, once the SMTP server has accepted `--kill-at` of the emails, SIGKILLs every worker and
its work-horse children at once. At that moment nothing more can be accepted or marked, so
`accepted - marked sent` is the repeat window: emails the server took that the database does
not know went out. Then Redis is flushed (every job lost), the job and notification sweepers
run as they would once the claims went stale, and new workers finish the event. The round
reports the window, the duplicate emails the SMTP server finally counted (they must be
equal), and checks that every supporter ends with exactly one sent email row.

Progress goes to stderr; stdout gets one JSON object.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import time
from datetime import timedelta

import psutil
from _fanout_smtp import smtp_server
from _harness import log, psycopg_url, run_script
from fanout import (
    DEFAULT_PG_URL,
    STATUS_MESSAGE,
    count_notifications,
    fresh_portal,
    notification_workers,
    wait_for_jobs,
)

TIMEOUT_S = 300


def kill_all(workers) -> None:
    """SIGKILL the workers and their work-horses (RQ forks one per job) at once."""
    procs = []
    for proc in workers.processes():
        procs += [proc, *proc.children(recursive=True)]
    for proc in procs:
        with contextlib.suppress(psutil.NoSuchProcess):
            proc.kill()
    psutil.wait_procs(procs, timeout=10)


def wait_until(check, what: str) -> None:
    deadline = time.monotonic() + TIMEOUT_S
    while not check():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        time.sleep(0.01)


def one_round(args, smtp, kill_at: int) -> dict:
    from redis import Redis

    from vocportal.accounts.models import User
    from vocportal.extensions import db
    from vocportal.ideas import operations as ideas
    from vocportal.ideas.models import Idea, IdeaStatus
    from vocportal.notifications import delivery
    from vocportal.queue import operations as queue
    from vocportal.timeutil import utcnow

    handler, port = smtp
    n = args.supporters
    with fresh_portal(args, port, "embedded") as (_, workdir, redis_url, staff_id, idea_id):
        handler.reset()
        with notification_workers(args.workers, dict(os.environ), redis_url, workdir) as w:
            staff, idea = db.session.get(User, staff_id), db.session.get(Idea, idea_id)
            ideas.change_status(staff, idea, IdeaStatus.shipped, STATUS_MESSAGE)
            db.session.commit()
            wait_until(lambda: handler.counts()[0] >= kill_at, "the kill point")
            kill_all(w)
            accepted_at_kill = handler.counts()[0]
            marked_at_kill = count_notifications(db.engine, "email", "sent")
            sending_at_kill = count_notifications(db.engine, "email", "sending")
        log(f"killed: {accepted_at_kill} accepted, {marked_at_kill} marked sent")
        Redis.from_url(redis_url).flushdb()
        later = utcnow() + timedelta(seconds=3600)  # every claim and job is stale
        queue.sweep(now=later)
        delivery.sweep(now=later)
        db.session.commit()
        with notification_workers(args.workers, dict(os.environ), redis_url, workdir):
            wait_until(
                lambda: count_notifications(db.engine, "email", "sent") >= n,
                "every email marked sent",
            )
            wait_for_jobs(db.engine, timeout=60)
        time.sleep(1.0)  # a late duplicate would arrive about now
        accepted, duplicates = handler.counts()
        sent_rows = count_notifications(db.engine, "email", "sent")
    window = accepted_at_kill - marked_at_kill
    log(f"window {window}, duplicates {duplicates}")
    return {
        "accepted_at_kill": accepted_at_kill,
        "marked_sent_at_kill": marked_at_kill,
        "claimed_at_kill": sending_at_kill,
        "window_at_kill": window,
        "emails_accepted": accepted,
        "duplicate_emails": duplicates,
        "email_rows_sent": sent_rows,
        "every_row_once": sent_rows == n and accepted - duplicates == n,
    }


def main(argv: list[str] | None = None) -> int:
    from vocportal.notifications.sending import MARK_SENT_EVERY

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--supporters", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--kills", type=int, default=3, help="rounds (3)")
    parser.add_argument("--kill-at", type=int, default=0, help="emails accepted (half)")
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL)
    args = parser.parse_args(argv)
    args.kill_at = args.kill_at or args.supporters // 2
    args.pg_url = psycopg_url(args.pg_url)
    with smtp_server() as smtp:
        # Kill points 7 emails apart: sent rows are marked in groups, so where the kill lands
        # within a group decides the window.
        rounds = [one_round(args, smtp, args.kill_at + 7 * i) for i in range(args.kills)]
    report = {
        "supporters": args.supporters,
        "workers": args.workers,
        "database": args.database,
        "rounds": rounds,
        "worst_window": max(r["window_at_kill"] for r in rounds),
        "worst_duplicates": max(r["duplicate_emails"] for r in rounds),
        "every_row_once": all(r["every_row_once"] for r in rounds),
        "mark_sent_every": MARK_SENT_EVERY,
    }
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    run_script(main, "workers and servers")
