"""Chat integrations for a customer's answer to a staff question and for the weekly
voice-of-customer report: the same endpoints, formats, schemas, receiver and worker as
tests/test_chat_webhooks.py."""

from __future__ import annotations

import pytest

from tests.test_chat_webhooks import admin, check, make_chat_endpoint  # noqa: F401
from tests.test_jobs import run_worker
from tests.test_webhooks import deliveries
from vocportal.extensions import db
from vocportal.questions import operations as questions
from vocportal.questions.models import Addressees, AnswerChannel
from vocportal.reports import operations as reports
from vocportal.reports.figures import last_complete_week
from vocportal.timeutil import utcnow
from vocportal.webhooks import chat
from vocportal.webhooks.models import DeliveryStatus, WebhookEvent, WebhookFormat

pytestmark = [
    pytest.mark.usefixtures("redis_url"),
    pytest.mark.app_config(
        JOB_RETRY_INTERVALS=[0, 0, 0, 0],
        WEBHOOK_ALLOW_PRIVATE=True,
        WEBHOOK_TIMEOUT_SECONDS=5,
        WEBHOOK_ATTEMPTS=3,
    ),
]

FORMATS = list(WebhookFormat)


@pytest.mark.parametrize("fmt", FORMATS, ids=lambda f: f.value)
def test_a_customers_answer_reaches_the_channel(
    app,
    receiver,  # noqa: F811
    admin,  # noqa: F811
    make_idea,
    make_user,
    make_board,
    fmt,
):
    board, other = make_board(name="Mobile"), make_board(name="Web")
    make_chat_endpoint(
        admin, receiver.url("/mobile"), fmt, [WebhookEvent.answer_received.value], [board.id]
    )
    make_chat_endpoint(
        admin, receiver.url("/web"), fmt, [WebhookEvent.answer_received.value], [other.id]
    )
    idea = make_idea(title="Offline sync", board=board)
    staff = make_user(role="staff", name="Sam")
    question = questions.ask(staff, "Which devices?", Addressees.author, idea=idea)
    db.session.commit()
    questions.answer(question, idea.author, "Two Android tablets.", AnswerChannel.email)
    db.session.commit()
    run_worker(app, "default")

    [delivery] = deliveries()  # the endpoint for another board heard nothing
    assert delivery.event == "question.answered" and delivery.status is DeliveryStatus.delivered
    [request] = receiver.requests
    assert request.path == "/mobile"
    body = request.json
    if fmt is WebhookFormat.json:
        data = body["data"]
        assert data["body"] == "Two Android tablets." and data["channel"] == "email"
        assert data["question"]["body"] == "Which devices?"
        assert data["question"]["asked_by"]["display_name"] == "Sam"
        assert data["idea"] == {"id": idea.id, "title": "Offline sync", "status": "open"}
        assert data["url"].endswith(f"/ideas/{idea.id}")
        assert idea.author.email not in request.body.decode()
    else:
        check(fmt, body)
        text = request.body.decode()
        assert "Two Android tablets." in text and "Which devices?" in text
        assert "Offline sync" in text and f"/ideas/{idea.id}" in text


@pytest.mark.parametrize("fmt", FORMATS, ids=lambda f: f.value)
def test_the_weekly_report_reaches_the_channel(
    app,
    receiver,  # noqa: F811
    admin,  # noqa: F811
    make_board,
    fmt,
):
    board = make_board(name="Mobile")
    # Limited to a board, it still gets the report (the report is about every board).
    make_chat_endpoint(admin, receiver.url(), fmt, [WebhookEvent.weekly_report.value], [board.id])
    week = last_complete_week(utcnow())
    report = reports.build_report(week)
    db.session.commit()
    reports.build_report(week)  # built already: not announced again
    db.session.commit()
    run_worker(app, "default")

    [request] = receiver.requests
    assert request.headers["X-Vocportal-Event"] == "report.weekly"
    body = request.json
    if fmt is WebhookFormat.json:
        data = body["data"]
        assert data["id"] == report.id and data["week_start"] == week.isoformat()
        assert data["figures"] == report.figures
        assert data["url"].endswith(reports.report_path(week))
    else:
        check(fmt, body)
        text = request.body.decode()
        assert f"week of {week.isoformat()}" in text and reports.report_path(week) in text


def test_erasing_a_person_scrubs_their_answer_from_stored_deliveries(
    app,
    admin,  # noqa: F811
    make_idea,
    make_user,
):
    from vocportal.privacy import erasure

    make_chat_endpoint(
        admin, "http://127.0.0.1:9/slack", WebhookFormat.slack, [WebhookEvent.answer_received.value]
    )
    idea = make_idea(title="Offline sync")
    staff = make_user(role="staff")
    question = questions.ask(staff, "Which devices?", Addressees.author, idea=idea)
    questions.answer(question, idea.author, "Two tablets at 12 Elm Street.", AnswerChannel.page)
    db.session.commit()
    [delivery] = deliveries()
    assert delivery.payload["data"]["body"] == "Two tablets at 12 Elm Street."
    erasure.erase(admin, idea.author)
    db.session.commit()
    [delivery] = deliveries()
    assert delivery.payload["data"]["body"] == erasure.ERASED_TEXT
    assert "Elm Street" not in str(chat.render(WebhookFormat.slack, delivery.payload))
