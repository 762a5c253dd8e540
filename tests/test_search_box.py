"""The board's search box and the API's `q` (vocportal.ideas.hybrid through
ideas.operations.board_listing): ranking, filters, sorts, visibility, the page when nothing
matches, and the keyword-only notice while the model loads (slow: the real model)."""

from __future__ import annotations

import re

import pytest

from tests.test_search_hybrid import WARM_TIMEOUT, _embedded
from vocportal.embeddings import warm
from vocportal.extensions import db
from vocportal.ideas import merge
from vocportal.ideas import operations as ops
from vocportal.ideas.models import IdeaStatus, Moderation

pytestmark = pytest.mark.usefixtures("embedded_redis_url")


def _listed(html: str) -> list[int]:
    """The ids of the ideas in the board's list, in order."""
    section = html.split('data-testid="idea-list"', 1)[1]
    return [int(i) for i in re.findall(r'<h2><a href="/ideas/(\d+)"', section)]


def _api_ids(client, **args) -> tuple[list[int], str | None]:
    body = client.get("/api/v1/ideas", query_string=args).get_json()
    return [i["id"] for i in body["items"]], body["search"]


def test_exact_hits_first_then_any_word_on_the_board_and_in_the_api(client, make_idea):
    some = make_idea(title="Dark theme for the dashboard", body="Easier at night.", votes=5)
    every = make_idea(title="Dark mode everywhere", body="Mobile too.")
    make_idea(title="Export timesheets", body="As CSV.")
    html = client.get("/", query_string={"q": "dark mode"}).get_data(as_text=True)
    assert _listed(html) == [every.id, some.id]
    assert "2 ideas matching “dark mode”, best matches first" in html
    assert re.search(r'<a href="/\?q=dark\+mode" aria-current=page>Best match</a>', html)
    assert 'data-testid="search-keyword-only"' not in html
    assert _api_ids(client, q="dark mode") == ([every.id, some.id], "hybrid")

    # Sorting still applies to the matches; the API and the board agree.
    html = client.get("/", query_string={"q": "dark mode", "sort": "top"}).get_data(as_text=True)
    assert _listed(html) == [some.id, every.id] and "sorted by votes" in html
    assert _api_ids(client, q="dark mode", sort="top")[0] == [some.id, every.id]
    # Without a query there is nothing to be relevant to: the usual trending list.
    assert _api_ids(client, sort="relevance")[1] is None


def test_filters_apply_to_the_search(client, make_idea, make_board, make_user):
    mobile = make_board(name="Mobile")
    on_board = make_idea(title="Offline mode for the app", board=mobile)
    elsewhere = make_idea(title="Offline mode for reports")
    planned = make_idea(title="Offline maps", board=mobile)
    ops.change_status(make_user(role="staff"), planned, IdeaStatus.planned)
    db.session.commit()

    html = client.get("/", query_string={"q": "offline", "board": mobile.slug})
    assert sorted(_listed(html.get_data(as_text=True))) == [on_board.id, planned.id]
    html = client.get("/", query_string={"q": "offline", "status": "planned"})
    assert _listed(html.get_data(as_text=True)) == [planned.id]
    assert _api_ids(client, q="offline mode", board=mobile.slug)[0] == [on_board.id, planned.id]
    assert set(_api_ids(client, q="offline")[0]) == {on_board.id, elsewhere.id, planned.id}


def test_search_never_shows_what_the_reader_may_not_see(client, new_client, make_idea, make_user):
    staff = make_user(role="staff")
    author = make_user()
    shown = make_idea(title="Calendar sync with Outlook")
    hidden = make_idea(title="Calendar sync, hidden by staff")
    ops.set_idea_hidden(staff, hidden, True)
    held = make_idea(title="Calendar sync, held by moderation", author=author)
    held.moderation = Moderation.held
    withdrawn = make_idea(title="Calendar sync, withdrawn", author=author)
    ops.withdraw_idea(author, withdrawn)
    duplicate = make_idea(title="Calendar sync please")
    merge.merge(staff, duplicate, shown)
    db.session.commit()

    assert _api_ids(client, q="calendar sync")[0] == [shown.id]
    html = client.get("/", query_string={"q": "calendar sync"}).get_data(as_text=True)
    assert _listed(html) == [shown.id]
    for who in (author, staff):
        reader = new_client()
        reader.login(who.email)
        html = reader.get("/", query_string={"q": "calendar sync"}).get_data(as_text=True)
        assert _listed(html) == [shown.id], who.role


def test_nothing_found_explains_and_offers_to_post(client, make_idea, make_board):
    board = make_board(name="Mobile")
    make_idea(title="Export timesheets to CSV", board=board)
    html = client.get("/", query_string={"q": "zephyr sync", "board": board.slug})
    html = html.get_data(as_text=True)
    assert "No ideas match “zephyr sync” yet with these filters" in html
    assert "any of your words and for ideas that mean the same" in html
    assert re.search(r'<a href="/\?q=zephyr\+sync">search all boards and statuses</a>', html)
    link = re.search(r'href="([^"]+)" data-testid="post-search-as-idea"', html).group(1)
    assert link.replace("&amp;", "&") == f"/ideas/new?title=zephyr+sync&board={board.slug}"
    assert _api_ids(client, q="zephyr sync") == ([], "hybrid")


@pytest.mark.app_config(SIMILAR_WAIT_FOR_MODEL=False)
def test_keyword_only_says_so_on_the_board_and_in_the_api(app, client, make_idea, monkeypatch):
    # A model that cannot load: the search keeps to keywords (and retries the model later).
    monkeypatch.setenv("VOCPORTAL_EMBEDDING_BACKEND", "no-such-backend")
    wanted = make_idea(title="Card payments in more currencies", body="")
    assert _api_ids(client, q="card") == ([wanted.id], "keyword")
    assert not warm.wait(app, WARM_TIMEOUT) and warm.state(app).failed
    html = client.get("/", query_string={"q": "card"}).get_data(as_text=True)
    assert 'data-testid="search-keyword-only"' in html and _listed(html) == [wanted.id]
    html = client.get("/", query_string={"q": "zephyr"}).get_data(as_text=True)
    assert "We looked for ideas with any of your words, and found none" in html


@pytest.mark.slow
def test_the_board_finds_a_paraphrase_by_meaning(client, make_idea):
    wanted = make_idea(title="Let customers pay by bank transfer", body="")
    _embedded(wanted, make_idea(title="Dark mode for the dashboard", body="At night."))
    html = client.get("/", query_string={"q": "wire money instead of card"})
    assert _listed(html.get_data(as_text=True)) == [wanted.id]
    assert _api_ids(client, q="wire money instead of card") == ([wanted.id], "hybrid")


@pytest.mark.slow
@pytest.mark.app_config(SIMILAR_WAIT_FOR_MODEL=False, ANONYMOUS_PAGE_CACHE_SECONDS=30)
def test_keyword_search_with_a_notice_until_the_model_is_loaded(app, client, make_idea):
    wanted = make_idea(title="Let customers pay by bank transfer", body="")
    by_word = make_idea(title="Card payments in more currencies", body="")
    _embedded(wanted, by_word)
    html = client.get("/", query_string={"q": "wire money instead of card"})
    html = html.get_data(as_text=True)
    assert 'data-testid="search-keyword-only"' in html and "keywords only for now" in html
    assert _listed(html) == [by_word.id]

    assert warm.wait(app, WARM_TIMEOUT), warm.state(app).error
    # The same address again: the keyword-only page was not kept in the page cache.
    html = client.get("/", query_string={"q": "wire money instead of card"})
    html = html.get_data(as_text=True)
    assert 'data-testid="search-keyword-only"' not in html
    assert set(_listed(html)) == {wanted.id, by_word.id}
