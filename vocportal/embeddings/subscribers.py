"""A new or edited idea is (re-)embedded by a job queued after the caller's commit; an
idea's page shows the ideas most like it; the search box finds ideas by meaning."""

from __future__ import annotations

from vocportal.accounts.models import User
from vocportal.embeddings.operations import enqueue_idea_embedding
from vocportal.embeddings.similar import DUPLICATE_SIMILARITY, search_by_meaning, similar_ideas
from vocportal.ideas import events, hybrid, page
from vocportal.ideas.models import Idea


def on_idea_text_changed(idea: Idea, **_: object) -> None:
    if idea.moderation is not None:  # embedded once approved (approval sends idea_created)
        return
    enqueue_idea_embedding(idea)


def related_ideas(idea: Idea, *, viewer: User | None, **_: object) -> dict:
    """The idea page's "related ideas" (and, for staff, which look like duplicates)."""
    return {
        "related": similar_ideas(viewer, idea=idea, limit=5),
        "duplicate_similarity": DUPLICATE_SIMILARITY,
    }


def ideas_by_meaning(q: str, *, limit: int, **_: object) -> list[tuple[int, float]] | None:
    """The search box's semantic ranking (None while the model loads in this process)."""
    return search_by_meaning(q, limit=limit)


def connect() -> None:
    events.idea_created.connect(on_idea_text_changed)
    events.idea_edited.connect(on_idea_text_changed)
    page.idea_page.connect(related_ideas)
    hybrid.search_by_meaning.connect(ideas_by_meaning)
