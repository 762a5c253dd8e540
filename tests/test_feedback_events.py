"""Feedback announces what arrived (vocportal.feedback.events); webhooks listen.

The receivers run in the caller's transaction: feedback that is rolled back leaves no
webhook delivery and no job behind. One announcement per batch, naming only new items.
"""

from __future__ import annotations

import pytest
from sqlalchemy import event, func, select

from tests.test_jobs import run_worker
from tests.test_webhooks import admin, deliveries, make_endpoint  # noqa: F401
from vocportal.extensions import db
from vocportal.feedback import events
from vocportal.feedback import operations as feedback
from vocportal.feedback.models import FeedbackSource
from vocportal.queue.models import JobRecord
from vocportal.webhooks.models import WebhookDelivery, WebhookEvent

pytestmark = [
    pytest.mark.usefixtures("redis_url"),
    # The webhook receiver listens on 127.0.0.1, which the portal refuses unless told.
    pytest.mark.app_config(WEBHOOK_ALLOW_PRIVATE=True, WEBHOOK_TIMEOUT_SECONDS=5),
]

FEEDBACK_CREATED = [WebhookEvent.feedback_created.value]


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def items(*texts: str, existing: str | None = None) -> list[dict]:
    rows = [{"text": t, "email": "jo@example.com", "external_id": t} for t in texts]
    if existing is not None:
        rows.insert(1, {"text": existing, "email": "jo@example.com", "external_id": existing})
    return rows


def test_a_rolled_back_feedback_creation_leaves_no_webhook_delivery_or_job(
    app,
    receiver,  # noqa: F811
    make_endpoint,  # noqa: F811
):
    make_endpoint(receiver.url(), FEEDBACK_CREATED)
    before = (count(WebhookDelivery), count(JobRecord))

    feedback.create_feedback(
        text="The export times out.", source=FeedbackSource.email, email="jo@example.com"
    )
    # Inside the transaction the announcement did its work: a delivery and its job.
    assert count(WebhookDelivery) == before[0] + 1
    assert count(JobRecord) > before[1]
    db.session.rollback()

    assert (count(WebhookDelivery), count(JobRecord)) == before
    run_worker(app, "default")
    assert receiver.requests == []


def test_a_batch_is_announced_once_with_its_new_items_only(app):
    feedback.create_feedback_bulk(items("Old one"), FeedbackSource.csv, embed=False)
    heard = []

    def listener(sender, **kwargs):
        heard.append((sender, kwargs))

    with events.feedback_received.connected_to(listener):
        results = feedback.create_feedback_bulk(
            items("SSO please", "Dark mode", existing="Old one") + [{"text": "", "email": "x"}],
            FeedbackSource.csv,
            embed=False,
        )
        again = feedback.create_feedback_bulk(items("SSO please"), FeedbackSource.csv)

    assert [r.created for r in results] == [True, False, True, False]
    assert not again[0].created
    # Only the call that stored something announces, once, with the new ids in order.
    assert heard == [(FeedbackSource.csv, {"item_ids": [results[0].id, results[2].id]})]


def test_a_bulk_import_delivers_one_webhook_per_new_item(
    app,
    receiver,  # noqa: F811
    make_endpoint,  # noqa: F811
):
    make_endpoint(receiver.url(), FEEDBACK_CREATED)
    feedback.create_feedback_bulk(items("Old one"), FeedbackSource.api, embed=False)
    db.session.commit()
    run_worker(app, "default")
    receiver.requests.clear()

    results = feedback.create_feedback_bulk(
        items("SSO please", "Dark mode", existing="Old one"), FeedbackSource.api, embed=False
    )
    db.session.commit()
    run_worker(app, "default")

    new_ids = [results[0].id, results[2].id]
    assert sorted(d.payload["data"]["id"] for d in deliveries()[-2:]) == new_ids
    assert sorted(r.json["data"]["id"] for r in receiver.requests) == new_ids
    assert {r.json["data"]["text"] for r in receiver.requests} == {"SSO please", "Dark mode"}


def _reads_of_whole_items(run) -> int:
    """How many statements `run` issues that load feedback items (not only their ids)."""
    statements = []

    def note(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        run()
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
    return sum(1 for s in statements if "feedback_items.text" in s)


def test_an_import_nobody_listens_to_loads_no_items(
    app,
    receiver,  # noqa: F811
    make_endpoint,  # noqa: F811
):
    batch = items(*(f"Idea {n}" for n in range(200)))
    make_endpoint(receiver.url(), [WebhookEvent.idea_created.value])  # not feedback

    def run() -> None:
        feedback.create_feedback_bulk(batch, FeedbackSource.csv, embed=False)

    assert _reads_of_whole_items(run) == 0
    assert count(WebhookDelivery) == 0
    db.session.rollback()

    make_endpoint(receiver.url(), FEEDBACK_CREATED)
    assert _reads_of_whole_items(run) == 1  # the 200 new items, in one query
    assert count(WebhookDelivery) == 200
    db.session.rollback()
