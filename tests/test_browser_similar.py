"""Similar ideas while typing, in a real browser, on a web process whose model is not loaded:
keyword matches show at once with a notice, then the model's suggestions replace them.

The cold start of a separate gunicorn process, timed, is benchmarks/similar_cold.py.
"""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import Browser, expect

from tests.factories import PASSWORD
from tests.test_browser import TIMEOUT_MS, Problems, browser, log_in, serving  # noqa: F401 (fixture)
from tests.test_similar import WARM_TIMEOUT, corpus  # noqa: F401 (fixture)
from vocportal.embeddings import warm

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.usefixtures("embedded_redis_url")]


@pytest.fixture
def cold_server(app_factory):
    """A live server whose app has not loaded the similar-ideas model: as a web process
    after start, except that warming starts with the first look-up (deterministic here)."""
    web = app_factory(SERVER_NAME=None, SIMILAR_WAIT_FOR_MODEL=False)
    with serving(web) as url:
        try:
            yield web, url
        finally:
            warm.wait(web, WARM_TIMEOUT)  # the warm-up thread ends before the tables are emptied


def test_quick_matches_then_smarter_suggestions(
    app,
    corpus,  # noqa: F811
    cold_server,
    browser: Browser,  # noqa: F811
    make_user,  # noqa: F811
):
    made, _ = corpus
    probe = made[0]
    web, base_url = cold_server
    customer = make_user()
    context = browser.new_context(base_url=base_url)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    problems = Problems()
    problems.watch(context, page)
    try:
        log_in(page, customer.email, PASSWORD)
        page.goto("/ideas/new")
        assert warm.state(web) is None
        similar = page.get_by_test_id("similar-ideas")

        typed = time.monotonic()
        page.get_by_label("Title").press_sequentially(probe.title, delay=20)
        # Before the model is ready: keyword matches, and a notice that more is coming.
        expect(similar.get_by_test_id("similar-pending")).to_contain_text(
            "smarter suggestions in a moment"
        )
        expect(similar.locator('[data-similar-mode="keyword"]')).to_have_count(1)
        expect(similar.get_by_test_id("similar-idea").first).to_be_visible()
        first = time.monotonic() - typed
        expect(similar.get_by_role("link", name=probe.title)).to_be_visible()

        # Once the model is loaded, the page asks again by itself and the notice goes.
        expect(similar.locator('[data-similar-mode="semantic"]')).to_have_count(
            1, timeout=WARM_TIMEOUT * 1000
        )
        expect(similar.get_by_test_id("similar-pending")).to_have_count(0)
        expect(similar.get_by_test_id("similar-idea").first).to_be_visible()
        print(f"first suggestions {first:.2f} s after typing began (keyword, typing included)")
        assert warm.is_ready(web)
        assert problems.items == []
    finally:
        context.close()
