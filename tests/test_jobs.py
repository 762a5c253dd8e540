"""Background jobs on a real Redis with a real RQ worker: records, commit order, retries,
failures, timeouts and the sweeper."""

from __future__ import annotations

import pytest
from redis import Redis
from rq import Queue, SimpleWorker

from jobs.runtime import set_app
from tests.conftest import PortalClient
from vocportal.extensions import db
from vocportal.queue import operations as queue
from vocportal.queue.models import JobRecord, JobState

pytestmark = [
    pytest.mark.usefixtures("redis_url"),
    pytest.mark.app_config(JOB_RETRY_INTERVALS=[0, 0, 0], JOB_SWEEP_GRACE_SECONDS=0),
]


def run_worker(app, *queues: str) -> None:
    """Run a real RQ worker until the queues are empty."""
    connection = Redis.from_url(app.config["REDIS_URL"])
    SimpleWorker(list(queues or ["default"]), connection=connection).work(
        burst=True, with_scheduler=False, logging_level="WARNING"
    )
    connection.close()


def queued_ids(app, name: str = "default") -> list[str]:
    return Queue(name, connection=Redis.from_url(app.config["REDIS_URL"])).job_ids


def test_job_is_enqueued_only_after_commit_and_sees_the_rows(app, make_idea):
    idea = make_idea(title="Original")
    record = queue.defer("touch", "tests.jobs_for_tests.touch_idea", idea.id, "Touched")
    assert record.state is JobState.queued
    assert record.rq_job_id not in queued_ids(app)  # not before the commit
    db.session.commit()
    assert record.rq_job_id in queued_ids(app)
    run_worker(app)
    db.session.expire_all()
    record = db.session.get(JobRecord, record.id)
    assert record.state is JobState.finished and record.attempts == 1
    assert record.progress == 1.0 and record.started_at and record.finished_at
    assert db.session.get(type(idea), idea.id).title == "Touched"


def test_rolled_back_job_is_never_enqueued(app, make_idea):
    idea = make_idea()
    record = queue.defer("touch", "tests.jobs_for_tests.touch_idea", idea.id, "Never")
    rq_id = record.rq_job_id
    db.session.rollback()
    assert rq_id not in queued_ids(app)
    assert db.session.get(JobRecord, record.id) is None


def test_failed_attempts_are_recorded_and_retried(app):
    record = queue.defer("flaky", "tests.jobs_for_tests.flaky", "twice", 2, attempts=3)
    db.session.commit()
    run_worker(app)
    db.session.expire_all()
    record = db.session.get(JobRecord, record.id)
    assert record.state is JobState.finished
    assert record.attempts == 3


def test_job_failing_every_attempt_is_failed_with_its_error(app):
    record = queue.defer("flaky", "tests.jobs_for_tests.flaky", "always", 99, attempts=2)
    db.session.commit()
    run_worker(app)
    db.session.expire_all()
    record = db.session.get(JobRecord, record.id)
    assert record.state is JobState.failed and record.attempts == 2
    assert "RuntimeError: attempt 2 failed on purpose" in record.error


def test_job_over_its_timeout_is_stopped_and_failed(app):
    record = queue.defer("sleepy", "tests.jobs_for_tests.sleepy", 5, timeout=1, attempts=1)
    db.session.commit()
    run_worker(app)
    db.session.expire_all()
    record = db.session.get(JobRecord, record.id)
    assert record.state is JobState.failed
    assert "JobTimeoutException" in record.error


def test_deduplicated_job_is_queued_once(app):
    first = queue.defer("flaky", "tests.jobs_for_tests.flaky", "d", 0, dedupe_key="same")
    second = queue.defer("flaky", "tests.jobs_for_tests.flaky", "d", 0, dedupe_key="same")
    db.session.commit()
    assert first.id == second.id
    assert queued_ids(app).count(first.rq_job_id) == 1


def test_sweeper_redrives_jobs_redis_lost(app, make_idea):
    idea = make_idea(title="Before")
    record = queue.defer("touch", "tests.jobs_for_tests.touch_idea", idea.id, "After")
    db.session.commit()
    Redis.from_url(app.config["REDIS_URL"]).flushdb()  # Redis loses everything
    assert queued_ids(app) == []
    counts = queue.sweep()
    db.session.commit()
    assert counts["requeued"] == 2  # this job and the new idea's embedding job
    run_worker(app)
    db.session.expire_all()
    assert db.session.get(JobRecord, record.id).state is JobState.finished
    assert db.session.get(type(idea), idea.id).title == "After"


def test_job_recorded_when_redis_is_down_and_sent_later(app_factory, redis_url, make_idea):
    down = app_factory(REDIS_URL="redis://127.0.0.1:1/0", JOB_SWEEP_GRACE_SECONDS=0)
    with down.app_context():
        idea = make_idea()
        record = queue.defer("touch", "tests.jobs_for_tests.touch_idea", idea.id, "Later")
        db.session.commit()  # the enqueue fails quietly; the record stays
        record = db.session.get(JobRecord, record.id)
        assert record.state is JobState.queued and record.enqueued_at is None
        record_id = record.id
    up = app_factory(REDIS_URL=redis_url, JOB_SWEEP_GRACE_SECONDS=0)
    set_app(up)
    with up.app_context():
        assert queue.sweep()["requeued"] == 2  # this job and the idea's embedding job
        db.session.commit()
        run_worker(up)
        assert db.session.get(JobRecord, record_id).state is JobState.finished


def test_staff_jobs_page_lists_jobs_with_progress(app, make_user):
    record = queue.defer("flaky", "tests.jobs_for_tests.flaky", "page", 9, attempts=1)
    db.session.commit()
    run_worker(app)
    staff = make_user(role="staff")
    client = PortalClient(app)
    client.login(staff.email)
    html = client.get("/staff/jobs/").get_data(as_text=True)
    assert f"<td>{record.id}</td>" in html and "failed on purpose" in html
    assert 'data-testid="job-progress"' in html
    customer = PortalClient(app)
    customer.login(make_user().email)
    assert customer.get("/staff/jobs/").status_code == 403


def test_sweeper_marks_a_job_rq_finished_as_finished(app):
    from rq.job import Job

    record = queue.defer("flaky", "tests.jobs_for_tests.flaky", "fin", 0)
    db.session.commit()
    # The worker ran it but died before its record said so.
    job = Job.fetch(record.rq_job_id, connection=Redis.from_url(app.config["REDIS_URL"]))
    job.set_status("finished")
    db.session.get(JobRecord, record.id).state = JobState.started
    db.session.commit()
    assert queue.sweep()["finished"] == 1
    db.session.commit()
    assert db.session.get(JobRecord, record.id).state is JobState.finished


def test_sweeper_gives_up_after_the_last_attempt(app):
    record = queue.defer("flaky", "tests.jobs_for_tests.flaky", "out", 0, attempts=2)
    db.session.commit()
    Redis.from_url(app.config["REDIS_URL"]).flushdb()
    db.session.get(JobRecord, record.id).attempts = 2
    db.session.commit()
    counts = queue.sweep()
    db.session.commit()
    assert counts == {"requeued": 0, "failed": 1, "finished": 0}
    assert db.session.get(JobRecord, record.id).state is JobState.failed
