"""Store embeddings of customer texts; find which texts need (re-)embedding."""

from __future__ import annotations

import hashlib

import numpy as np
from sqlalchemy import delete, select

from vocportal.embeddings.models import Embedding
from vocportal.extensions import db
from vocportal.ideas.models import Idea
from vocportal.queue import jobnames


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def current_embedding(item_type: str, item_id: int, model: str) -> Embedding | None:
    return db.session.scalar(
        select(Embedding).where(
            Embedding.item_type == item_type, Embedding.item_id == item_id, Embedding.model == model
        )
    )


def store_embedding(
    item_type: str, item_id: int, model: str, text: str, vector: np.ndarray
) -> Embedding:
    """Replace the item's vector for `model` with `vector` (a new row, so readers notice)."""
    db.session.execute(
        delete(Embedding).where(
            Embedding.item_type == item_type, Embedding.item_id == item_id, Embedding.model == model
        )
    )
    row = Embedding(
        item_type=item_type,
        item_id=item_id,
        model=model,
        dim=int(vector.shape[0]),
        vector=np.asarray(vector, dtype="<f4").tobytes(),
        text_hash=text_hash(text),
    )
    db.session.add(row)
    db.session.flush()
    return row


def ideas_missing_embeddings(model: str, limit: int | None = None) -> list[int]:
    """Ids of ideas with no vector from `model` (new ideas, or a changed model)."""
    have = select(Embedding.item_id).where(Embedding.item_type == "idea", Embedding.model == model)
    stmt = select(Idea.id).where(Idea.id.not_in(have)).order_by(Idea.id)
    if limit:
        stmt = stmt.limit(limit)
    return list(db.session.scalars(stmt))


def missing_embeddings(
    item_type: str, model_class, model: str, limit: int | None = None, after: int = 0
):
    """Ids above `after` of `item_type` rows (of `model_class`) with no vector from `model`.

    An anti-join on the embeddings' unique index that starts at `after`: a job working
    through a backlog passes its last id, so each batch does not rescan what is done."""
    have = (
        select(Embedding.id)
        .where(
            Embedding.item_type == item_type,
            Embedding.item_id == model_class.id,
            Embedding.model == model,
        )
        .exists()
    )
    stmt = select(model_class.id).where(model_class.id > after, ~have).order_by(model_class.id)
    if limit:
        stmt = stmt.limit(limit)
    return list(db.session.scalars(stmt))


def enqueue_idea_embedding(idea: Idea) -> None:
    """Queue (after commit) the job that embeds this idea's current text."""
    from vocportal.queue.operations import defer

    defer(
        "embed idea",
        jobnames.EMBED_IDEA,
        idea.id,
        queue="embeddings",
        # No dedupe key: a queued job merged with this one could start before this edit
        # commits and embed the old text. Repeats are cheap (an unchanged text is skipped).
        timeout=120,
    )
