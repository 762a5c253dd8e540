"""Similar ideas: what a customer sees while typing a new idea, related ideas on an idea
page, and possible duplicates for staff.

Each web process keeps an in-process vector index of every idea's stored embedding and
catches up with new rows on each look-up (embedding ids only grow; a re-embedded idea gets
a new row). The index serves SQLite and PostgreSQL alike; see the README for why.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import timedelta

import numpy as np
from flask import current_app
from sqlalchemy import select

from vocportal.embeddings.index import VectorIndex
from vocportal.embeddings.model import DIMENSIONS, MODEL_NAME
from vocportal.embeddings.models import Embedding
from vocportal.extensions import db
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


@dataclass(frozen=True)
class SimilarIdea:
    idea: Idea
    similarity: float


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
        state["index"] = IdeaIndex()
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
    `vector` (e.g. a feedback item's), best first.

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
        from vocportal.embeddings.model import embed

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
        if (
            candidate is None
            or not candidate.is_public
            or candidate.status is IdeaStatus.duplicate
            or not can_see(viewer, candidate)
        ):
            continue
        found.append(SimilarIdea(candidate, float(score)))
        if len(found) == limit:
            break
    return found
