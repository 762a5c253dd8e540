"""One definition of who stands behind an idea (vocportal.audience), and the places that
use it: demand, the fan-out, the "told the outcome" metric and theme demand."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.test_jobs import run_worker
from tests.test_theme_demand import make_theme, put
from vocportal import audience
from vocportal.audience import Audience, Relation
from vocportal.customers import operations as customers
from vocportal.extensions import db
from vocportal.feedback import operations as feedback
from vocportal.feedback.models import FeedbackSource
from vocportal.ideas import commenting, support
from vocportal.ideas import operations as ideas
from vocportal.ideas.models import IdeaStatus
from vocportal.notifications.models import Notification
from vocportal.themes import demand as theme_demand
from vocportal.triage import operations as triage

pytestmark = pytest.mark.usefixtures("redis_url")


@pytest.fixture
def cast(app, make_user, make_idea):
    """An idea with one person in each relation, plus people who must not hear."""
    staff = make_user(role="staff")
    people = {
        name: make_user(name=name.title())
        for name in ("author", "voter", "commenter", "follower", "muted_voter", "blocked_voter")
    }
    idea = make_idea(author=people["author"])
    support.vote(people["voter"], idea)
    support.vote(people["muted_voter"], idea)
    support.unfollow(people["muted_voter"], idea)
    support.vote(people["blocked_voter"], idea)
    people["blocked_voter"].blocked = True
    commenting.add_comment(people["commenter"], idea, "We would use it weekly.")
    support.follow(people["follower"], idea)
    item, _ = feedback.create_feedback(
        text="Please add CSV export",
        source=FeedbackSource.api,
        email="sender@example.com",
        name="Sender",
        embed=False,
    )
    feedback.link(staff, item, idea)
    db.session.commit()
    people["sender"] = item.author
    return idea, staff, people


def ids(people: dict, *names: str) -> set[int]:
    return {people[n].id for n in names}


def test_each_relation_is_read_from_its_own_rows(cast):
    idea, _, people = cast
    rows = db.session.execute(audience.relations(idea_ids=[idea.id])).all()
    by_relation: dict[str, set[int]] = {}
    for _idea_id, user_id, relation, at in rows:
        assert at is not None
        by_relation.setdefault(relation, set()).add(user_id)
    assert by_relation[Relation.author.value] == ids(people, "author")
    assert by_relation[Relation.voter.value] == ids(
        people, "author", "voter", "muted_voter", "blocked_voter"
    )
    assert by_relation[Relation.commenter.value] == ids(people, "commenter")
    assert by_relation[Relation.feedback_sender.value] == ids(people, "sender")
    # Following is by choice and undone by opting out: the muted voter follows no longer.
    assert ids(people, "follower", "commenter", "voter") <= by_relation[Relation.follower.value]
    assert people["muted_voter"].id not in by_relation[Relation.follower.value]


def test_demand_status_update_and_staff_comment_audiences_differ_as_documented(cast):
    idea, _, people = cast
    demand = {u for _, u in db.session.execute(audience.demand_pairs([idea.id]))}
    told = {u for _, u in db.session.execute(audience.hearing(Audience.status_update, [idea.id]))}
    asked = {u for _, u in db.session.execute(audience.hearing(Audience.staff_comment, [idea.id]))}

    # Demand: asking for it. A commenter or a mere follower is not demand; an opted-out or
    # blocked voter still voted.
    assert demand == ids(people, "author", "voter", "muted_voter", "blocked_voter", "sender")
    # The outcome reaches demand, commenters and followers, never the opted-out or blocked.
    assert told == ids(people, "author", "voter", "commenter", "follower", "sender")
    # A staff comment reaches the conversation: author and followers (voters follow).
    assert asked == ids(people, "author", "voter", "commenter", "follower")


def test_the_fan_out_reaches_exactly_the_status_update_audience(app, cast):
    idea, staff, people = cast
    ideas.change_status(staff, idea, IdeaStatus.shipped, "Out today.")
    db.session.commit()
    run_worker(app, "notifications")
    notified = set(db.session.scalars(select(Notification.user_id).distinct()))
    heard = {u for _, u in db.session.execute(audience.hearing(Audience.status_update, [idea.id]))}
    assert notified == heard - {staff.id}


def test_the_told_share_counts_the_set_that_was_notified(app, cast):
    idea, staff, people = cast
    ideas.change_status(staff, idea, IdeaStatus.shipped, "Out today.")
    db.session.commit()
    run_worker(app, "notifications")
    everyone = triage.metrics()[0]
    # Five customers hear the outcome (author, voter, commenter, follower, feedback sender),
    # all five were told: the metric no longer counts one set and notifies another.
    assert (everyone.outcome_supporters, everyone.outcome_told) == (5, 5)
    assert everyone.told_share == 1.0


def test_demand_figures_and_who_is_asking_count_demand_only(cast):
    idea, _, people = cast
    figures = customers.demand([idea.id])[idea.id]
    assert figures.supporters == 5
    asking = {p.id for group in customers.who_is_asking(idea.id) for p in group.people}
    assert asking == ids(people, "author", "voter", "muted_voter", "blocked_voter", "sender")


def test_theme_supporters_are_the_demand_behind_its_ideas(cast):
    idea, _, people = cast
    theme = make_theme("Exports")
    put(theme, idea)
    db.session.commit()
    [row] = [d for d in theme_demand.theme_demand([theme]) if d.theme.id == theme.id]
    assert row.supporters == 5  # the linked feedback sender counts; the commenter does not
