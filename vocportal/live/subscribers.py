"""What open pages hear about, in answer to the ideas' and the bell's events.

A vote or a status update changes what every page showing the idea displays; hiding an idea
(or showing it again) is noted too, so the message read after the commit says what is true
then (nothing, for an idea no longer public). A changed bell is noted for its people.
Nothing is published before the transaction commits (see `publish`).
"""

from __future__ import annotations

from vocportal.ideas import events
from vocportal.ideas.models import Idea
from vocportal.live import publish
from vocportal.notifications import events as bell_events


def on_idea_changed(idea: Idea, **_: object) -> None:
    publish.note_idea(idea.id)


def on_merge(idea: Idea, *, target: Idea, **_: object) -> None:
    """A merge moves the duplicate's votes to the target (an unmerge moves them back)."""
    publish.note_idea(idea.id)
    publish.note_idea(target.id)


def on_bell_changed(_sender: object, *, user_ids: list[int], **_: object) -> None:
    publish.note_bell(user_ids)


def connect() -> None:
    for signal in (events.vote_changed, events.status_changed, events.idea_hidden):
        signal.connect(on_idea_changed)
    events.idea_merged.connect(on_merge)
    events.idea_unmerged.connect(on_merge)
    bell_events.bell_changed.connect(on_bell_changed)
    publish.register_publish_hooks()
