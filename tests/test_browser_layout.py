"""Every main page, for every role, on a phone (390 px) and a laptop (1,280 px).

On each page: no horizontal scrolling, unique element ids, and axe-core (vendored in
tests/assets/) finds no serious or critical violation. On the idea list: every header item
can be reached (after opening the menu and its groups where folded), voted and not-voted
buttons look different, and the keyboard meets a skip link and visible focus rings.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.factories import PASSWORD
from tests.test_browser import TIMEOUT_MS, browser, live_server  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser

AXE = (Path(__file__).parent / "assets" / "axe.min.js").read_text()
WIDTHS = (390, 1280)
REVENUE = 5431.496620300736

PUBLIC = {"ideas": "/", "idea": "/ideas/{voted}", "roadmap": "/roadmap", "changelog": "/changelog"}
PERSONAL = {
    "new idea": "/ideas/new",
    "notifications": "/notifications",
    "profile": "/profile",
    "my activity": "/me/activity",
    "your data": "/account/privacy",
}
STAFF = {
    "inbox": "/staff/inbox",
    "my queue": "/staff/mine",
    "themes": "/staff/themes/",
    "demand": "/staff/demand",
    "feedback": "/staff/feedback",
    "companies": "/staff/companies",
    "company": "/staff/companies/{company}",
    "person": "/staff/people/{customer}",
    "jobs": "/staff/jobs/",
    "metrics": "/staff/metrics",
    "weekly report": "/staff/reports/",
    "new changelog entry": "/changelog/new",
}
ADMIN = {
    "users": "/admin/users",
    "boards": "/admin/boards",
    "webhooks": "/staff/webhooks/",
    "audit log": "/admin/audit",
    "weekly report admin": "/admin/reports",
    "erase a person": "/admin/people/{customer}/erase",
}
PAGES = {
    "anonymous": {**PUBLIC, "login": "/login"},
    "customer": {**PUBLIC, **PERSONAL},
    "staff": {**PUBLIC, **PERSONAL, **STAFF},
    "admin": {**PUBLIC, **PERSONAL, **STAFF, **ADMIN},
}

PAGE_FACTS = """() => {
  // Hidden inputs (WTForms' csrf_token in each form) are never labelled or focused.
  const ids = [...document.querySelectorAll('[id]:not(input[type=hidden])')].map((e) => e.id);
  return {
    scrollWidth: document.scrollingElement.scrollWidth,
    innerWidth: window.innerWidth,
    duplicateIds: [...new Set(ids.filter((id, i) => ids.indexOf(id) !== i))],
  };
}"""

RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} at `
      + v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | '));
}"""


@dataclass
class Seed:
    emails: dict[str, str]
    ids: dict[str, int]


@pytest.fixture
def seeded(make_user, make_board, make_idea) -> Seed:
    """One of each role; an idea they all voted for, with a status, a comment and a
    changelog-worthy history, one nobody voted for; a company with revenue; feedback."""
    from vocportal.customers import operations as customers
    from vocportal.extensions import db
    from vocportal.feedback import operations as feedback
    from vocportal.feedback.models import FeedbackSource
    from vocportal.ideas import commenting, support
    from vocportal.ideas import operations as ideas
    from vocportal.ideas.models import IdeaStatus

    customer = make_user(email="casey@example.com", name="Casey Customer")
    staff = make_user(role="staff", email="sam@example.com", name="Sam Staff")
    admin = make_user(role="admin", email="ada@example.com", name="Ada Admin")
    board = make_board(name="Integrations")
    voted = make_idea(title="Sync invoices with Xero", body="We retype them.", board=board, votes=2)
    other = make_idea(title="Dark mode for reports", body="At night.", board=board)
    for person in (customer, staff, admin):
        support.vote(person, voted)
    commenting.add_comment(customer, voted, "We would use this every week.")
    ideas.change_status(staff, voted, IdeaStatus.planned, "Next quarter.", notify=False)
    company = customers.save_company(None, None, name="Brightlane", monthly_revenue=REVENUE)
    customers.set_company(staff, customer, company)
    feedback.create_feedback(
        text="Exports keep timing out on big projects.",
        source=FeedbackSource.api,
        email="zoe@example.com",
        name="Zoe",
        embed=False,
    )
    db.session.commit()
    return Seed(
        emails={"customer": customer.email, "staff": staff.email, "admin": admin.email},
        ids={
            "voted": voted.id,
            "other": other.id,
            "company": company.id,
            "customer": customer.id,
        },
    )


def _log_in(page: Page, email: str) -> None:
    page.goto("/login")
    main = page.locator("main")
    main.get_by_label("Email", exact=True).fill(email)
    main.get_by_label("Password", exact=True).fill(PASSWORD)
    main.get_by_role("button", name="Log in").click()
    expect(page.get_by_test_id("profile-link")).to_be_attached()


def _reach(page: Page, item) -> None:
    """Make a header item visible the way a person would: open the menu, then its group."""
    if item.is_visible():
        return
    toggle = page.locator(".nav-toggle")
    if toggle.is_visible() and toggle.get_attribute("aria-expanded") == "false":
        toggle.click()
    group = item.locator("xpath=ancestor::details[1]")
    if group.count() and not item.is_visible():
        group.locator("summary").click()
    expect(item).to_be_visible()


def _check_header(page: Page, role: str, width: int) -> list[str]:
    page.goto("/")
    items = page.locator("header").locator("a, button:not(.nav-toggle)")
    names = [
        items.nth(i).inner_text().strip() or items.nth(i).get_attribute("aria-label")
        for i in range(items.count())
    ]
    for i in range(items.count()):  # one after the other, as a person would click through
        _reach(page, items.nth(i))
    # The main action and the bell never hide behind the menu.
    if role == "anonymous":
        expect(page.get_by_role("banner").get_by_role("button", name="Sign up")).to_be_visible()
    else:
        expect(page.get_by_role("banner").get_by_role("button", name="New idea")).to_be_visible()
        expect(page.get_by_test_id("bell")).to_be_visible()
    return names


def _check_vote_styles(page: Page, seed: Seed) -> None:
    page.goto("/")
    voted = page.locator(f"#vote-{seed.ids['voted']} .vote-btn")
    other = page.locator(f"#vote-{seed.ids['other']} .vote-btn")
    expect(voted).to_have_attribute("aria-pressed", "true")
    expect(other).to_have_attribute("aria-pressed", "false")
    expect(voted).to_have_accessible_name(re.compile(r"^\d+ votes?\. Voted$"))
    expect(other).to_have_accessible_name(re.compile(r"^\d+ votes?\. Vote$"))
    style = "(e) => { const s = getComputedStyle(e); return [s.backgroundColor, s.color]; }"
    voted_bg, voted_fg = voted.evaluate(style)
    other_bg, other_fg = other.evaluate(style)
    assert voted_bg != other_bg and voted_fg != other_fg, (voted_bg, other_bg)


def _check_keyboard(page: Page) -> None:
    page.goto("/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    filter_button = page.get_by_role("button", name="Filter")
    for _ in range(60):
        page.keyboard.press("Tab")
        if filter_button.evaluate("(e) => e === document.activeElement"):
            break
    expect(filter_button).to_be_focused()
    outline = filter_button.evaluate(
        "(e) => { const s = getComputedStyle(e); return [s.outlineStyle, s.outlineWidth]; }"
    )
    assert outline[0] != "none" and float(outline[1].removesuffix("px")) >= 2, outline


@pytest.mark.parametrize("role", list(PAGES))
def test_every_main_page_fits_is_reachable_and_passes_axe(
    role: str,
    browser: Browser,  # noqa: F811
    live_server: str,  # noqa: F811
    seeded: Seed,
):
    expect.set_options(timeout=TIMEOUT_MS)
    problems: list[str] = []
    for width in WIDTHS:
        # axe is injected with page.evaluate (DevTools, outside the page's CSP): the CSP
        # stays on, so a page that needs an inline script or style would still fail.
        context = browser.new_context(
            base_url=live_server, viewport={"width": width, "height": 800}
        )
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e, errors=errors: errors.append(f"page error: {e}"))
        page.on(
            "console",
            lambda m, errors=errors: (
                errors.append(f"console: {m.text}") if m.type == "error" else None
            ),
        )
        try:
            if role != "anonymous":
                _log_in(page, seeded.emails[role])
            names = _check_header(page, role, width)
            assert names, "no header items"
            if role == "anonymous":
                vote = page.locator(f"#vote-{seeded.ids['voted']} .vote-btn")
                expect(vote).to_have_accessible_name(re.compile(r"Log in to vote", re.I))
                vote.click()
                expect(page.get_by_test_id("login-why")).to_contain_text("Log in to vote")
                page.goto("/ideas/new")  # login_required: the login page says why
                expect(page.get_by_role("status")).to_contain_text("Log in to do that.")
                _check_keyboard(page)
            else:
                _check_vote_styles(page, seeded)
            for name, path in PAGES[role].items():
                response = page.goto(path.format(**seeded.ids))
                assert response is not None and response.status == 200, (name, response)
                facts = page.evaluate(PAGE_FACTS)
                where = f"{role} {width}px {name} ({path})"
                if facts["scrollWidth"] > facts["innerWidth"]:
                    problems.append(f"{where}: {facts['scrollWidth']} px wide")
                if facts["duplicateIds"]:
                    problems.append(f"{where}: duplicate ids {facts['duplicateIds']}")
                page.evaluate(AXE)
                problems += [f"{where}: {v}" for v in page.evaluate(RUN_AXE)]
                if name == "company" and role == "staff":
                    expect(page.locator("main")).to_contain_text("$5,431.50")
            problems += [f"{role} {width}px: {e}" for e in errors]
        finally:
            context.close()
    assert not problems, json.dumps(problems, indent=1)
