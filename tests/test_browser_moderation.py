"""Moderation in a real browser, at 390 and 1,280 px: a person posts with MODERATION=everyone
and sees their idea awaiting review (the honeypot off-screen, no CSP violation); staff
read the queue with its signals, reject with a reason and approve.

Set SCREENSHOT_DIR to keep a PNG of each page at each width.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.test_browser import (  # noqa: F401  (fixture)
    CSP_LISTENER,
    TIMEOUT_MS,
    browser,
    serving,
)
from tests.test_browser_layout import AXE, PAGE_FACTS, RUN_AXE, WIDTHS, _log_in

pytestmark = pytest.mark.browser


def _shoot(page: Page, name: str, width: int) -> None:
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:
        page.screenshot(path=str(Path(folder) / f"{name}-{width}.png"), full_page=True)


def _check(page: Page, where: str) -> list[str]:
    facts = page.evaluate(PAGE_FACTS)
    problems = []
    if facts["scrollWidth"] > facts["innerWidth"]:
        problems.append(f"{where}: {facts['scrollWidth']} px wide")
    if facts["duplicateIds"]:
        problems.append(f"{where}: duplicate ids {facts['duplicateIds']}")
    page.evaluate(AXE)
    return problems + [f"{where}: {v}" for v in page.evaluate(RUN_AXE)]


@pytest.mark.parametrize("width", WIDTHS)
def test_posting_held_then_the_staff_queue(
    width: int,
    browser: Browser,  # noqa: F811
    app_factory,
    make_user,
    make_board,
    make_idea,
):
    from vocportal.extensions import db
    from vocportal.ideas import commenting
    from vocportal.spamtraps import SpamSignals

    app = app_factory(SERVER_NAME=None, MODERATION="everyone")
    with app.app_context():
        author = make_user(email="casey@example.com", name="Casey Customer")
        staff = make_user(role="staff", email="sam@example.com", name="Sam Staff")
        board = make_board(name="Integrations")
        published = make_idea(title="Sync invoices with Xero", author=staff, board=board)
        commenting.add_comment(
            make_user(name="Quick Quinn", email="quinn@example.com"),
            published,
            "Cheap pills at https://spam.example/a https://spam.example/b https://spam.example/c",
            signals=SpamSignals(honeypot=True, seconds=1.0, links=3),
        )
        db.session.commit()
        author_email, staff_email, published_id = author.email, staff.email, published.id

    problems: list[str] = []
    with serving(app) as url:
        context = browser.new_context(base_url=url, viewport={"width": width, "height": 800})
        context.set_default_timeout(TIMEOUT_MS)
        expect.set_options(timeout=TIMEOUT_MS)
        violations: list[str] = []
        context.expose_function("__reportCspViolation", lambda v: violations.append(v))
        context.add_init_script(CSP_LISTENER)
        page = context.new_page()
        try:
            _log_in(page, author_email)
            page.goto("/ideas/new")
            trap = page.locator("input[name=homepage]")
            expect(trap).to_be_attached()
            box = trap.bounding_box()
            assert box is None or box["x"] + box["width"] <= 0, box  # off-screen
            main = page.locator("main")
            main.get_by_label("Title").fill("Export shifts to my calendar")
            main.get_by_label("Describe it (Markdown)").fill("An iCal feed would do.")
            main.get_by_role("button", name="Post idea").click()
            expect(page.get_by_test_id("moderation-idea-held")).to_contain_text("Awaiting review")
            expect(page.locator(".flash-inline")).to_contain_text("it is saved")
            problems += _check(page, f"{width}px author's held idea")
            _shoot(page, "author-awaiting-review", width)
            page.context.clear_cookies()  # the staff member, in the same browser

            _log_in(page, staff_email)
            page.goto("/staff/moderation/")
            queue = page.get_by_test_id("moderation-queue")
            expect(queue.get_by_test_id("review")).to_have_count(2)
            expect(queue).to_contain_text("honeypot field filled in")
            expect(queue).to_contain_text("Export shifts to my calendar")
            problems += _check(page, f"{width}px moderation queue")
            spam = queue.get_by_test_id("review").filter(has_text="Cheap pills")
            spam.locator("summary").click()
            problems += _check(page, f"{width}px moderation queue, reject open")
            _shoot(page, "staff-moderation-queue", width)
            spam.get_by_label("Why (its author reads this)").fill("Advertising.")
            spam.get_by_role("button", name="Reject and tell the author").click()
            expect(page.locator("main")).to_contain_text("its author is told why")
            page.get_by_test_id("approve").click()
            expect(page.get_by_test_id("moderation-empty")).to_be_visible()
            page.goto("/")
            expect(page.locator("main")).to_contain_text("Export shifts to my calendar")

            page.context.clear_cookies()  # the commenter reads why
            _log_in(page, "quinn@example.com")
            page.goto(f"/ideas/{published_id}")
            rejected = page.get_by_test_id("moderation-comment-rejected")
            expect(rejected).to_contain_text("The team’s reason: Advertising.")
            problems += _check(page, f"{width}px rejected comment")
            _shoot(page, "author-rejected-comment", width)
        finally:
            context.close()
    assert not violations, violations
    assert not problems, json.dumps(problems, indent=1)
