"""Staff answering in public (a status update or a comment) takes an idea out of the inbox
and counts as its first response."""

from __future__ import annotations

from vocportal.accounts.models import User
from vocportal.ideas import events
from vocportal.ideas.models import Idea
from vocportal.ideas.operations import mark_triaged


def on_public_answer(idea: Idea, *, actor: User, **_: object) -> None:
    mark_triaged(actor, idea, responded=True)


def connect() -> None:
    events.status_changed.connect(on_public_answer)
    events.comment_added.connect(on_public_answer)
