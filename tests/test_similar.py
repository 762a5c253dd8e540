"""Similar ideas: with the real MiniLM model (slow), and the keyword matches shown while it
loads in a web process (vocportal.embeddings.warm)."""

from __future__ import annotations

import os
import re

import pytest

from tests.conftest import PortalClient
from tests.test_jobs import run_worker
from vocportal.demo import content
from vocportal.embeddings import warm
from vocportal.embeddings.models import Embedding
from vocportal.embeddings.similar import idea_index, keyword_ideas, similar_ideas
from vocportal.extensions import db
from vocportal.ideas import operations as ideas

pytestmark = pytest.mark.usefixtures("embedded_redis_url")
#: Generous bound on loading the model in a test process (not a timing assertion).
WARM_TIMEOUT = 300


@pytest.fixture
def corpus(app, make_user, make_board):
    """Eight demo themes' ideas, embedded by the real worker."""
    wanted = sorted({i["theme"] for i in content.IDEAS})[:8]
    board = make_board(name="All")
    author = make_user()
    made = [
        ideas.create_idea(author, board, i["title"], i["body"])
        for i in content.IDEAS
        if i["theme"] in wanted
    ]
    db.session.commit()
    run_worker(app, "embeddings")
    theme_of = {i["title"]: i["theme"] for i in content.IDEAS}
    return made, theme_of


@pytest.mark.slow
def test_similar_ideas_found_while_typing(app, corpus, make_user):
    made, theme_of = corpus
    probe = made[0]
    # A customer types the same need in other words.
    text = f"{probe.title.lower()} please"
    found = similar_ideas(None, text=text)
    assert found and len(found) <= 5
    assert theme_of[found[0].idea.title] == theme_of[probe.title]

    client = PortalClient(app)
    client.login(make_user().email)
    html = client.get("/ideas/similar", query_string={"title": text}).get_data(as_text=True)
    assert found[0].idea.title in html and 'data-testid="vote-button"' in html
    assert "Already asked?" not in client.get(
        "/ideas/similar", query_string={"title": "zq"}
    ).get_data(as_text=True)


@pytest.mark.slow
def test_idea_page_lists_related_and_staff_see_possible_duplicates(
    app, corpus, make_user, make_board
):
    made, theme_of = corpus
    original = made[0]
    copy = ideas.create_idea(make_user(), make_board(), original.title + "!", original.body)
    db.session.commit()
    run_worker(app, "embeddings")
    related = similar_ideas(None, idea=original)
    assert related[0].idea.id == copy.id and related[0].similarity > 0.9
    assert original.id not in {r.idea.id for r in related}
    staff = make_user(role="staff")
    client = PortalClient(app)
    client.login(staff.email)
    page = client.get(f"/ideas/{original.id}").get_data(as_text=True)
    assert 'data-testid="related-ideas"' in page and 'data-testid="possible-duplicate"' in page
    # Withdrawn ideas are never suggested.
    ideas.withdraw_idea(copy.author, copy)
    db.session.commit()
    assert copy.id not in {r.idea.id for r in similar_ideas(None, idea=original)}


def _mode(html: str) -> str:
    match = re.search(r'data-similar-mode="(\w+)"', html)
    assert match, html[:2000]
    return match.group(1)


@pytest.mark.slow
def test_similar_ideas_listed_most_similar_first(app, corpus):
    """The similarity printed beside each suggestion goes down the list (it read 49%, 47%,
    53%: the re-ranked order with the plain cosine beside it)."""
    made, _ = corpus
    for idea in made:
        scores = [s.similarity for s in similar_ideas(None, idea=idea, min_similarity=0.0)]
        assert scores == sorted(scores, reverse=True), (idea.title, scores)


@pytest.mark.slow
@pytest.mark.app_config(SIMILAR_WAIT_FOR_MODEL=False)
def test_keyword_matches_with_a_notice_until_the_model_is_ready(app, corpus, make_user):
    made, theme_of = corpus
    probe = made[0]
    client = PortalClient(app)
    client.login(make_user().email)
    assert warm.state(app) is None  # no warm-up in tests until a look-up needs the model

    # The first look-up in this process: the model is not loaded here yet, so the full-text
    # search answers at once, says so, and the model starts loading in the background.
    html = client.get("/ideas/similar", query_string={"title": probe.title}).get_data(as_text=True)
    assert _mode(html) == "keyword"
    assert 'data-testid="similar-pending"' in html and "smarter suggestions in a moment" in html
    assert "Quick matches" in html and probe.title in html
    assert warm.state(app) is not None

    assert warm.wait(app, WARM_TIMEOUT), warm.state(app).error
    html = client.get("/ideas/similar", query_string={"title": f"{probe.title} please"})
    html = html.get_data(as_text=True)
    assert _mode(html) == "semantic" and "similar-pending" not in html
    found = similar_ideas(None, text=f"{probe.title} please")
    assert found[0].idea.title in html


@pytest.mark.slow
@pytest.mark.app_config(SIMILAR_WARM_AT_START=True)
def test_web_process_warms_model_and_index_from_its_first_request(app, corpus):
    made, _ = corpus
    assert (
        warm.state(app) is None
    )  # building the app (as CLI commands and workers do) starts nothing
    client = PortalClient(app)
    assert client.get("/").status_code == 200
    assert warm.state(app) is not None
    assert warm.wait(app, WARM_TIMEOUT), warm.state(app).error
    assert warm.is_ready(app) and warm.state(app).seconds is not None
    embedded = db.session.query(Embedding).filter_by(item_type="idea").count()
    assert embedded == len(made) and len(idea_index().index) == len(made)

    # A forked process (a gunicorn worker forked from a --preload master) has no warm-up
    # thread: it must start its own, not believe the parent's.
    pid = os.fork()
    if pid == 0:  # pragma: no cover (child)
        os._exit(0 if warm.state(app) is None and not warm.is_ready(app) else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0


@pytest.mark.slow
def test_preload_loads_model_and_index_and_keeps_no_connection_for_the_workers(
    app, corpus, monkeypatch
):
    made, _ = corpus
    monkeypatch.setenv("VOCPORTAL_TORCH_THREADS", "2")
    with pytest.raises(RuntimeError, match="VOCPORTAL_TORCH_THREADS=1"):
        warm.preload(app)  # an encoder thread pool would not survive the fork
    monkeypatch.setenv("VOCPORTAL_TORCH_THREADS", "1")
    warm.preload(app)
    assert len(app.extensions["vocportal_idea_index"]["index"].index) == len(made)
    assert db.engine.pool.checkedin() == 0  # no pooled socket is inherited by a worker
    # Nothing started here: each forked worker runs its own warm-up, which finds both loaded.
    assert warm.state(app) is None
    found = similar_ideas(None, text=f"{made[0].title} please")
    assert made[0].id in [s.idea.id for s in found]


def test_tests_and_cli_apps_do_not_warm_up(app, client):
    assert app.config["SIMILAR_WARM_AT_START"] is False
    assert app.config["SIMILAR_WAIT_FOR_MODEL"] is True
    client.get("/")
    assert warm.state(app) is None


def test_keyword_matches_any_word_best_first(app, make_idea, make_board):
    board = make_board()
    both = make_idea(title="Export shifts to a calendar", board=board)
    one = make_idea(title="Calendar colours per team", board=board)
    dark = make_idea(title="Dark mode for the mobile app", board=board)
    gone = make_idea(title="Calendar export for managers", board=board)
    ideas.withdraw_idea(gone.author, gone)
    db.session.commit()

    found = keyword_ideas(None, "calendar export please")
    assert [s.idea.id for s in found] == [both.id, one.id]
    assert all(s.similarity is None for s in found)
    # Only common words: nothing to match on.
    assert keyword_ideas(None, "the to for") == []
    # The last word is matched as a prefix (someone is still typing it).
    assert [s.idea.id for s in keyword_ideas(None, "mob")] == [dark.id]


def test_search_without_results_offers_next_steps(app, client, make_user, make_idea):
    make_idea(title="Export timesheets to CSV")
    html = client.get("/", query_string={"q": "zephyr sync"}).get_data(as_text=True)
    assert "No ideas match “zephyr sync”" in html
    assert "0 ideas matching" not in html
    assert re.search(r'<a href="/">clear the search</a>', html)
    assert 'data-testid="post-search-as-idea"' in html
    link = re.search(r'href="([^"]+)" data-testid="post-search-as-idea"', html).group(1)
    assert link.startswith("/ideas/new?") and "title=zephyr+sync" in link.replace("%20", "+")

    client.login(make_user().email)
    form = client.get(link.replace("&amp;", "&")).get_data(as_text=True)
    assert re.search(r'<input[^>]*id="title"[^>]*value="zephyr sync"', form) or re.search(
        r'<input[^>]*value="zephyr sync"[^>]*id="title"', form
    )
    # With results, the count and a way back.
    html = client.get("/", query_string={"q": "timesheets"}).get_data(as_text=True)
    assert "1 idea matching “timesheets”" in html and "Clear search" in html
