"""The search box's ranking (vocportal.ideas.hybrid): exact keyword hits first, then the
full-text and semantic rankings fused; the semantic part with the real MiniLM model (slow)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from vocportal.embeddings import warm
from vocportal.embeddings.encoder import MODEL_NAME, embed, idea_text
from vocportal.embeddings.operations import store_embedding
from vocportal.extensions import db
from vocportal.ideas import hybrid
from vocportal.ideas.models import Idea
from vocportal.ideas.operations import public_ideas

#: Generous bound on loading the model in a test process (not a timing assertion).
WARM_TIMEOUT = 300


def _public():
    return select(Idea).where(public_ideas())


def _embedded(*ideas: Idea) -> None:
    """Store the ideas' vectors as the embedding job does (the real model)."""
    texts = [idea_text(i.title, i.body) for i in ideas]
    for idea, text, vector in zip(ideas, texts, embed(texts), strict=True):
        store_embedding("idea", idea.id, MODEL_NAME, text, vector)
    db.session.commit()


def test_fuse_sums_reciprocal_ranks():
    scores = hybrid.fuse([1, 2, 3], [3, 4])
    assert scores[3] == pytest.approx(1 / (hybrid.RRF_K + 3) + 1 / (hybrid.RRF_K + 1))
    assert max(scores, key=scores.get) == 3  # in both lists beats first in one
    assert hybrid.fuse() == {}


def test_exact_hits_first_then_any_word_matches(app, make_idea):
    some = make_idea(title="Dark theme for the dashboard", body="Easier at night.")
    every = make_idea(title="Dark mode everywhere", body="Mobile too.")
    other = make_idea(title="Export timesheets", body="As CSV.")
    found = hybrid.search("dark mode", _public())
    # No embeddings stored: nothing to rank by meaning, and no model loaded for it.
    assert found.mode == hybrid.HYBRID
    assert found.ids[:2] == [every.id, some.id] and found.exact == 1
    assert other.id not in found.ids
    # Common words alone find nothing by any word (and no idea has both "the" and "to").
    assert hybrid.search("the to", _public()).ids == []


def test_filters_and_visibility_apply_to_every_ranking(app, make_idea, make_board, make_user):
    board = make_board(name="Mobile")
    on_board = make_idea(title="Offline mode for the app", board=board)
    elsewhere = make_idea(title="Offline mode for reports")
    hidden = make_idea(title="Offline mode, hidden", board=board)
    hidden.hidden_at = hidden.created_at
    db.session.commit()
    found = hybrid.search("offline mode", _public().where(Idea.board_id == board.id))
    assert found.ids == [on_board.id]
    assert set(hybrid.search("offline", _public()).ids) == {on_board.id, elsewhere.id}


@pytest.mark.slow
def test_a_paraphrase_with_no_shared_word_is_found_by_meaning(app, make_idea):
    wanted = make_idea(title="Let customers pay by bank transfer", body="")
    unrelated = make_idea(title="Dark mode for the dashboard", body="Easier at night.")
    _embedded(wanted, unrelated)
    query = "wire money instead of card"
    assert not set(hybrid.meaningful_words(query)) & set(hybrid.meaningful_words(wanted.title))
    found = hybrid.search(query, _public())
    assert found.mode == hybrid.HYBRID and found.exact == 0
    assert found.ids == [wanted.id]  # the unrelated idea is below the similarity floor


@pytest.mark.slow
def test_an_exact_keyword_hit_ranks_above_a_closer_meaning(app, make_idea):
    # The query's words are all in `literal`; `meaning` says the same thing in other words
    # and is the model's nearest, yet the literal hit comes first.
    literal = make_idea(title="Export reports as PDF", body="Printable monthly summaries.")
    meaning = make_idea(title="Download a printable document of the monthly figures", body="")
    _embedded(literal, meaning)
    hits = hybrid.by_meaning("pdf export", 10)
    found = hybrid.search("pdf export", _public())
    assert found.exact == 1 and found.ids[0] == literal.id
    assert meaning.id in found.ids and meaning.id in [i for i, _ in hits]


@pytest.mark.app_config(SIMILAR_WAIT_FOR_MODEL=False)
def test_keyword_only_while_the_model_is_not_loaded(app, make_idea, monkeypatch):
    monkeypatch.setenv("VOCPORTAL_EMBEDDING_BACKEND", "no-such-backend")  # it cannot load
    wanted = make_idea(title="Card payments in more currencies", body="")
    assert warm.state(app) is None
    found = hybrid.search("card", _public())
    assert found.mode == hybrid.KEYWORD and found.ids == [wanted.id]
    assert warm.state(app) is not None  # the search started loading the model
    assert not warm.wait(app, WARM_TIMEOUT)
    assert hybrid.search("card", _public()).mode == hybrid.KEYWORD
