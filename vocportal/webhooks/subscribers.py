"""Webhook deliveries for the ideas' domain events, queued in the caller's transaction."""

from __future__ import annotations

from vocportal.accounts.models import User
from vocportal.ideas import events
from vocportal.ideas.models import Comment, Idea, StatusChange
from vocportal.webhooks import operations as webhooks
from vocportal.webhooks.models import WebhookEvent


def on_idea_created(idea: Idea, **_: object) -> None:
    webhooks.emit(WebhookEvent.idea_created, webhooks.idea_payload(idea))


def on_status_changed(idea: Idea, *, change: StatusChange, **_: object) -> None:
    if idea.moderation is not None:  # never announced yet (approval sends idea_created)
        return
    webhooks.emit(WebhookEvent.status_changed, webhooks.status_payload(idea, change))


def on_comment_added(idea: Idea, *, actor: User, comment: Comment, **_: object) -> None:
    if idea.moderation is not None:  # a staff comment on an idea moderation holds
        return
    webhooks.emit(WebhookEvent.comment_created, webhooks.comment_payload(comment))


def connect() -> None:
    events.idea_created.connect(on_idea_created)
    events.status_changed.connect(on_status_changed)
    events.comment_added.connect(on_comment_added)
