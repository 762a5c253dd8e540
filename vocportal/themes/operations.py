"""Theme rules: refits that keep theme ids stable, placing new items, staff names.

A refit clusters every current item afresh (topic numbers from BERTopic mean nothing from
one fit to the next), starting from the themes items are in now (the fit keeps those the
data still supports, so 10% more items leave 90%+ of the others where they were). A topic
that holds most of a theme's items continues it; the other topics are matched to the
remaining themes by centroid cosine similarity with an optimal one-to-one assignment. A
matched theme keeps its id, staff name and history; an unmatched topic becomes a new theme;
an unmatched theme is retired.

Staff can merge one theme into another (a topic that maps onto the merged theme sends its
items to the theme it was merged into) and move an item by hand (source "staff": refits
leave it where staff put it).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from flask import current_app
from sqlalchemy import delete, func, insert, select, update

from vocportal.embeddings.model import MODEL_NAME
from vocportal.embeddings.models import Embedding
from vocportal.errors import OperationError, PermissionDenied
from vocportal.extensions import db
from vocportal.feedback.models import FeedbackItem
from vocportal.ideas.models import Idea, IdeaStatus
from vocportal.themes.models import Theme, ThemeItem, ThemeSnapshot, ThemeStatus, TopicFit
from vocportal.timeutil import utcnow

#: A new topic continues an existing theme when their centroids are at least this similar.
KEEP_SIMILARITY = 0.80
#: Between refits, a new item joins its nearest theme only when at least this similar
#: (on the demo corpus, 90% of items are at least this close to their own theme centroid).
PLACE_SIMILARITY = 0.40


@dataclass
class Corpus:
    keys: list[tuple[str, int]]  # (item_type, item_id)
    texts: list[str]
    vectors: np.ndarray


def _in_corpus(stmt):
    return stmt.join(
        Embedding, (Embedding.item_type == "idea") & (Embedding.item_id == Idea.id)
    ).where(
        Embedding.model == MODEL_NAME,
        Idea.withdrawn_at.is_(None),
        Idea.hidden_at.is_(None),
        Idea.status != IdeaStatus.duplicate,
    )


def load_corpus() -> Corpus:
    """Every current item with a vector: public ideas (not withdrawn, hidden or merged) and
    feedback from every channel."""
    rows = db.session.execute(
        _in_corpus(select(Idea.id, Idea.title, Idea.body, Embedding.vector)).order_by(Idea.id)
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


def min_items() -> int:
    from vocportal.themes.pipeline import MIN_ITEMS

    return MIN_ITEMS


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
    from vocportal.themes import pipeline

    progress = progress or (lambda *_: None)
    fit = fit or pipeline.fit_topics
    corpus = load_corpus()
    record = TopicFit(n_items=len(corpus.keys))
    if len(corpus.keys) < pipeline.MIN_ITEMS:
        db.session.add(record)
        record.message = (
            f"{len(corpus.keys)} items so far; themes need at least {pipeline.MIN_ITEMS} "
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


def merge_target(theme: Theme, by_id: dict[int, Theme] | None = None) -> Theme | None:
    """The theme a merged theme's items belong in now: the end of its merge chain.

    Return `theme` itself unless it is merged, and None for a broken chain (a loop or a
    missing theme), which merges never create.
    """
    seen = set()
    while theme.status is ThemeStatus.merged:
        if theme.id in seen or theme.merged_into_id is None:
            return None
        seen.add(theme.id)
        theme = (by_id or {}).get(theme.merged_into_id) or db.session.get(
            Theme, theme.merged_into_id
        )
        if theme is None:
            return None
    return theme


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


def place_item(item_type: str, item_id: int, vector: np.ndarray) -> Theme | None:
    """Between refits: put an item in its nearest active theme, or leave it unsorted."""
    row = db.session.get(ThemeItem, (item_type, item_id))
    if row is not None and row.source == "staff":
        return db.session.get(Theme, row.theme_id) if row.theme_id else None
    # Merged themes still know their topic (its centroid); what is nearest to one goes to
    # the theme it was merged into, never into the merged theme itself.
    themes = list(
        db.session.scalars(
            select(Theme).where(Theme.status.in_([ThemeStatus.active, ThemeStatus.merged]))
        )
    )
    by_id = {t.id: t for t in themes}
    best, best_similarity = None, -1.0
    for theme in themes:
        similarity = float(np.asarray(vector) @ theme.centroid_array())
        if similarity > best_similarity:
            best, best_similarity = theme, similarity
    if best is not None and best_similarity < PLACE_SIMILARITY:
        best = None
    if best is not None:
        best = merge_target(best, by_id)
        if best is not None and best.status is not ThemeStatus.active:
            best = None
    previous = row.theme_id if row is not None else None
    if row is None:
        row = ThemeItem(item_type=item_type, item_id=item_id)
        db.session.add(row)
    row.theme_id = best.id if best else None
    row.source = "nearest"
    row.similarity = best_similarity if best else 0.0
    row.updated_at = utcnow()
    db.session.flush()
    _shift_size(previous, row.theme_id)
    return best


def _shift_size(previous: int | None, current: int | None) -> None:
    """One item left `previous` for `current`: atomic, so concurrent jobs lose no counts."""
    if previous == current:
        return
    if previous is not None:
        db.session.execute(
            update(Theme).where(Theme.id == previous, Theme.size > 0).values(size=Theme.size - 1)
        )
    if current is not None:
        db.session.execute(update(Theme).where(Theme.id == current).values(size=Theme.size + 1))


def place_items(item_type: str, ids: list[int], vectors: np.ndarray) -> int:
    """Between refits: place many new items at once (one matrix product, not one query per
    item); staff placements stay. Return how many joined a theme."""
    if not ids:
        return 0
    themes = list(db.session.scalars(select(Theme).where(Theme.status == ThemeStatus.active)))
    staff = set(
        db.session.scalars(
            select(ThemeItem.item_id).where(
                ThemeItem.item_type == item_type,
                ThemeItem.item_id.in_(ids),
                ThemeItem.source == "staff",
            )
        )
    )
    if themes:
        scores = (
            np.asarray(vectors, dtype=np.float32)
            @ np.vstack([t.centroid_array() for t in themes]).T
        )
        best = scores.argmax(axis=1)
        best_score = scores[np.arange(len(ids)), best]
    now = utcnow()
    placed = 0
    movable = [i for i in ids if i not in staff]
    sizes: Counter = Counter()
    for old in db.session.scalars(
        delete(ThemeItem)
        .where(ThemeItem.item_type == item_type, ThemeItem.item_id.in_(movable))
        .returning(ThemeItem.theme_id)
    ):
        if old is not None:
            sizes[old] -= 1
    rows = []
    for n, item_id in enumerate(ids):
        if item_id in staff:
            continue
        theme = None
        if themes and best_score[n] >= PLACE_SIMILARITY:
            theme = themes[int(best[n])]
            sizes[theme.id] += 1
            placed += 1
        rows.append(
            {
                "item_type": item_type,
                "item_id": item_id,
                "theme_id": theme.id if theme else None,
                "source": "nearest",
                "similarity": float(best_score[n]) if theme else 0.0,
                "updated_at": now,
            }
        )
    if rows:
        db.session.execute(insert(ThemeItem), rows)
    for theme_id, change in sizes.items():  # atomic: concurrent jobs must not lose counts
        if change:
            db.session.execute(
                update(Theme).where(Theme.id == theme_id).values(size=Theme.size + change)
            )
    db.session.flush()
    return placed


def request_refresh(enqueue: bool = True):
    """Queue a theme refresh unless one is already waiting; return its job record."""
    from vocportal.queue.operations import defer

    return defer(
        "refresh themes",
        "jobs.topics.refresh_topics",
        queue="topics",
        dedupe_key=REFRESH_KEY,
        timeout=3600,
        attempts=2,
        enqueue=enqueue,
    )


REFRESH_KEY = "topics:refresh"


def refresh_job():
    """The theme refresh that is queued or running now, if any."""
    from vocportal.queue.models import ACTIVE_STATES, JobRecord

    return db.session.scalar(
        select(JobRecord)
        .where(JobRecord.dedupe_key == REFRESH_KEY, JobRecord.state.in_(ACTIVE_STATES))
        .order_by(JobRecord.id.desc())
        .limit(1)
    )


def corpus_size() -> int:
    """How many items a refit would cluster now (public ideas with a vector)."""
    return db.session.scalar(_in_corpus(select(func.count()).select_from(Idea))) or 0


def rename_theme(actor, theme: Theme, name: str) -> None:
    """Give a theme a staff name (empty: back to its automatic label); survives refits."""
    if not actor.is_staff:
        raise PermissionDenied()
    name = name.strip()
    if len(name) > 120:
        raise OperationError("Use at most 120 characters.", field="name")
    theme.name = name or None
    db.session.flush()


def active_themes() -> list[Theme]:
    return list(
        db.session.scalars(
            select(Theme)
            .where(Theme.status == ThemeStatus.active)
            .order_by(Theme.size.desc(), Theme.id)
        )
    )


def last_fit() -> TopicFit | None:
    return db.session.scalar(select(TopicFit).order_by(TopicFit.id.desc()).limit(1))


def theme_ideas(theme: Theme, limit: int = 200) -> list[Idea]:
    return list(
        db.session.scalars(
            select(Idea)
            .join(ThemeItem, (ThemeItem.item_type == "idea") & (ThemeItem.item_id == Idea.id))
            .where(ThemeItem.theme_id == theme.id)
            .order_by(Idea.vote_count.desc())
            .limit(limit)
        )
    )


def unsorted_count() -> int:
    return (
        db.session.scalar(
            select(func.count()).select_from(ThemeItem).where(ThemeItem.theme_id.is_(None))
        )
        or 0
    )


def representative_ideas(themes: list[Theme]) -> dict[int, Idea]:
    """The representative ideas of these themes, by id: one query."""
    ids = [r["id"] for t in themes for r in t.representative if r.get("type") == "idea"]
    if not ids:
        return {}
    return {i.id: i for i in db.session.scalars(select(Idea).where(Idea.id.in_(ids)))}


def theme_sections(theme: Theme) -> list[tuple[str, list]]:
    """A theme's items grouped by item type, for its page: [(item_type, items)]."""
    return [("idea", theme_ideas(theme)), ("feedback", theme_feedback(theme))]


def theme_feedback(theme: Theme, limit: int = 200) -> list[FeedbackItem]:
    return list(
        db.session.scalars(
            select(FeedbackItem)
            .join(
                ThemeItem,
                (ThemeItem.item_type == "feedback") & (ThemeItem.item_id == FeedbackItem.id),
            )
            .where(ThemeItem.theme_id == theme.id)
            .order_by(FeedbackItem.received_at.desc())
            .limit(limit)
        )
    )


# --- staff edits: merging themes, moving items ---------------------------------------------


def move_targets(theme: Theme | None = None) -> list[Theme]:
    """Active themes an item or theme can move into (all but `theme`), by name."""
    return sorted(
        (t for t in active_themes() if theme is None or t.id != theme.id),
        key=lambda t: (t.display_name.lower(), t.id),
    )


def _recount(*theme_ids: int) -> None:
    """Set these themes' sizes from their rows, in one atomic UPDATE."""
    counted = (
        select(func.count())
        .select_from(ThemeItem)
        .where(ThemeItem.theme_id == Theme.id)
        .scalar_subquery()
    )
    db.session.execute(
        update(Theme)
        .where(Theme.id.in_(theme_ids))
        .values(size=counted)
        .execution_options(synchronize_session=False)
    )
    for theme_id in theme_ids:
        theme = db.session.get(Theme, theme_id)
        if theme is not None:
            db.session.expire(theme, ["size"])


def merge_theme(actor, theme: Theme, into: Theme) -> None:
    """Merge `theme` into `into`: its items move there and refits keep it that way.

    The items keep their source (staff placements stay staff placements). The merged
    theme stays, with status merged, as the way later refits recognise its topic.
    """
    if not actor.is_staff:
        raise PermissionDenied()
    if theme.id == into.id:
        raise OperationError("A theme cannot be merged into itself.", field="target")
    if theme.status is ThemeStatus.merged:
        raise OperationError("This theme is already merged into another.")
    if into.status is not ThemeStatus.active:
        raise OperationError("Merge into an active theme.", field="target")
    now = utcnow()
    db.session.execute(
        update(ThemeItem)
        .where(ThemeItem.theme_id == theme.id)
        .values(theme_id=into.id, updated_at=now)
        .execution_options(synchronize_session="fetch")
    )
    # Themes merged into this one earlier now point at the end of the chain directly.
    db.session.execute(
        update(Theme)
        .where(Theme.merged_into_id == theme.id)
        .values(merged_into_id=into.id)
        .execution_options(synchronize_session="fetch")
    )
    theme.status = ThemeStatus.merged
    theme.merged_into_id = into.id
    theme.updated_at = now
    into.updated_at = now
    db.session.flush()
    _recount(theme.id, into.id)


#: Item type -> its model, for the items staff can move.
ITEM_MODELS = {"idea": Idea, "feedback": FeedbackItem}


def move_item(actor, item_type: str, item_id: int, into: Theme) -> ThemeItem:
    """Put an item in a theme by hand; refits leave it there."""
    if not actor.is_staff:
        raise PermissionDenied()
    model = ITEM_MODELS.get(item_type)
    if model is None or db.session.get(model, item_id) is None:
        raise OperationError("There is no such item.")
    if into.status is not ThemeStatus.active:
        raise OperationError("Move it into an active theme.", field="target")
    row = db.session.get(ThemeItem, (item_type, item_id))
    previous = row.theme_id if row is not None else None
    if row is None:
        row = ThemeItem(item_type=item_type, item_id=item_id)
        db.session.add(row)
    vector = db.session.scalar(
        select(Embedding.vector).where(
            Embedding.item_type == item_type,
            Embedding.item_id == item_id,
            Embedding.model == MODEL_NAME,
        )
    )
    row.theme_id = into.id
    row.source = "staff"
    row.similarity = (
        float(np.frombuffer(vector, dtype="<f4") @ into.centroid_array())
        if vector is not None
        else 0.0
    )
    row.updated_at = utcnow()
    db.session.flush()
    _shift_size(previous, into.id)
    return row


# --- representative quotes -----------------------------------------------------------------


@dataclass(frozen=True)
class Quote:
    """A representative item's own words, for a theme's page."""

    item_type: str
    item_id: int
    title: str
    text: str


def _idea_quotes(ids: list[int]) -> dict[int, Quote]:
    return {
        idea.id: Quote("idea", idea.id, idea.title, idea.body)
        for idea in db.session.scalars(select(Idea).where(Idea.id.in_(ids)))
    }


def _feedback_quotes(ids: list[int]) -> dict[int, Quote]:
    return {
        item.id: Quote("feedback", item.id, f"Feedback via {item.source.label}", item.text)
        for item in db.session.scalars(select(FeedbackItem).where(FeedbackItem.id.in_(ids)))
    }


#: Item type -> how to load its quotes by id.
QUOTE_LOADERS: dict[str, Callable[[list[int]], dict[int, Quote]]] = {
    "idea": _idea_quotes,
    "feedback": _feedback_quotes,
}


def representative_quotes(theme: Theme) -> list[Quote]:
    """The theme's representative items' text, in the fit's order (missing ones skipped)."""
    loaded: dict[str, dict[int, Quote]] = {}
    for item_type, loader in QUOTE_LOADERS.items():
        ids = [r["id"] for r in theme.representative if r.get("type") == item_type]
        loaded[item_type] = loader(ids) if ids else {}
    return [
        loaded[r["type"]][r["id"]]
        for r in theme.representative
        if r.get("id") in loaded.get(r.get("type"), {})
    ]
