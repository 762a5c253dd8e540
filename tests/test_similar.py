"""Similar ideas with the real MiniLM model (slow)."""

from __future__ import annotations

import pytest

from tests.conftest import PortalClient
from tests.test_jobs import run_worker
from vocportal.demo import content
from vocportal.embeddings.similar import similar_ideas
from vocportal.extensions import db
from vocportal.ideas import operations as ideas

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("embedded_redis_url")]


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
