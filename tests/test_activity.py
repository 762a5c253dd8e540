"""My activity: a customer's ideas, votes, comments and feedback, and what became of each,
through the visibility rule; linked from the header and the notifications page."""

from __future__ import annotations

import re

import pytest

from vocportal.extensions import db
from vocportal.feedback import operations as feedback
from vocportal.feedback.models import FeedbackSource
from vocportal.ideas import commenting, support
from vocportal.ideas import operations as ideas
from vocportal.ideas.models import IdeaStatus

pytestmark = pytest.mark.usefixtures("embedded_redis_url")


def section(html: str, name: str) -> str:
    """The HTML of one section's list on the page."""
    match = re.search(
        rf'<ul class="[^"]*activity-list" data-testid="activity-{name}">(.*?)</ul>', html, re.S
    )
    return match.group(1) if match else ""


def count(html: str, name: str) -> int:
    return int(re.search(rf'data-testid="count-{name}">([\d,]+)<', html).group(1).replace(",", ""))


@pytest.fixture
def world(make_user, make_idea):
    """A customer with some of everything, and what staff did since."""
    me, staff = make_user(name="Mia"), make_user(role="staff")
    mine = make_idea(title="Calendar sync", author=me)
    withdrawn = make_idea(title="Old wish of mine", author=me)
    hidden_mine = make_idea(title="Rude title of mine", author=me)
    liked = make_idea(title="Dark mode")
    hidden_liked = make_idea(title="Spam I voted for")
    support.vote(me, liked)
    support.vote(me, hidden_liked)
    commenting.add_comment(me, liked, "Please add a schedule too")
    gone = commenting.add_comment(me, liked, "A comment staff hid")
    commenting.add_comment(me, hidden_liked, "Comment on a hidden idea")
    commenting.set_comment_hidden(staff, gone, True)
    ideas.change_status(staff, liked, IdeaStatus.planned, "Coming in Q3")
    ideas.change_status(staff, mine, IdeaStatus.in_progress, "")
    ideas.withdraw_idea(me, withdrawn)
    ideas.set_idea_hidden(staff, hidden_mine, True)
    ideas.set_idea_hidden(staff, hidden_liked, True)
    linked, _ = feedback.create_feedback(
        text="We lose hours without calendar sync",
        source=FeedbackSource.email,
        email=me.email,
        embed=False,
    )
    feedback.create_feedback(
        text="The export button is hard to find",
        source=FeedbackSource.widget,
        email=me.email,
        embed=False,
    )
    feedback.link(staff, linked, mine)
    db.session.commit()
    return me, {"mine": mine, "withdrawn": withdrawn, "liked": liked, "gone": gone}


def test_my_activity_lists_each_kind_with_what_became_of_it(client, world):
    me, things = world
    client.login(me.email)
    html = client.get("/me/activity").get_data(as_text=True)

    ideas_html = section(html, "ideas")
    assert "Calendar sync" in ideas_html and "In progress" in ideas_html
    assert "Old wish of mine" in ideas_html and "withdrawn" in ideas_html
    assert "Rude title of mine" not in html  # hidden by staff: its author no longer sees it
    assert count(html, "ideas") == 2

    votes_html = section(html, "votes")
    assert "Dark mode" in votes_html and "Spam I voted for" not in html
    assert "last update:" in votes_html and "planned" in votes_html
    liked = things["liked"]
    assert re.search(rf"/ideas/{liked.id}#status-\d+", votes_html)
    assert count(html, "votes") == 1

    comments_html = section(html, "comments")
    assert "Please add a schedule too" in comments_html
    assert f"/ideas/{liked.id}#c" in comments_html
    assert "A comment staff hid" in comments_html and "hidden by the team" in comments_html
    assert "Comment on a hidden idea" not in html
    assert count(html, "comments") == 2

    feedback_html = section(html, "feedback")
    assert "We lose hours without calendar sync" in feedback_html
    assert "Calendar sync" in feedback_html and "In progress" in feedback_html
    assert "The export button is hard to find" in feedback_html
    assert "Not linked to an idea yet" in feedback_html
    assert count(html, "feedback") == 2


def test_only_my_own_activity_and_only_when_logged_in(client, world, make_user):
    _me, _things = world
    assert client.get("/me/activity").status_code == 302  # to the login page
    other = make_user()
    client.login(other.email)
    html = client.get("/me/activity").get_data(as_text=True)
    assert "Calendar sync" not in html and "We lose hours" not in html
    assert [count(html, s) for s in ("ideas", "votes", "comments", "feedback")] == [0, 0, 0, 0]
    assert client.get("/me/activity/nothing").status_code == 404


def test_a_long_section_shows_a_few_then_all_of_it_page_by_page(client, make_user, make_idea):
    me = make_user()
    for n in range(23):
        support.vote(me, make_idea(title=f"Voted idea {n:02d}"))
    db.session.commit()
    client.login(me.email)
    html = client.get("/me/activity").get_data(as_text=True)
    assert section(html, "votes").count('data-testid="activity-entry"') == 5
    assert 'href="/me/activity/votes"' in html and "Show all 23" in html
    first = client.get("/me/activity/votes").get_data(as_text=True)
    assert first.count('data-testid="activity-entry"') == 20 and "Page 1 of 2" in first
    second = client.get("/me/activity/votes?page=2").get_data(as_text=True)
    assert second.count('data-testid="activity-entry"') == 3


def test_my_activity_is_linked_from_the_header_and_the_notifications_page(client, make_user):
    me = make_user()
    client.login(me.email)
    assert 'href="/me/activity"' in client.get("/").get_data(as_text=True)
    assert 'href="/me/activity"' in client.get("/notifications").get_data(as_text=True)
