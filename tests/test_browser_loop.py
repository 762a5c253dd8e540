"""Closing the loop in a real browser: staff publish a status update and a changelog entry;
the voter logs in and finds the unread notification and the new status; the public
roadmap and changelog show it. Chromium via Playwright, a real RQ worker for the fan-out."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD
from tests.test_browser import browser, live_server, log_in, open_page  # noqa: F401 (fixtures)
from tests.test_jobs import run_worker
from vocportal.extensions import db
from vocportal.ideas import support

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("embedded_redis_url")]

MESSAGE = "We are **building it** now: first the iCal feed."


def test_staff_update_reaches_the_voter_and_the_public_pages(
    app,
    open_page,  # noqa: F811
    make_user,
    make_idea,
    make_board,  # noqa: F811
):
    staff = make_user(role="staff", email="pat@example.com", name="Pat Staff")
    voter = make_user(email="vera@example.com", name="Vera Voter")
    board = make_board(name="Calendars")
    idea = make_idea(title="Calendar feed for shifts", board=board)
    support.vote(voter, idea)
    db.session.commit()

    # Staff publish a status update from the idea's page.
    staff_page, staff_problems = open_page()
    log_in(staff_page, staff.email, PASSWORD)
    staff_page.goto(f"/ideas/{idea.id}")
    staff_page.get_by_text("Change status (staff)").click()
    staff_page.get_by_label("Status").select_option("in_progress")
    staff_page.get_by_label("Message to supporters (Markdown)").fill(MESSAGE)
    staff_page.get_by_role("button", name="Update status").click()
    expect(staff_page.get_by_test_id("idea-status")).to_have_text("In progress")
    run_worker(app, "notifications")  # the fan-out job

    # The voter logs in: one unread notification, and it leads to the new status.
    voter_page, voter_problems = open_page()
    log_in(voter_page, voter.email, PASSWORD)
    expect(voter_page.get_by_test_id("unread-count")).to_have_text("1")
    voter_page.get_by_test_id("bell").click()
    item = voter_page.get_by_test_id("notification")
    expect(item).to_have_count(1)
    expect(item).to_contain_text("Calendar feed for shifts: now in progress")
    item.get_by_role("button").click()
    expect(voter_page).to_have_url(re.compile(rf"/ideas/{idea.id}#status-\d+$"))
    expect(voter_page.get_by_test_id("idea-status")).to_have_text("In progress")
    update = voter_page.get_by_test_id("status-update").first
    expect(update.locator("strong")).to_have_text("building it")  # the Markdown, rendered
    expect(voter_page.get_by_test_id("unread-count")).to_have_count(0)  # read now

    # Staff ship it through a changelog entry.
    staff_page.goto("/changelog/new")
    staff_page.get_by_label("Title", exact=True).fill("Shift calendars, everywhere")
    staff_page.get_by_label("What changed (Markdown)").fill("Subscribe to your shifts.")
    # The picker: filter the list by the idea's title, then tick it.
    staff_page.get_by_label("Filter ideas by title, number or status").fill(idea.title[:12])
    staff_page.get_by_test_id("idea-picker").get_by_role("checkbox", name=idea.title).check()
    staff_page.get_by_role("button", name="Publish").click()
    expect(staff_page.get_by_test_id("changelog-entry").first).to_contain_text(
        "Shift calendars, everywhere"
    )
    run_worker(app, "notifications")

    voter_page.goto("/")
    expect(voter_page.get_by_test_id("unread-count")).to_have_text("1")
    voter_page.get_by_test_id("bell").click()
    expect(voter_page.get_by_test_id("notification").first).to_contain_text("now shipped")

    # Anyone can see it on the roadmap and in the changelog, linked to the idea.
    public, public_problems = open_page()
    public.goto("/roadmap")
    shipped = public.get_by_test_id("roadmap-shipped")
    expect(shipped).to_contain_text("Calendar feed for shifts")
    expect(public.get_by_test_id("roadmap-in_progress")).not_to_contain_text("Calendar feed")
    public.goto("/changelog")
    entry = public.get_by_test_id("changelog-entry").first
    expect(entry).to_contain_text("Shift calendars, everywhere")
    entry.get_by_role("link", name="Calendar feed for shifts").click()
    expect(public.get_by_test_id("idea-status")).to_have_text("Shipped")

    assert staff_problems.items == [] and voter_problems.items == []
    assert public_problems.items == []
