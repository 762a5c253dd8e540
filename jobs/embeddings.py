"""Embedding jobs: one idea after it is posted or edited, or every idea lacking a vector."""

from __future__ import annotations

from sqlalchemy import select

from jobs.runtime import task
from vocportal.embeddings import encoder
from vocportal.embeddings import operations as ops
from vocportal.extensions import db
from vocportal.ideas.models import Idea
from vocportal.themes.placement import place_item, place_items
from vocportal.themes.refresh import request_refresh

#: Rows read, embedded and committed together. embed() sorts a call's texts by length before
#: batching them for the model: sorted within 256 BANKING77 texts the model sees 1.31 tokens
#: (padding included) per real token, within 64 texts 2.09, in arrival order 2.92.
BATCH = 256


@task
def embed_idea(idea_id: int, *, progress) -> str:
    """Embed the idea's current text (unless unchanged) and place it in its nearest theme."""
    idea = db.session.get(Idea, idea_id)
    if idea is None:
        return "gone"
    text = encoder.idea_text(idea.title, idea.body)
    existing = ops.current_embedding("idea", idea.id, encoder.MODEL_NAME)
    if existing is not None and existing.text_hash == ops.text_hash(text):
        return "unchanged"
    vector = encoder.embed([text])[0]
    ops.store_embedding("idea", idea.id, encoder.MODEL_NAME, text, vector)
    place_item("idea", idea.id, vector)
    return "embedded"


@task
def backfill(*, progress, batch_size: int = BATCH) -> int:
    """Embed every idea that has no vector from the current model."""
    ids = ops.ideas_missing_embeddings(encoder.MODEL_NAME)
    for start in range(0, len(ids), batch_size):
        batch = [db.session.get(Idea, i) for i in ids[start : start + batch_size]]
        texts = [encoder.idea_text(i.title, i.body) for i in batch]
        vectors = encoder.embed(texts)
        for idea, text, vector in zip(batch, texts, vectors, strict=True):
            ops.store_embedding("idea", idea.id, encoder.MODEL_NAME, text, vector)
            place_item("idea", idea.id, vector)
        # One commit per batch: on SQLite a 10,000-idea backfill must not hold the write
        # lock for minutes. A re-run only picks up ideas still missing a vector.
        db.session.commit()
        progress((start + len(batch)) / len(ids), f"{start + len(batch)} of {len(ids)} ideas")
    if ids:
        request_refresh()  # themes that include what was just embedded
    return len(ids)


@task
def embed_feedback(*, progress, batch_size: int = BATCH) -> int:
    """Embed every feedback item lacking a vector, in batches, and place each in its nearest
    theme; a large import is then refitted into themes by a queued refresh."""
    from vocportal.feedback.models import FeedbackItem

    done = last_id = 0
    total = len(ops.missing_embeddings("feedback", FeedbackItem, encoder.MODEL_NAME))
    while ids := ops.missing_embeddings(
        "feedback", FeedbackItem, encoder.MODEL_NAME, limit=batch_size, after=last_id
    ):
        last_id = ids[-1]
        items = db.session.scalars(
            select(FeedbackItem).where(FeedbackItem.id.in_(ids)).order_by(FeedbackItem.id)
        ).all()
        texts = [item.text for item in items]
        vectors = encoder.embed(texts)
        for item, text, vector in zip(items, texts, vectors, strict=True):
            ops.store_embedding("feedback", item.id, encoder.MODEL_NAME, text, vector)
        place_items("feedback", [item.id for item in items], vectors)
        db.session.commit()  # per batch, like backfill: a re-run picks up what is left
        done += len(items)
        progress(done / max(total, done, 1), f"{done} of {max(total, done)} feedback items")
    if done >= REFIT_AFTER:
        request_refresh()
    return done


#: A batch this large changes the picture enough to refit themes now, not at the next hour.
REFIT_AFTER = 500
