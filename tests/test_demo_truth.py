"""The seeded demo tells one story: what staff did to an idea shows in triage, in the
metrics, in the changelog and in the supporters' bells, at plausible times."""

from __future__ import annotations

from datetime import timedelta

import pytest
from markupsafe import escape
from sqlalchemy import func, select

from vocportal.accounts.models import User
from vocportal.changelog.models import ChangelogEntry, changelog_ideas
from vocportal.demo.seed import DEMO_LOGINS, seed
from vocportal.extensions import db
from vocportal.ideas import operations as ideas_ops
from vocportal.ideas.models import BoardAudience, Comment, Idea, IdeaStatus, StatusChange, Vote
from vocportal.notifications import delivery
from vocportal.notifications.models import (
    Channel,
    DeliveryState,
    Notification,
    NotificationEvent,
)
from vocportal.questions.models import Answer, Question
from vocportal.queue.models import ACTIVE_STATES, JobRecord
from vocportal.timeutil import utcnow
from vocportal.triage import operations as triage


@pytest.fixture
def demo(app):
    seed()
    return app


def _staff_commented() -> set[int]:
    staff = [u.id for u in triage.staff_members()]
    return set(db.session.scalars(select(Comment.idea_id).where(Comment.author_id.in_(staff))))


def test_ideas_staff_acted_on_are_triaged_with_plausible_first_responses(demo):
    answered = _staff_commented()
    inbox = {i.id for i in triage.inbox(limit=10_000)}
    # A customer's answer to a staff question puts its idea back in the inbox.
    customer_answered = set(
        db.session.scalars(
            select(Question.idea_id)
            .join(Answer, Answer.question_id == Question.id)
            .where(Question.idea_id.is_not(None))
        )
    )
    assert customer_answered and customer_answered <= inbox
    for idea in db.session.scalars(select(Idea)):
        acted = idea.status is not IdeaStatus.open or idea.id in answered
        if not acted or idea.id in customer_answered:
            continue
        assert idea.id not in inbox, f"#{idea.id} ({idea.status.value}) is in the inbox"
        assert idea.triaged_at is not None and idea.first_response_at is not None
        assert idea.created_at <= idea.triaged_at <= idea.first_response_at
        changes = [
            c.created_at
            for c in db.session.scalars(select(StatusChange).where(StatusChange.idea_id == idea.id))
        ]
        if changes:
            # The first answer came at the latest with the first status update.
            assert idea.first_response_at <= min(changes)
            assert idea.created_at < min(changes) and max(changes) < utcnow()
    # The inbox holds what nobody looked at yet: mostly recent ideas, not the whole demo.
    assert 0 < triage.inbox_count() < db.session.scalar(select(func.count(Idea.id))) // 3


def test_metrics_show_plausible_figures(demo):
    everyone = triage.metrics()[0]
    assert everyone.told_share is not None and 0.5 < everyone.told_share <= 1
    assert everyone.stale_share is not None and 0 < everyone.stale_share < 0.5
    assert 1 <= everyone.median_first_response_hours <= 7 * 24
    assert everyone.answered > everyone.ideas // 3
    owners = {m.label for m in triage.metrics()[1:]}
    assert {"Ada Okafor (Tallyhive)", "Sam Lindqvist (Tallyhive)"} <= owners


def test_every_shipped_idea_came_from_a_changelog_entry(demo, client):
    shipped = set(db.session.scalars(select(Idea.id).where(Idea.status == IdeaStatus.shipped)))
    assert len(shipped) >= 10
    linked = set(db.session.scalars(select(changelog_ideas.c.idea_id)))
    assert shipped == linked
    entries = list(db.session.scalars(select(ChangelogEntry)))
    assert 3 <= len(entries) <= 10
    for entry in entries:
        for idea in entry.ideas:
            ship = db.session.scalar(
                select(StatusChange).where(
                    StatusChange.idea_id == idea.id,
                    StatusChange.new_status == IdeaStatus.shipped,
                )
            )
            # The status update was published with the entry and links to it.
            assert f"#entry-{entry.id}" in ship.message
            assert abs(ship.created_at - entry.published_at) < timedelta(minutes=1)
            # Nobody voted for it after it shipped (closed ideas take no votes).
            last_vote = db.session.scalar(
                select(func.max(Vote.created_at)).where(Vote.idea_id == idea.id)
            )
            assert last_vote <= ship.created_at
    # A visitor sees every entry that shipped an idea on a board open to everyone (the demo's
    # private board hides the rest); staff see them all.
    html = client.get("/changelog").get_data(as_text=True)
    for entry in entries:
        public = any(i.board.audience is BoardAudience.everyone for i in entry.ideas)
        assert (str(escape(entry.title)) in html) is public, entry.title
    assert any(
        all(i.board.audience is not BoardAudience.everyone for i in e.ideas) for e in entries
    )
    client.login(*DEMO_LOGINS["admin"])
    html = client.get("/changelog").get_data(as_text=True)
    for entry in entries:
        assert str(escape(entry.title)) in html


def test_supporters_were_told_and_nothing_is_left_to_send(demo, client):
    # The history was published through the outbox: bell rows, emails long delivered.
    assert db.session.scalar(
        select(func.count()).select_from(Notification).where(Notification.channel == Channel.web)
    )
    waiting = db.session.scalar(
        select(func.count())
        .select_from(Notification)
        .where(Notification.state.in_([DeliveryState.pending, DeliveryState.digest]))
    )
    assert waiting == 0  # starting the demo sends no email about the past
    assert not db.session.scalar(
        select(func.count()).select_from(JobRecord).where(JobRecord.state.in_(ACTIVE_STATES))
    )
    # The demo customer's bell has history in it.
    email, password = DEMO_LOGINS["customer"]
    client.login(email, password)
    assert "now shipped" in client.get("/notifications").get_data(as_text=True)


def test_demo_people_can_take_part(demo, client):
    # Their addresses count as confirmed, so the printed logins can vote, post and comment.
    assert all(person.is_verified for person in db.session.scalars(select(User)))
    email, password = DEMO_LOGINS["customer"]
    client.login(email, password)
    customer = db.session.scalar(select(User).where(User.email == email))
    voted = select(Vote.idea_id).where(Vote.user_id == customer.id)
    idea_id = db.session.scalar(
        select(func.min(Idea.id)).where(Idea.status == IdeaStatus.open, Idea.id.not_in(voted))
    )
    client.post(f"/ideas/{idea_id}/vote", {}, page=f"/ideas/{idea_id}")
    assert db.session.scalar(
        select(func.count()).where(Vote.idea_id == idea_id, Vote.user_id == customer.id)
    )


def test_seeding_beside_live_data_leaves_its_notifications_alone(app, make_user, make_idea):
    """`seed-demo --force` back-dates and marks delivered only what the demo wrote."""
    idea = make_idea()
    ideas_ops.change_status(make_user(role="staff"), idea, IdeaStatus.planned, "Soon.")
    db.session.commit()
    (event_id,) = db.session.scalars(select(NotificationEvent.id)).all()
    delivery.fan_out(event_id)
    db.session.commit()
    live = (
        select(Notification.state, Notification.created_at)
        .where(Notification.event_id == event_id)
        .order_by(Notification.id)
    )
    before = db.session.execute(live).all()
    fanned = db.session.get(NotificationEvent, event_id).fanned_out_at
    assert DeliveryState.pending in [state for state, _ in before]
    seed()
    db.session.expire_all()
    assert db.session.execute(live).all() == before
    assert db.session.get(NotificationEvent, event_id).fanned_out_at == fanned
