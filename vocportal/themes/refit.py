"""Refits that keep theme ids stable (worker side: runs in the `topics` queue's jobs).

A refit clusters every current item afresh (topic numbers from BERTopic mean nothing from
one fit to the next), starting from the themes items are in now (the fit keeps those the
data still supports, so 10% more items leave 90%+ of the others where they were). A topic
that holds most of a theme's items continues it; the other topics are matched to the
remaining themes by centroid cosine similarity with an optimal one-to-one assignment. A
matched theme keeps its id, staff name and history; an unmatched topic becomes a new theme;
an unmatched theme is retired. A topic that maps onto a merged theme sends its items to the
theme it was merged into; items staff placed by hand stay where staff put them.

The only theme module that imports the fit (:mod:`vocportal.themes.pipeline`, BERTopic):
web processes never import it (.importlinter says so); they enqueue
`vocportal.themes.refresh.request_refresh`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from flask import current_app
from sqlalchemy import delete, func, select

from vocportal.embeddings.encoder import MODEL_NAME
from vocportal.embeddings.models import Embedding
from vocportal.extensions import db
from vocportal.feedback.models import FeedbackItem
from vocportal.ideas.models import Idea
from vocportal.themes import pipeline, results
from vocportal.themes.models import Theme, ThemeItem, ThemeSnapshot, ThemeStatus, TopicFit
from vocportal.themes.reads import in_corpus, merge_target
from vocportal.timeutil import utcnow

#: A new topic continues an existing theme when their centroids are at least this similar.
KEEP_SIMILARITY = 0.80


@dataclass
class Corpus:
    keys: list[tuple[str, int]]  # (item_type, item_id)
    texts: list[str]
    vectors: np.ndarray


def load_corpus() -> Corpus:
    """Every current item with a vector: public ideas (not withdrawn, hidden or merged) and
    feedback from every channel."""
    rows = db.session.execute(
        in_corpus(select(Idea.id, Idea.title, Idea.body, Embedding.vector)).order_by(Idea.id)
    ).all()
    keys = [("idea", r.id) for r in rows]
    texts = [f"{r.title}. {r.body}".strip() for r in rows]
    feedback = db.session.execute(
        select(FeedbackItem.id, FeedbackItem.text, Embedding.vector)
        .join(
            Embedding,
            (Embedding.item_type == "feedback") & (Embedding.item_id == FeedbackItem.id),
        )
        .where(Embedding.model == MODEL_NAME)
        .order_by(FeedbackItem.id)
    ).all()
    keys += [("feedback", r.id) for r in feedback]
    texts += [r.text for r in feedback]
    rows = [*rows, *feedback]
    vectors = (
        np.vstack([np.frombuffer(r.vector, dtype="<f4") for r in rows])
        if rows
        else np.zeros((0, 384), dtype=np.float32)
    )
    return Corpus(keys, texts, vectors)


def _normalise(v: np.ndarray) -> np.ndarray:
    return (v / max(float(np.linalg.norm(v)), 1e-12)).astype(np.float32)


def match_topics(
    new_centroids: np.ndarray, old_centroids: np.ndarray, threshold: float = KEEP_SIMILARITY
) -> dict[int, int]:
    """Map new topic index -> old theme index, one-to-one, most similar pairs first."""
    if len(new_centroids) == 0 or len(old_centroids) == 0:
        return {}
    from scipy.optimize import linear_sum_assignment

    similarity = new_centroids @ old_centroids.T
    # Pairs below the threshold must not steer the assignment (else a strong pair can be
    # traded for two weak ones that are then both dropped).
    eligible = np.where(similarity >= threshold, similarity, 0.0)
    rows, cols = linear_sum_assignment(-eligible)
    return {
        int(r): int(c) for r, c in zip(rows, cols, strict=True) if similarity[r, c] >= threshold
    }


def map_onto_themes(topics: list, old_keys: list[int], old_centroids: np.ndarray) -> dict[int, int]:
    """Map new topic index -> old theme index, one-to-one.

    A topic that continues a theme (``Topic.previous``: it holds most of that theme's
    items) keeps it; the other topics are matched by centroid (:func:`match_topics`) to the
    themes left.
    """
    position = {key: i for i, key in enumerate(old_keys)}
    mapping = {
        i: position[t.previous]
        for i, t in enumerate(topics)
        if getattr(t, "previous", None) in position
    }
    taken = set(mapping.values())
    rest_new = [i for i in range(len(topics)) if i not in mapping]
    rest_old = [j for j in range(len(old_keys)) if j not in taken]
    if rest_new and rest_old:
        new = np.vstack([_normalise(topics[i].centroid) for i in rest_new])
        extra = match_topics(new, np.asarray(old_centroids)[rest_old])
        mapping.update({rest_new[a]: rest_old[b] for a, b in extra.items()})
    return mapping


def refit(progress: Callable[[float, str], None] | None = None, fit=None) -> TopicFit:
    """Fit themes on every current item and map them onto stable theme ids."""
    progress = progress or (lambda *_: None)
    fit = fit or pipeline.fit_topics
    corpus = load_corpus()
    record = TopicFit(n_items=len(corpus.keys))
    if len(corpus.keys) < results.MIN_ITEMS:
        db.session.add(record)
        record.message = (
            f"{len(corpus.keys)} items so far; themes need at least {results.MIN_ITEMS} "
            "before clustering means anything."
        )
        db.session.flush()
        return record
    progress(0.05, f"clustering {len(corpus.keys)} items")
    options = {}
    if fit is pipeline.fit_topics:
        # Above this many items a sample is fitted and the rest placed (None: the default).
        options["sample_above"] = current_app.config.get("THEMES_SAMPLE_ABOVE")
        # The themes items have now: the fit keeps those the data still supports.
        options["previous"] = _previous_themes(corpus)
    result = fit(
        corpus.texts,
        corpus.vectors,
        progress=lambda f, m: progress(0.05 + 0.85 * f, m),
        **options,
    )
    # Progress is reported only up to here: from now on this transaction writes.
    progress(0.95, "mapping topics onto themes")
    db.session.add(record)

    themes = list(db.session.scalars(select(Theme).order_by(Theme.id)))
    old = (
        np.vstack([t.centroid_array() for t in themes])
        if themes
        else np.zeros((0, 384), dtype=np.float32)
    )
    mapping = map_onto_themes(result.topics, [t.id for t in themes], old)
    now = utcnow()
    by_id = {t.id: t for t in themes}
    topic_theme: dict[int, Theme] = {}
    # A topic that maps onto a merged theme sends its items to the theme it was merged
    # into; the merged theme keeps tracking the topic (its centroid) but stays merged.
    through_merge: list[tuple[Theme, object]] = []
    for index, topic in enumerate(result.topics):
        theme = themes[mapping[index]] if index in mapping else None
        centroid = _normalise(topic.centroid).astype("<f4").tobytes()
        if theme is not None and theme.status is ThemeStatus.merged:
            theme.centroid = centroid
            theme.updated_at = now
            target = merge_target(theme, by_id)
            if target is not None:
                record.kept += 1
                through_merge.append((target, topic))
                topic_theme[topic.key] = target
                continue
            theme = None  # a broken merge chain: treat the topic as new
        if theme is None:
            theme = Theme(created_at=now)
            db.session.add(theme)
            record.created += 1
        else:
            record.kept += 1
        _describe(theme, topic, corpus, now)
        theme.centroid = centroid
        topic_theme[topic.key] = theme
    described = {id(t) for t in topic_theme.values()} - {id(t) for t, _ in through_merge}
    for target, topic in through_merge:
        if id(target) not in described:  # found only through a merge: keep it alive
            _describe(target, topic, corpus, now)
            described.add(id(target))
    kept_ids = {id(t) for t in topic_theme.values()}
    for theme in themes:
        if id(theme) not in kept_ids and theme.status is ThemeStatus.active:
            theme.status = ThemeStatus.retired
            theme.retired_at = now
            record.retired += 1
    db.session.flush()

    _store_assignments(corpus, result.assignments, topic_theme, corpus.vectors)
    sizes = _recount_sizes()
    fitted = list({t.id: t for t in topic_theme.values()}.values())
    for theme in fitted:
        db.session.add(
            ThemeSnapshot(
                theme_id=theme.id, fit_id=record.id, size=sizes.get(theme.id, 0), label=theme.label
            )
        )
    record.n_themes = len(fitted)
    record.outlier_share = float(result.outlier_share)
    record.seconds = float(result.seconds)
    db.session.flush()
    return record


def _previous_themes(corpus: Corpus) -> np.ndarray:
    """Per corpus item, the id of the active theme it is in now (-1: none yet)."""
    rows = db.session.execute(
        select(ThemeItem.item_type, ThemeItem.item_id, ThemeItem.theme_id)
        .join(Theme, Theme.id == ThemeItem.theme_id)
        .where(Theme.status == ThemeStatus.active)
    ).all()
    current = {(r.item_type, r.item_id): r.theme_id for r in rows}
    return np.array([current.get(key, -1) for key in corpus.keys], dtype=np.int64)


def _describe(theme: Theme, topic, corpus: Corpus, now) -> None:
    """Take a fitted topic's name (`label`), keywords and representatives; the theme is
    active. A staff name (`Theme.name`) is never touched: it keeps winning."""
    theme.label = topic.label[:200]
    theme.top_words = list(topic.top_words)
    theme.representative = [
        {"type": corpus.keys[i][0], "id": corpus.keys[i][1]} for i in topic.representative
    ]
    theme.status = ThemeStatus.active
    theme.retired_at = None
    theme.updated_at = now


def _store_assignments(
    corpus: Corpus, assignments, topic_theme: dict[int, Theme], vectors: np.ndarray
) -> None:
    current = set(corpus.keys)
    staff = set()
    for row in db.session.scalars(select(ThemeItem).where(ThemeItem.source == "staff")):
        if (row.item_type, row.item_id) in current:
            staff.add((row.item_type, row.item_id))
        else:  # the item left the corpus (withdrawn, hidden, merged): it leaves its theme
            db.session.delete(row)
    db.session.flush()
    # Only the fitted items' rows: items embedded while the fit ran keep their placement.
    for item_type in {key[0] for key in corpus.keys}:
        ids = [key[1] for key in corpus.keys if key[0] == item_type]
        for start in range(0, len(ids), 500):
            db.session.execute(
                delete(ThemeItem).where(
                    ThemeItem.source != "staff",
                    ThemeItem.item_type == item_type,
                    ThemeItem.item_id.in_(ids[start : start + 500]),
                )
            )
    now = utcnow()
    for (item_type, item_id), topic_key, vector in zip(
        corpus.keys, assignments, vectors, strict=True
    ):
        if (item_type, item_id) in staff:
            continue
        theme = topic_theme.get(int(topic_key))
        similarity = float(vector @ theme.centroid_array()) if theme is not None else 0.0
        db.session.add(
            ThemeItem(
                item_type=item_type,
                item_id=item_id,
                theme_id=theme.id if theme else None,
                source="fit",
                similarity=similarity,
                updated_at=now,
            )
        )
    db.session.flush()


def _recount_sizes() -> dict[int, int]:
    counts = dict(
        db.session.execute(
            select(ThemeItem.theme_id, func.count())
            .where(ThemeItem.theme_id.is_not(None))
            .group_by(ThemeItem.theme_id)
        ).all()
    )
    for theme in db.session.scalars(select(Theme)):
        theme.size = counts.get(theme.id, 0)
    return counts
