"""Live updates in real browsers: two people read the portal at once; a vote in one browser
changes the count the other sees, and a status update changes the other's idea page and
lights their bell, without a reload. Once over the event stream, once with streams off
(LIVE_UPDATES=poll), which is also what a page does when its stream drops or is refused."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD
from tests.test_browser import browser, log_in, open_page, serving  # noqa: F401 (fixtures)
from tests.test_jobs import run_worker
from vocportal.extensions import db
from vocportal.ideas import operations as ops
from vocportal.ideas import support
from vocportal.ideas.models import IdeaStatus
from vocportal.live.hub import hub_of

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("embedded_redis_url")]


@pytest.fixture(params=["sse", "poll"])
def live_server(request, app_factory):
    """The portal over HTTP with live updates by stream, or by polling every second."""
    portal = app_factory(
        SERVER_NAME=None, LIVE_UPDATES=request.param, LIVE_POLL_SECONDS=1, LIVE_MAX_STREAMS=20
    )
    with serving(portal) as url:
        yield url
        # The streams' threads outlive the browsers: end them before the tables are
        # emptied, so none is still reading the database.
        assert hub_of(portal).close_all() == 0


def test_a_vote_and_a_status_update_reach_the_other_browser_live(
    request,
    app,
    live_server,
    open_page,  # noqa: F811
    make_user,
    make_idea,
    make_board,
):
    staff = make_user(role="staff", name="Pat Staff")
    vera = make_user(email="vera@example.com", name="Vera Voter")
    otto = make_user(email="otto@example.com", name="Otto Other")
    idea = make_idea(title="Calendar feed for shifts", board=make_board(name="Calendars"))
    support.vote(vera, idea)
    db.session.commit()
    votes = idea.vote_count
    mode = "stream" if request.node.callspec.params["live_server"] == "sse" else "poll"

    # Vera reads the idea's page; Otto the idea list.
    vera_page, vera_problems = open_page()
    log_in(vera_page, vera.email, PASSWORD)
    vera_page.goto(f"/ideas/{idea.id}")
    otto_page, otto_problems = open_page()
    log_in(otto_page, otto.email, PASSWORD)
    otto_page.goto("/")
    for page in (vera_page, otto_page):
        expect(page.locator(f"html[data-live='{mode}']")).to_have_count(1)
    vera_count = vera_page.locator(f"#vote-{idea.id}").get_by_test_id("vote-count")
    expect(vera_count).to_have_text(str(votes))
    expect(vera_page.get_by_test_id("unread-count")).to_have_count(0)

    # Otto votes in his browser: Vera's page counts it.
    otto_page.locator(f"#vote-{idea.id}").get_by_test_id("vote-button").click()
    expect(otto_page.locator(f"#vote-{idea.id}").get_by_test_id("vote-count")).to_have_text(
        str(votes + 1)
    )
    expect(vera_count).to_have_text(str(votes + 1))

    # Staff publish a status update; the fan-out writes the bells.
    ops.change_status(staff, idea, IdeaStatus.planned, "Next quarter.", notify=True)
    db.session.commit()
    run_worker(app, "notifications")

    # Vera's open page shows the new status and its message, and her bell lights up.
    expect(vera_page.get_by_test_id("idea-status")).to_contain_text("Planned")
    expect(vera_page.get_by_test_id("status-update").first).to_contain_text("Next quarter.")
    expect(vera_page.get_by_test_id("unread-count")).to_have_text("1")
    news = vera_page.get_by_test_id("live-toast").filter(has_text="New: Calendar feed for shifts")
    expect(news).to_be_visible()
    # Otto voted, so he hears about it too, on the list page.
    expect(otto_page.get_by_test_id("unread-count")).to_have_text("1")

    # Vera reads it: the count goes back to none in her other tab too.
    other_tab = vera_page.context.new_page()
    other_tab.goto("/notifications")
    other_tab.get_by_test_id("notification").get_by_role("button").click()
    expect(vera_page.get_by_test_id("unread-count")).to_have_count(0)

    assert vera_problems.items == [] and otto_problems.items == []
