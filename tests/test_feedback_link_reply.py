"""Be proactive: when staff link someone's feedback to an idea, its sender (a contact
without an account too) is told, by email through the real notification worker and SMTP,
and told first when the idea is already planned, in progress or shipped."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.smtp import smtp_server, text_of  # noqa: F401  (fixture)
from tests.test_jobs import run_worker
from vocportal.extensions import db
from vocportal.feedback import operations as feedback
from vocportal.feedback.models import FeedbackSource
from vocportal.ideas import operations as ideas
from vocportal.ideas.models import IdeaStatus
from vocportal.notifications.models import EventKind, NotificationEvent

pytestmark = pytest.mark.usefixtures("embedded_redis_url")


def linked_events() -> list[NotificationEvent]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(NotificationEvent).where(NotificationEvent.kind == EventKind.feedback_linked)
        )
    )


def contact_feedback(text="We need Okta SSO for our whole team, please."):
    item, _ = feedback.create_feedback(
        text=text, source=FeedbackSource.email, email="hana@corp.example.com", embed=False
    )
    db.session.commit()
    return item


@pytest.mark.parametrize(
    ("status", "message", "says", "after"),
    [
        (IdeaStatus.planned, "Coming in Q1.", "which is already planned", True),
        (IdeaStatus.in_progress, "Half done.", "which is already in progress", True),
        (IdeaStatus.shipped, "SSO with Okta is live.", "which has already shipped", False),
    ],
)
def test_the_reply_says_first_that_the_idea_is_already_coming(
    app,
    client,
    make_user,
    make_idea,
    smtp_server,  # noqa: F811
    status,
    message,
    says,
    after,
):
    url, inbox = smtp_server
    app.config["MAIL_URL"] = url
    staff = make_user(role="staff")
    idea = make_idea(title="Single sign-on")
    ideas.change_status(staff, idea, status, message)
    db.session.commit()
    run_worker(app, "notifications")  # the idea's author hears the status update
    told_before = len(inbox.wait_for(1))
    item = contact_feedback()

    client.login(staff.email)
    page = f"/staff/feedback/{item.id}"
    assert client.post(page, {"idea": str(idea.id)}, page=page).status_code == 302
    run_worker(app, "notifications")

    [reply] = [m for m in inbox.wait_for(told_before + 1) if m["To"] == "hana@corp.example.com"]
    assert reply["Subject"].endswith(
        f"] “Single sign-on” {says.removeprefix('which ')}: your feedback is linked to it"
    )
    body = text_of(reply)
    # Said first, before anything else but the thanks and their own words.
    assert body.index(f"Good news: it matches the idea “Single sign-on”, {says}") < body.index(
        "The latest update"
    )
    assert f"Thank you for your feedback of {item.received_at:%d %B %Y}." in body
    assert "whole team" not in body  # never quoted: the event's text outlives an erasure
    assert message in body and f"/ideas/{idea.id}" in body
    assert ("You will hear from us when its status changes." in body) is after
    assert "Unsubscribe with one click:" in body  # a contact, without an account
    [event] = linked_events()
    assert event.feedback_item_id == item.id and event.idea_id == idea.id
    assert event.recipient_count == 1  # the sender only: not the idea's author, not staff


def test_an_idea_not_yet_decided_gets_a_plain_linked_reply(
    app,
    make_user,
    make_idea,
    smtp_server,  # noqa: F811
):
    url, inbox = smtp_server
    app.config["MAIL_URL"] = url
    staff = make_user(role="staff")
    idea = make_idea(title="Dark mode")
    item = contact_feedback("Dark mode at night")
    feedback.link(staff, item, idea)
    db.session.commit()
    run_worker(app, "notifications")
    [reply] = inbox.wait_for(1)
    assert reply["To"] == "hana@corp.example.com"
    assert reply["Subject"].endswith("] Your feedback is now linked to “Dark mode”")
    body = text_of(reply)
    assert "(open), so it counts towards it" in body and "already" not in body


def test_no_second_reply_for_the_same_link_nor_for_an_unlink_or_a_hidden_idea(
    app, make_user, make_idea
):
    staff = make_user(role="staff")
    idea, hidden = make_idea(title="Dark mode"), make_idea(title="Secret plan")
    ideas.change_status(staff, idea, IdeaStatus.planned, "")
    ideas.set_hidden(staff, hidden, True)
    item = contact_feedback()
    feedback.link(staff, item, idea)
    db.session.commit()
    assert len(linked_events()) == 1
    feedback.link(staff, item, idea)  # linked to it already
    feedback.link(staff, item, None)  # unlinked
    db.session.commit()
    assert len(linked_events()) == 1
    feedback.link(staff, item, hidden)  # its sender could not open it
    db.session.commit()
    assert len(linked_events()) == 1
    feedback.link(staff, item, idea)  # linked again after an unlink: told again
    db.session.rollback()  # ... unless the link is rolled back
    assert len(linked_events()) == 1
    count = select(func.count()).select_from(NotificationEvent)
    assert db.session.scalar(count.where(NotificationEvent.feedback_item_id == item.id)) == 1
