"""Shipped first, in a real browser with the real model: typing a new idea that matches a
shipped one shows "This shipped in …" with the changelog entry's link, above the similar
open ideas (which no longer list the shipped one)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.factories import PASSWORD
from tests.test_browser import TIMEOUT_MS, Problems, browser, log_in, serving  # noqa: F401 (fixture)
from tests.test_jobs import run_worker
from vocportal.changelog import operations as changelog
from vocportal.extensions import db
from vocportal.ideas import operations as ideas

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.usefixtures("embedded_redis_url")]

#: Where screenshots go when SHOTS_DIR is set (for people to look at; not checked).
SHOTS = os.environ.get("SHOTS_DIR")


def test_a_shipped_match_is_said_first_with_its_changelog_link(
    app,
    app_factory,
    browser: Browser,  # noqa: F811
    make_user,
    make_board,
):
    staff, author, customer = make_user(role="staff"), make_user(), make_user()
    board = make_board(name="Product")
    shipped = ideas.create_idea(
        author, board, "Dark mode for the dashboard", "A dark colour scheme for late work."
    )
    still_open = ideas.create_idea(
        author, board, "Dark mode on the mobile app", "Dark colours on the phone at night."
    )
    ideas.create_idea(author, board, "Export invoices to CSV", "For our accountant.")
    db.session.flush()
    entry = changelog.publish_entry(
        staff, "March release: dark mode", "Dark mode is here.", [shipped.id], "/changelog"
    )
    db.session.commit()
    run_worker(app, "embeddings")

    with serving(app_factory(SERVER_NAME=None)) as base_url:
        context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 900})
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        problems = Problems()
        problems.watch(context, page)
        try:
            log_in(page, customer.email, PASSWORD)
            for width in (1280, 390):
                page.set_viewport_size({"width": width, "height": 900})
                page.goto("/ideas/new")
                page.get_by_label("Title").press_sequentially("Dark mode for dashboards", delay=10)
                similar = page.get_by_test_id("similar-ideas")
                said = similar.get_by_test_id("shipped-match")
                expect(said).to_have_count(1)
                expect(said).to_contain_text("This shipped in ")
                link = said.get_by_role("link", name="March release: dark mode")
                expect(link).to_have_attribute("href", f"/changelog#entry-{entry.id}")
                open_ideas = similar.get_by_test_id("similar-idea")
                expect(open_ideas.get_by_role("link", name=still_open.title)).to_be_visible()
                expect(open_ideas.get_by_role("link", name=shipped.title)).to_have_count(0)
                # Said first: above the open ideas on the page.
                assert said.bounding_box()["y"] < open_ideas.first.bounding_box()["y"]
                if SHOTS:
                    Path(SHOTS).mkdir(parents=True, exist_ok=True)
                    page.screenshot(path=f"{SHOTS}/shipped-first-{width}.png", full_page=True)
            with context.expect_page() as opened:  # a new tab: the draft stays
                link.click()
            entry_page = opened.value
            expect(entry_page).to_have_url(f"{base_url}/changelog#entry-{entry.id}")
            expect(entry_page.locator(f"#entry-{entry.id}")).to_contain_text("Dark mode is here.")
            assert problems.items == []
        finally:
            context.close()
