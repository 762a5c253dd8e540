"""A new or edited idea is (re-)embedded by a job queued after the caller's commit."""

from __future__ import annotations

from vocportal.embeddings.operations import enqueue_idea_embedding
from vocportal.ideas import events
from vocportal.ideas.models import Idea


def on_idea_text_changed(idea: Idea, **_: object) -> None:
    if idea.moderation is not None:  # embedded once approved (approval sends idea_created)
        return
    enqueue_idea_embedding(idea)


def connect() -> None:
    events.idea_created.connect(on_idea_text_changed)
    events.idea_edited.connect(on_idea_text_changed)
