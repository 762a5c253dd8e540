"""The `vocportal` command: users, demo data, and Flask's own commands."""

from __future__ import annotations

import subprocess
import sys

from sqlalchemy import func, select

from vocportal.accounts.models import Role, User
from vocportal.cli import cli
from vocportal.demo.seed import DEMO_LOGINS
from vocportal.extensions import db
from vocportal.ideas.models import Comment, Idea, IdeaStatus, StatusChange, Vote
from vocportal.queue import jobnames
from vocportal.queue.models import JobRecord, JobState
from vocportal.queue.operations import defer
from vocportal.security import verify_password


def test_users_create_with_role(app):
    runner = app.test_cli_runner()
    result = runner.invoke(
        cli,
        args=[
            "users",
            "create",
            "Boss@Example.com",
            "--role",
            "admin",
            "--password",
            "a long admin phrase",
        ],
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "boss@example.com"))
    assert user.role is Role.admin and verify_password(user.password_hash, "a long admin phrase")
    again = runner.invoke(
        cli,
        args=[
            "users",
            "create",
            "boss@example.com",
            "--role",
            "staff",
            "--password",
            "whatever phrase",
        ],
    )
    assert again.exit_code == 0 and "now staff" in again.output
    weak = runner.invoke(
        cli, args=["users", "create", "weak@example.com", "--password", "password"]
    )
    assert weak.exit_code != 0 and "too common" in weak.output


def test_seed_demo_is_believable_and_consistent(app):
    runner = app.test_cli_runner()
    result = runner.invoke(cli, args=["seed-demo"])
    assert result.exit_code == 0, result.output
    ideas = db.session.scalar(select(func.count()).select_from(Idea))
    people = db.session.scalar(select(func.count()).select_from(User))
    assert ideas >= 300 and people >= 50
    assert db.session.scalar(select(func.count()).select_from(Comment)) > 100
    statuses = set(db.session.scalars(select(Idea.status).distinct()))
    assert {
        IdeaStatus.open,
        IdeaStatus.planned,
        IdeaStatus.in_progress,
        IdeaStatus.shipped,
        IdeaStatus.declined,
        IdeaStatus.under_review,
    } <= statuses
    assert db.session.scalar(select(func.count()).select_from(StatusChange)) > 30
    # Stored counters equal the rows, as for live data.
    counts = dict(
        db.session.execute(select(Vote.idea_id, func.count()).group_by(Vote.idea_id)).all()
    )
    comments = dict(
        db.session.execute(select(Comment.idea_id, func.count()).group_by(Comment.idea_id)).all()
    )
    for idea in db.session.scalars(select(Idea)):
        assert idea.vote_count == counts.get(idea.id, 0)
        assert idea.comment_count == comments.get(idea.id, 0)
    titles = db.session.scalars(select(Idea.title)).all()
    assert not any("lorem" in t.lower() for t in titles)
    # Companies, weighted segments and feedback from other channels, with people in them.
    from vocportal.companies.models import Company
    from vocportal.customers.models import Segment
    from vocportal.feedback.models import FeedbackItem

    assert db.session.scalar(select(func.count()).select_from(Company)) >= 5
    assert {s.name for s in db.session.scalars(select(Segment))} == {"Enterprise", "Team"}
    assert db.session.scalar(select(func.count()).select_from(FeedbackItem)) == 10
    assert db.session.scalar(select(func.count()).where(User.company_id.is_not(None))) > 40
    # The printed logins work.
    for email, password in DEMO_LOGINS.values():
        user = db.session.scalar(select(User).where(User.email == email))
        assert verify_password(user.password_hash, password)
    second = runner.invoke(cli, args=["seed-demo"])
    assert "already has ideas" in second.output
    assert db.session.scalar(select(func.count()).select_from(Idea)) == ideas


def test_demo_logins_work_in_the_browser_flow(app, client):
    app.test_cli_runner().invoke(cli, args=["seed-demo"])
    email, password = DEMO_LOGINS["staff"]
    client.login(email, password)
    html = client.get("/").get_data(as_text=True)
    assert "Change status" not in html and "Log out" in html
    assert "Tallyhive" in html


def test_console_script_is_flask_cli():
    result = subprocess.run(
        [sys.executable, "-m", "vocportal.cli", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    listed = {line.split()[0] for line in result.stdout.split("Commands:")[1].splitlines() if line}
    portal = {"demo", "seed-demo", "users", "worker", "scheduler", "redis", "embeddings"}
    portal |= {"themes", "import-feedback", "import-companies"}
    assert portal | {"db", "routes", "run", "shell"} <= listed


def test_worker_runs_queued_jobs_and_refuses_unknown_queues(app, redis_url, make_idea):
    idea = make_idea(title="Before")
    record = defer("touch", "tests.jobs_for_tests.touch_idea", idea.id, "After")
    db.session.commit()
    runner = app.test_cli_runner()
    bad = runner.invoke(cli, args=["worker", "default", "nowhere", "--burst", "--no-warm-up"])
    assert bad.exit_code == 2 and "unknown queue(s): nowhere" in bad.output
    assert db.session.get(JobRecord, record.id).state is JobState.queued
    result = runner.invoke(cli, args=["worker", "default", "--burst", "--no-warm-up"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.get(JobRecord, record.id).state is JobState.finished
    assert db.session.get(Idea, idea.id).title == "After"


def test_embeddings_backfill_is_queued_or_run_here(app):
    runner = app.test_cli_runner()
    queued = runner.invoke(cli, args=["embeddings", "backfill"])
    assert queued.exit_code == 0, queued.output
    record = db.session.scalar(select(JobRecord).where(JobRecord.state == JobState.queued))
    assert record.func == jobnames.EMBED_IDEAS_BACKFILL and record.queue == "embeddings"
    assert queued.output == f"Queued job {record.id}; a worker will run it.\n"
    now = runner.invoke(cli, args=["embeddings", "backfill", "--now"])
    assert now.exit_code == 0, now.output
    assert now.output == "Embedded 0 ideas.\n"
    ran = db.session.scalar(select(JobRecord).where(JobRecord.id != record.id))
    assert ran.func == jobnames.EMBED_IDEAS_BACKFILL and ran.state is JobState.finished
