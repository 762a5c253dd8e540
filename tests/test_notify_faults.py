"""The fault test: a worker killed with SIGKILL in the middle of a fan-out to 2,000 people,
then Redis flushed; after a new worker and the sweeper, everyone has exactly one
notification per channel and the SMTP server received exactly one email per person."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta

import pytest
from redis import Redis
from sqlalchemy import func, select

from tests.smtp import smtp_server  # noqa: F401  (fixture)
from vocportal.extensions import db
from vocportal.ideas import operations as ideas
from vocportal.ideas.models import IdeaStatus
from vocportal.notifications import delivery
from vocportal.notifications.models import Channel, DeliveryState, Notification
from vocportal.queue import operations as queue
from vocportal.timeutil import utcnow

SUPPORTERS = 2000


def start_worker(app, mail_url: str, *extra: str) -> subprocess.Popen:
    """A real `vocportal worker` process on the test's database, Redis and SMTP server."""
    env = {
        **os.environ,
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "REDIS_URL": app.config["REDIS_URL"],
        "MAIL_URL": mail_url,
        "SECRET_KEY": app.config["SECRET_KEY"],
        "VOCPORTAL_INSTANCE_PATH": app.instance_path,
        "NOTIFY_FANOUT_CHUNK": str(app.config["NOTIFY_FANOUT_CHUNK"]),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "vocportal.cli", "worker", "notifications", "--no-warm-up", *extra],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        # Its own process group: RQ's scheduler runs in a forked child, which must die too.
        start_new_session=True,
    )


def count(channel: Channel, **where) -> int:
    db.session.expire_all()
    stmt = select(func.count()).select_from(Notification).where(Notification.channel == channel)
    for key, value in where.items():
        stmt = stmt.where(getattr(Notification, key) == value)
    return db.session.scalar(stmt)


@pytest.mark.usefixtures("redis_url")
@pytest.mark.app_config(NOTIFY_FANOUT_CHUNK=20, JOB_SWEEP_GRACE_SECONDS=0)
def test_sigkill_mid_fan_out_and_redis_flush_lose_and_double_nothing(
    app,
    make_user,
    make_idea,
    add_supporters,
    smtp_server,  # noqa: F811
):
    mail_url, inbox = smtp_server
    staff = make_user(role="staff")
    idea = make_idea(title="Single sign-on with Okta")
    add_supporters(idea, SUPPORTERS)
    everyone = SUPPORTERS + 1  # and the author; the staff member who publishes is not told

    worker = start_worker(app, mail_url)
    try:
        ideas.change_status(staff, idea, IdeaStatus.in_progress, "We started on SSO.")
        db.session.commit()
        deadline = time.monotonic() + 60
        while count(Channel.web) == 0:  # the fan-out has written its first chunk
            assert worker.poll() is None, worker.stderr.read()
            assert time.monotonic() < deadline, "the worker never started the fan-out"
            time.sleep(0.005)
        os.killpg(worker.pid, signal.SIGKILL)  # the worker and its children, at once
        worker.wait(10)
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(10)
        worker.stderr.close()
    at_kill = count(Channel.web)
    assert 0 < at_kill < everyone, "the kill must land in the middle of the fan-out"
    assert len(inbox.messages) == 0  # emails go out only once the fan-out is complete

    Redis.from_url(app.config["REDIS_URL"]).flushdb()  # and Redis loses every job

    # The scheduler's sweeper, run as it would be once the dead attempt's timeout passed,
    # then a new worker.
    later = utcnow() + timedelta(seconds=901)
    assert queue.sweep(now=later)["requeued"] >= 1
    delivery.sweep(now=later)
    db.session.commit()
    restarted = start_worker(app, mail_url, "--burst")
    started = time.monotonic()
    try:
        _, errors = restarted.communicate(timeout=180)
    finally:
        if restarted.poll() is None:
            os.killpg(restarted.pid, signal.SIGKILL)
    assert restarted.returncode == 0, errors
    print(
        f"killed at {at_kill} of {everyone}; restart finished in {time.monotonic() - started:.1f} s"
    )

    assert count(Channel.web) == everyone
    assert count(Channel.email, state=DeliveryState.sent) == everyone
    per_person = Counter(
        db.session.execute(select(Notification.user_id, Notification.channel)).all()
    )
    assert set(per_person.values()) == {1} and len(per_person) == 2 * everyone
    received = Counter(m["To"] for m in inbox.wait_for(everyone, timeout=30))
    assert len(received) == everyone and set(received.values()) == {1}
    assert len(inbox.wait_for(everyone + 1, timeout=1)) == everyone
