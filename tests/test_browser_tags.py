"""Tags and custom fields in a real browser, at 390 and 1,280 px: the admin pages, the
new-idea form asking only the chosen board's questions (and a bad value's message on its
field, the text kept), and a board filtered by a tag with its colour; no CSP violation, no
sideways scrolling, no axe violation.

Set SCREENSHOT_DIR to keep a PNG of each page at each width.
"""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Browser, expect

from tests.test_browser import (  # noqa: F401  (fixture)
    CSP_LISTENER,
    TIMEOUT_MS,
    browser,
    serving,
)
from tests.test_browser_layout import WIDTHS, _log_in
from tests.test_browser_moderation import _check, _shoot

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", WIDTHS)
def test_tags_and_custom_fields_pages(
    width: int,
    browser: Browser,  # noqa: F811
    app_factory,
    make_user,
    make_board,
    make_idea,
):
    from vocportal.extensions import db
    from vocportal.tags import fields
    from vocportal.tags import operations as tags

    app = app_factory(SERVER_NAME=None)
    with app.app_context():
        admin = make_user(role="admin", email="ada@example.com", name="Ada Admin")
        make_user(email="casey@example.com", name="Casey Customer")
        reports = make_board(name="Reports & Budgets")
        integrations = make_board(name="Integrations")
        seats = fields.add_field(admin, reports.id, "Team size", "number", required=True)
        fields.add_field(admin, reports.id, "Plan", "single", "Free\nTeam\nEnterprise")
        fields.add_field(admin, reports.id, "Platforms", "multiple", "Web\niOS\nAndroid")
        fields.add_field(admin, reports.id, "Needed by", "date")
        fields.add_field(admin, reports.id, "Deal size (USD)", "number", public=False)
        fields.add_field(admin, integrations.id, "Which tool?", "text")
        mobile = tags.save_tag(admin, None, "Mobile", "#0d9488", True)
        tags.save_tag(admin, None, "Accounting", "#2563eb", True)
        churn = tags.save_tag(admin, None, "Churn risk", "#dc2626", False)
        phone = make_idea(title="Offline mode for the mobile app", board=integrations, votes=3)
        make_idea(title="Budget alerts by email", board=integrations, votes=1)
        tags.tag_ideas(admin, [phone.id], [mobile.id, churn.id])
        db.session.commit()
        ids = {"reports": reports.id, "integrations": integrations.id, "seats": seats.id}
        slug = reports.slug

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
            _log_in(page, "ada@example.com")
            page.goto("/admin/tags")
            expect(page.get_by_test_id("tag-table")).to_contain_text("Internal (staff only)")
            problems += _check(page, f"{width}px admin tags")
            _shoot(page, "admin-tags", width)
            page.goto(f"/admin/boards/{ids['reports']}/fields")
            expect(page.get_by_test_id("field-table")).to_contain_text("Staff only")
            problems += _check(page, f"{width}px admin fields")
            _shoot(page, "admin-board-fields", width)
            # Bulk tagging from the inbox: the tag button posts the bulk form's ticked rows.
            page.goto("/staff/inbox")
            rows = page.get_by_test_id("inbox-row")
            expect(rows).to_have_count(2)
            for n in range(2):
                rows.nth(n).locator("input[type=checkbox]").check()
            bulk = page.get_by_test_id("bulk-tags")
            bulk.locator("summary").click()
            bulk.get_by_label("Accounting").check()
            # "Select all" and its count are about the rows, not the tags to add.
            expect(page.locator("[data-ticked-for=bulk-form]")).to_have_text("2 ticked")
            problems += _check(page, f"{width}px inbox, bulk tags open")
            _shoot(page, "staff-inbox-bulk-tags", width)
            bulk.get_by_role("button", name="Apply to the ticked ideas").click()
            expect(page.locator("main")).to_contain_text("2 tags added.")
            expect(page.get_by_test_id("inbox").locator('[data-tag="accounting"]')).to_have_count(2)
            page.context.clear_cookies()

            _log_in(page, "casey@example.com")
            page.goto(f"/ideas/new?board={slug}")
            asked = page.get_by_test_id(f"board-questions-{ids['reports']}")
            other = page.get_by_test_id(f"board-questions-{ids['integrations']}")
            expect(asked).to_be_visible()
            expect(other).to_be_hidden()  # only the chosen board's questions
            expect(asked).not_to_contain_text("Deal size")  # staff only
            page.locator("main").get_by_label("Board").select_option(str(ids["integrations"]))
            expect(asked).to_be_hidden()
            expect(other).to_be_visible()
            page.locator("main").get_by_label("Board").select_option(str(ids["reports"]))
            main = page.locator("main")
            main.get_by_label("Title").fill("Budget report per client")
            main.get_by_label("Team size").fill("twelve")
            main.get_by_label("Plan").select_option("Team")
            main.get_by_label("iOS").check()
            problems += _check(page, f"{width}px new idea with fields")
            _shoot(page, "new-idea-fields", width)
            main.get_by_role("button", name="Post idea").click()
            error = page.locator(f"#field_{ids['seats']}-error")
            expect(error).to_contain_text("Give a number")
            expect(main.get_by_label("Team size")).to_have_value("twelve")
            expect(main.get_by_label("Plan")).to_have_value("Team")
            expect(main.get_by_label("iOS")).to_be_checked()
            problems += _check(page, f"{width}px new idea, a bad value")
            _shoot(page, "new-idea-error", width)
            main.get_by_label("Team size").fill("12")
            main.get_by_role("button", name="Post idea").click()
            expect(page.get_by_test_id("answers")).to_contain_text("12")
            expect(page.get_by_test_id("answers")).not_to_contain_text("Deal size")
            problems += _check(page, f"{width}px idea page with answers")
            _shoot(page, "idea-page-answers", width)

            page.goto("/?tag=mobile")
            expect(page.get_by_test_id("tag-filtered")).to_contain_text("Tagged Mobile")
            listed = page.get_by_test_id("idea-list")
            expect(listed).to_contain_text("Offline mode for the mobile app")
            expect(listed).not_to_contain_text("Budget alerts by email")  # not Mobile
            expect(listed).not_to_contain_text("Churn risk")
            dot = listed.locator('[data-tag="mobile"] .tag-dot').first
            colour = dot.evaluate("d => getComputedStyle(d).backgroundColor")
            assert colour == "rgb(13, 148, 136)", colour
            problems += _check(page, f"{width}px board filtered by tag")
            _shoot(page, "board-filtered-by-tag", width)
        finally:
            context.close()
    assert not violations, violations
    assert not problems, json.dumps(problems, indent=1)
