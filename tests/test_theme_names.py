"""Theme names, sampling and stable ids with the real MiniLM model and real BERTopic (slow).

The corpus is the demo's: ~320 requests about ~44 subjects, embedded once per module.
"""

from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import select

from tests.test_jobs import run_worker
from tests.test_themes import post_ideas
from vocportal.demo import content
from vocportal.extensions import db
from vocportal.ideas import operations as ideas
from vocportal.themes import edits, reads
from vocportal.themes.models import Theme, ThemeItem
from vocportal.themes.naming import is_noun_phrase
from vocportal.themes.pipeline import fit_topics
from vocportal.themes.refit import map_onto_themes, refit

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo():
    from vocportal.embeddings.encoder import embed, idea_text

    texts = [idea_text(i["title"], i["body"]) for i in content.IDEAS]
    return texts, embed(texts)


def test_every_theme_is_named_with_a_short_noun_phrase(demo):
    texts, vectors = demo
    result = fit_topics(texts, vectors)
    # How many themes, and how well they match the needs: tests/test_theme_granularity.py.
    assert len(result.topics) >= 2
    names = [t.label for t in result.topics]
    bad = [n for n in names if not is_noun_phrase(n)]
    assert not bad, bad
    assert len(set(n.lower() for n in names)) == len(names)
    assert not any(n[0].islower() for n in names)  # capitalised, or '2FA and SSO'
    # Keywords stay, as secondary detail.
    assert all(len(t.top_words) >= 3 for t in result.topics)


def test_names_say_what_the_theme_is_about(demo):
    texts, vectors = demo
    result = fit_topics(texts, vectors)
    # A name shares a content word with the texts of its own theme far more often than
    # with the texts of an unrelated one.
    hits = 0
    for topic in result.topics:
        members = " ".join(
            texts[i].lower() for i in np.flatnonzero(result.assignments == topic.key)
        )
        words = [w.lower() for w in topic.label.split() if len(w) > 3]
        hits += any(w.rstrip("s") in members or w[:-3] in members for w in words)
    assert hits >= 0.9 * len(result.topics)


def test_above_the_threshold_a_sample_is_fitted_and_the_rest_placed(demo):
    texts, vectors = demo
    result = fit_topics(texts, vectors, sample_above=150)
    assert result.params["fitted_items"] == 150
    assert result.params["placed_items"] == len(texts) - 150
    assert (result.assignments >= 0).all()
    centroids = np.stack([t.centroid for t in result.topics])
    placed = np.setdiff1d(np.arange(len(texts)), result.fitted)
    nearest = np.argmax(vectors[placed] @ centroids.T, axis=1)
    assert np.mean(nearest == result.assignments[placed]) >= 0.95
    assert sum(t.size for t in result.topics) == len(texts)


def test_ids_hold_when_ten_percent_more_items_arrive(demo):
    texts, vectors = demo
    old = np.arange(len(texts))[np.arange(len(texts)) % 11 != 0]
    first = fit_topics([texts[i] for i in old], vectors[old])
    # As refit() does: every old item's current theme goes in; the new items have none.
    previous = np.full(len(texts), -1)
    previous[old] = first.assignments
    second = fit_topics(texts, vectors, seed=7, previous=previous)
    mapping = map_onto_themes(
        second.topics, [t.key for t in first.topics], np.stack([t.centroid for t in first.topics])
    )
    kept = np.array([mapping.get(int(k), -1) for k in second.assignments[old]])
    # Another UMAP seed than the first fit's: harsher than refit(), which always uses the
    # same. This corpus (~7 texts per subject, themes that join subjects) measures 0.84
    # then; the 0.90 is asserted on the refit path below and measured on BANKING77
    # train by benchmarks/topics.py --stability. Without `previous` it measures 0.69.
    assert np.mean(kept == first.assignments) >= 0.80


@pytest.mark.usefixtures("embedded_redis_url")
@pytest.mark.app_config(THEMES_SAMPLE_ABOVE=200)
def test_staff_names_win_over_automatic_names_across_sampled_refits(app, make_user, make_board):
    post_ideas(content.IDEAS, make_user, make_board)
    run_worker(app, "embeddings")
    first = refit()
    db.session.commit()
    assert first.n_themes >= 10
    named = reads.active_themes()[0]
    automatic = named.label
    assert is_noun_phrase(automatic) and named.display_name == automatic
    staff = make_user(role="staff")
    edits.rename_theme(staff, named, "Our biggest theme")
    db.session.commit()

    second = refit()
    db.session.commit()
    db.session.expire_all()
    assert second.kept >= 0.7 * first.n_themes
    renamed = db.session.get(Theme, named.id)
    assert renamed.name == "Our biggest theme" and renamed.display_name == "Our biggest theme"
    assert is_noun_phrase(renamed.label)  # the automatic name is still kept up to date
    # Sampled refit: every item still has a theme.
    rows = db.session.scalars(select(ThemeItem)).all()
    assert len(rows) == len(content.IDEAS) and all(r.theme_id is not None for r in rows)


def _theme_of_items() -> dict[tuple[str, int], int | None]:
    return {(r.item_type, r.item_id): r.theme_id for r in db.session.scalars(select(ThemeItem))}


@pytest.mark.usefixtures("embedded_redis_url")
def test_a_refit_after_ten_percent_more_items_keeps_old_items_in_their_themes(
    app, make_user, make_board
):
    old = [spec for i, spec in enumerate(content.IDEAS) if i % 11]
    new = [spec for i, spec in enumerate(content.IDEAS) if not i % 11]
    posted = post_ideas(old, make_user, make_board)
    run_worker(app, "embeddings")
    refit()
    db.session.commit()
    before = _theme_of_items()
    assert len(before) == len(old)

    author, board = posted[0].author, posted[0].board
    for spec in new:
        ideas.create_idea(author, board, spec["title"], spec["body"])
    db.session.commit()
    run_worker(app, "embeddings")
    refit()
    db.session.commit()
    db.session.expire_all()
    after = _theme_of_items()
    assert len(after) == len(content.IDEAS)
    assert sum(after[key] == theme for key, theme in before.items()) >= 0.9 * len(before)
