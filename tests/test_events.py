"""Ideas announce what happened (vocportal.ideas.events); the features that react listen.

The receivers run in the caller's transaction: a change that is rolled back leaves no
outbox event, no webhook delivery and no job behind.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.test_jobs import run_worker
from tests.test_webhooks import admin, make_endpoint  # noqa: F401  (fixtures)
from vocportal.extensions import db
from vocportal.ideas import commenting, events, support
from vocportal.ideas import operations as ideas
from vocportal.ideas.merge import merge, unmerge
from vocportal.ideas.models import IdeaStatus
from vocportal.notifications.models import Notification, NotificationEvent
from vocportal.queue.models import JobRecord
from vocportal.webhooks.models import WebhookDelivery, WebhookEvent

pytestmark = [
    pytest.mark.usefixtures("redis_url"),
    # The webhook receiver listens on 127.0.0.1, which the portal refuses unless told.
    pytest.mark.app_config(WEBHOOK_ALLOW_PRIVATE=True, WEBHOOK_TIMEOUT_SECONDS=5),
]


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def listened_idea(app, receiver, make_endpoint, make_idea, make_user, add_supporters):  # noqa: F811
    """An idea with three supporters, a webhook endpoint for status changes, and a staff
    member: (idea, supporter ids, staff); what creating the idea queued has run."""
    make_endpoint(receiver.url(), [WebhookEvent.status_changed.value])
    idea = make_idea()
    supporters = add_supporters(idea, 3)
    staff = make_user(role="staff")
    db.session.commit()
    run_worker(app, "default")
    receiver.requests.clear()
    return idea, supporters, staff


def test_a_rolled_back_status_change_leaves_no_event_delivery_or_job(
    app,
    receiver,  # noqa: F811
    listened_idea,
):
    idea, _, staff = listened_idea
    before = (count(NotificationEvent), count(WebhookDelivery), count(JobRecord))

    ideas.change_status(staff, idea, IdeaStatus.planned, "On the plan for May.")
    # Inside the transaction the announcement did its work: outbox, delivery and jobs.
    assert count(NotificationEvent) == before[0] + 1
    assert count(WebhookDelivery) == before[1] + 1
    assert count(JobRecord) > before[2]
    db.session.rollback()

    assert (count(NotificationEvent), count(WebhookDelivery), count(JobRecord)) == before
    run_worker(app, "default")
    run_worker(app, "notifications")
    assert receiver.requests == []
    assert count(Notification) == 0


def test_the_same_status_change_committed_reaches_supporters_and_the_webhook(
    app,
    receiver,  # noqa: F811
    listened_idea,
):
    idea, supporters, staff = listened_idea
    ideas.change_status(staff, idea, IdeaStatus.planned, "On the plan for May.")
    db.session.commit()
    run_worker(app, "default")
    run_worker(app, "notifications")

    assert [r.json["event"] for r in receiver.requests] == ["idea.status_changed"]
    told = set(db.session.scalars(select(Notification.user_id).distinct()))
    assert set(supporters) <= told
    # Staff answered in public: the idea left the inbox and has its first response.
    db.session.refresh(idea)
    assert idea.triaged_at is not None and idea.first_response_at is not None


def test_each_change_is_announced_once_with_its_actor(app, make_idea, make_user):
    heard: list[tuple[str, int, dict]] = []

    def listen(name):
        def hear(sender, **kwargs):
            heard.append((name, sender.id, kwargs))

        return hear

    receivers = {
        name: listen(name)
        for name in (
            "idea_created",
            "idea_edited",
            "status_changed",
            "comment_added",
            "idea_merged",
            "idea_unmerged",
            "idea_hidden",
            "comment_hidden",
            "idea_muted",
        )
    }
    for name, fn in receivers.items():
        getattr(events, name).connect(fn)
    try:
        staff = make_user(role="staff")
        author = make_user()
        idea = make_idea(author=author)
        other = make_idea()
        ideas.edit_idea(author, idea, "A better title", "More words.", idea.board)
        comment = commenting.add_comment(author, idea, "Also for exports.")
        commenting.set_comment_hidden(staff, comment, True)
        commenting.set_comment_hidden(staff, comment, True)  # no change: nothing to announce
        support.unfollow(author, idea)
        ideas.set_idea_hidden(staff, other, True)
        ideas.set_idea_hidden(staff, other, False)
        merge(staff, idea, make_idea())
        unmerge(staff, idea)
    finally:
        for name, fn in receivers.items():
            getattr(events, name).disconnect(fn)

    names = [name for name, _, _ in heard]
    assert names.count("idea_created") == 3
    assert names.count("comment_hidden") == 1
    assert names.count("idea_hidden") == 2
    assert names.count("idea_merged") == 1 and names.count("idea_unmerged") == 1
    # merge and unmerge each publish a status update on the duplicate
    assert names.count("status_changed") == 2
    by_name = {name: (idea_id, kw) for name, idea_id, kw in heard}
    assert by_name["idea_edited"] == (idea.id, {"actor": author})
    assert by_name["comment_added"][1]["comment"].id == comment.id
    assert by_name["idea_muted"] == (idea.id, {"actor": author, "muted": True})
    assert by_name["idea_hidden"][1] == {"actor": staff, "hidden": False}
    assert by_name["idea_merged"][1]["actor"] == staff
    assert by_name["idea_unmerged"][0] == idea.id
