"""Similar ideas: what a customer sees while typing a new idea, related ideas on an idea
page, and possible duplicates for staff.

Each web process keeps an in-process vector index of every idea's stored embedding and
catches up with new rows on each look-up (embedding ids only grow; a re-embedded idea gets
a new row). The index serves SQLite and PostgreSQL alike; see the README for why.

While the model is still loading in a web process (`vocportal.embeddings.warm`), what a
customer types is matched by keywords instead (`suggestions`), and the page says so.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass
from datetime import timedelta

import numpy as np
from flask import current_app
from sqlalchemy import func, select

from vocportal.embeddings.encoder import DIMENSIONS, MODEL_NAME
from vocportal.embeddings.index import VectorIndex
from vocportal.embeddings.models import Embedding
from vocportal.extensions import db
from vocportal.ideas import hybrid
from vocportal.ideas.models import Idea, IdeaStatus
from vocportal.ideas.operations import can_see
from vocportal.timeutil import utcnow

#: Below this cosine similarity a suggestion is noise, not a similar idea.
MIN_SIMILARITY = 0.45
#: From this similarity on, staff see the pair as a possible duplicate.
DUPLICATE_SIMILARITY = 0.80
#: How far back, and how often, the index re-reads rows that may have committed late.
LOOKBACK = timedelta(minutes=15)
LOOKBACK_EVERY = 30.0


#: Look-ups start once the title has this many characters.
MIN_TITLE_CHARS = 4
#: Words too common to suggest an idea by (SQLite's full-text search keeps them).
STOP_WORDS = hybrid.STOP_WORDS
#: Below this cosine similarity an idea is not a search result (a short query scores lower
#: than a whole idea typed in the new-idea form, so lower than MIN_SIMILARITY).
SEARCH_MIN_SIMILARITY = 0.35

_index_lock = threading.Lock()


@dataclass(frozen=True)
class SimilarIdea:
    idea: Idea
    #: Cosine similarity to what was typed (None for a keyword match).
    similarity: float | None


@dataclass(frozen=True)
class Suggestions:
    """What the new-idea form shows while someone types."""

    ideas: list[SimilarIdea]
    #: "semantic" (the model's) or "keyword" (full-text matches while the model loads).
    mode: str
    #: Whether better suggestions follow once the model is ready (the page asks again).
    pending: bool


class IdeaIndex:
    """The ideas' vectors, loaded incrementally from the embeddings table."""

    def __init__(self) -> None:
        self.index = VectorIndex(DIMENSIONS)
        self.last_row_id = 0
        self.next_lookback = 0.0
        self._lock = threading.Lock()

    def refresh(self) -> None:
        """Load embedding rows newer than the last one seen.

        On PostgreSQL, ids from a sequence can commit out of order (a long job took a low
        id and committed late), so every LOOKBACK_EVERY seconds the rows created in the
        last LOOKBACK are read again too; upserting a row twice is harmless.
        """
        with self._lock:
            condition = Embedding.id > self.last_row_id
            if time.monotonic() >= self.next_lookback:
                condition = condition | (Embedding.created_at >= utcnow() - LOOKBACK)
                self.next_lookback = time.monotonic() + LOOKBACK_EVERY
            elif (db.session.scalar(select(func.max(Embedding.id))) or 0) <= self.last_row_id:
                # Nothing new (the usual case): the primary key says so at once, where the
                # query below walks the (item_type, ...) index: 18 ms at 100,000 on SQLite.
                return
            rows = db.session.execute(
                select(Embedding.id, Embedding.item_id, Embedding.vector)
                .where(Embedding.item_type == "idea", Embedding.model == MODEL_NAME, condition)
                .order_by(Embedding.id)
            ).all()
            if not rows:
                return
            vectors = np.vstack([np.frombuffer(r.vector, dtype="<f4") for r in rows])
            self.index.upsert([r.item_id for r in rows], vectors)
            self.last_row_id = max(self.last_row_id, rows[-1].id)


def idea_index() -> IdeaIndex:
    state = current_app.extensions.setdefault("vocportal_idea_index", {})
    if "index" not in state:
        with _index_lock:  # the warm-up thread and a look-up may both get here first
            state.setdefault("index", IdeaIndex())
    index = state["index"]
    index.refresh()
    return index


def _stored_vector(idea: Idea) -> np.ndarray | None:
    vector = db.session.scalar(
        select(Embedding.vector).where(
            Embedding.item_type == "idea",
            Embedding.item_id == idea.id,
            Embedding.model == MODEL_NAME,
        )
    )
    return None if vector is None else np.frombuffer(vector, dtype="<f4")


def similar_ideas(
    viewer,
    *,
    text: str | None = None,
    idea: Idea | None = None,
    vector=None,
    limit: int = 5,
    min_similarity: float = MIN_SIMILARITY,
) -> list[SimilarIdea]:
    """Ideas most like `text` (embedded now), `idea` (its stored vector) or a given
    `vector` (e.g. a feedback item's), most similar first.

    Only ideas the viewer may see, never merged duplicates, and never `idea` itself.
    """
    exclude: set[int] = set()
    if vector is not None:
        pass
    elif idea is not None:
        vector = _stored_vector(idea)
        exclude.add(idea.id)
        if vector is None:
            return []  # not embedded yet
    else:
        if not text or not text.strip():
            return []
        from vocportal.embeddings.encoder import embed

        vector = embed([text.strip()])[0]
    hits = idea_index().index.similar(vector, k=limit * 4, exclude=exclude)
    hits = [(idea_id, score) for idea_id, score in hits if score >= min_similarity]
    if not hits:
        return []
    ideas = {
        i.id: i for i in db.session.scalars(select(Idea).where(Idea.id.in_([h[0] for h in hits])))
    }
    found = []
    for idea_id, score in hits:
        candidate = ideas.get(idea_id)
        if not _suggestible(viewer, candidate):
            continue
        found.append(SimilarIdea(candidate, float(score)))
        if len(found) == limit:
            break
    # The re-ranking picks which ideas are shown; people read them as a list by the
    # similarity printed beside each, so that is the order (precision@5 is unchanged).
    found.sort(key=lambda s: s.similarity, reverse=True)
    return found


def _suggestible(viewer, candidate: Idea | None) -> bool:
    return (
        candidate is not None
        and candidate.is_public
        and candidate.status is not IdeaStatus.duplicate
        and can_see(viewer, candidate)
    )


def keyword_ideas(viewer, text: str, limit: int = 5) -> list[SimilarIdea]:
    """Ideas sharing words with `text` (any of them; common words ignored), best first,
    from the full-text search: what `suggestions` shows until the model is ready."""
    from vocportal.ideas.search import ranked_matches

    words = [w for w in re.findall(r"\w+", text.lower()) if w not in STOP_WORDS and len(w) > 1]
    matches = ranked_matches(" ".join(words), any_word=True) if words else None
    if matches is None:
        return []
    ranked = matches.subquery()
    rows = db.session.execute(
        select(Idea)
        .join(ranked, ranked.c.idea_id == Idea.id)
        .where(Idea.status != IdeaStatus.duplicate)
        .order_by(ranked.c.rank, Idea.id.desc())
        .limit(limit * 4)
    ).scalars()
    found = [SimilarIdea(i, None) for i in rows if _suggestible(viewer, i)]
    return found[:limit]


def suggestions(viewer, title: str, body: str = "") -> Suggestions:
    """Existing ideas like the one being typed, for the new-idea form.

    The model's suggestions once it is loaded in this process; before that, keyword matches
    marked `pending` while the model loads in the background (see vocportal.embeddings.warm;
    with SIMILAR_WAIT_FOR_MODEL the look-up waits for the model instead).
    """
    from vocportal.embeddings.encoder import idea_text

    if len(title.strip()) < MIN_TITLE_CHARS:
        return Suggestions([], "semantic", pending=False)
    loading = model_loading()
    if loading is None:
        return Suggestions(
            similar_ideas(viewer, text=idea_text(title, body)), "semantic", pending=False
        )
    return Suggestions(keyword_ideas(viewer, title), "keyword", pending=not loading.failed)


def model_loading():
    """The background warm-up (started if need be) while the model is not loaded in this
    process; None when look-ups may embed now (it is loaded, or SIMILAR_WAIT_FOR_MODEL)."""
    from vocportal.embeddings import warm

    app = current_app._get_current_object()
    if warm.is_ready(app) or app.config["SIMILAR_WAIT_FOR_MODEL"]:
        return None
    loading = warm.start_warm_up(app)
    return None if loading.ready.is_set() else loading  # ready: finished between two looks


def search_by_meaning(q: str, *, limit: int) -> list[tuple[int, float]] | None:
    """The search box's semantic ranking: up to `limit` (idea id, cosine) pairs, best
    first, above SEARCH_MIN_SIMILARITY (any idea: the search applies visibility and
    filters); None while the model is not loaded in this process."""
    if model_loading() is not None:
        return None
    index = idea_index().index
    if not len(index) or not q.strip():
        return []  # nothing embedded yet: no need to load the model
    from vocportal.embeddings.encoder import embed, idea_text

    hits = index.similar(embed([idea_text(q, "")])[0], k=limit)
    return [(idea_id, score) for idea_id, score in hits if score >= SEARCH_MIN_SIMILARITY]
