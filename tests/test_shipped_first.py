"""Shipped first: a new idea that matches a shipped one is told so before the similar open
ideas, with a link to the changelog entry that announced it (or to the idea's "shipped"
update). The split itself here; in a real browser with the real model:
tests/test_browser_shipped_first.py."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from tests.test_jobs import run_worker
from vocportal.changelog import operations as changelog
from vocportal.changelog.models import ChangelogEntry
from vocportal.embeddings.shipped import shipped_first
from vocportal.embeddings.similar import SimilarIdea, Suggestions
from vocportal.extensions import db
from vocportal.ideas import operations as ideas
from vocportal.ideas.models import IdeaStatus, StatusChange
from vocportal.timeutil import utcnow

pytestmark = pytest.mark.usefixtures("embedded_redis_url")


def test_shipped_matches_come_out_first_with_their_announcement(app, make_user, make_idea):
    staff = make_user(role="staff")
    by_changelog = make_idea(title="Dark mode for the dashboard")
    by_status = make_idea(title="Dark theme in emails")
    still_open = make_idea(title="Dark mode on mobile")
    entry = changelog.publish_entry(
        staff, "March release: dark mode", "", [by_changelog.id], "/changelog"
    )
    ideas.change_status(staff, by_status, IdeaStatus.shipped, "Live for everyone.")
    db.session.commit()
    last_year = utcnow().replace(month=3, day=10) - timedelta(days=366)
    db.session.execute(
        update(StatusChange)
        .where(StatusChange.idea_id == by_status.id)
        .values(created_at=last_year)
    )
    db.session.commit()

    found = Suggestions(
        [
            SimilarIdea(still_open, 0.9),
            SimilarIdea(by_changelog, 0.8),
            SimilarIdea(by_status, 0.7),
        ],
        "semantic",
        pending=False,
    )
    shipped, rest = shipped_first(found)
    assert [s.idea.id for s in rest.ideas] == [still_open.id] and rest.mode == "semantic"
    first, second = shipped
    assert first.idea.id == by_changelog.id
    assert (first.title, first.path) == ("March release: dark mode", f"/changelog#entry-{entry.id}")
    assert first.shipped_at == db.session.get(ChangelogEntry, entry.id).published_at
    assert first.when == f"{first.shipped_at:%B}"  # this year: the month alone
    change = db.session.scalar(
        select(StatusChange)
        .where(StatusChange.idea_id == by_status.id)
        .order_by(StatusChange.id.desc())
    )
    assert (second.title, second.path) == (
        by_status.title,
        f"/ideas/{by_status.id}#status-{change.id}",
    )
    assert second.when == f"{last_year:%B %Y}"  # another year: with the year

    nothing_shipped = Suggestions([SimilarIdea(still_open, 0.9)], "keyword", pending=True)
    assert shipped_first(nothing_shipped) == ([], nothing_shipped)


@pytest.mark.slow
def test_the_page_says_it_before_the_open_ideas(app, client, make_user, make_idea):
    """The partial the form shows, from the real model: the shipped line first, then the
    open ideas (with votes), and the shipped idea not among them."""
    staff = make_user(role="staff")
    shipped = make_idea(title="Dark mode for the dashboard", body="A dark colour scheme.")
    still_open = make_idea(title="Dark mode on the mobile app", body="Dark colours at night.")
    make_idea(title="Export invoices to CSV", body="For our accountant.")
    entry = changelog.publish_entry(staff, "March release: dark mode", "", [shipped.id], "/c")
    db.session.commit()
    run_worker(app, "embeddings")
    client.login(make_user().email)
    html = client.get(
        "/ideas/similar", query_string={"title": "Dark mode for dashboards"}
    ).get_data(as_text=True)
    said = html.index('data-testid="shipped-match"')
    assert said < html.index("Already asked?") < html.index(still_open.title)
    assert f'href="/changelog#entry-{entry.id}"' in html and "This shipped in " in html
    assert f"/ideas/{shipped.id}" not in html[html.index("Already asked?") :]
    assert "Export invoices" not in html
