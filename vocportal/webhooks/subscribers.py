"""Webhook deliveries for the ideas' and feedback's domain events, queued in the caller's
transaction."""

from __future__ import annotations

from sqlalchemy import select

from vocportal.accounts.models import User
from vocportal.extensions import db
from vocportal.feedback import events as feedback_events
from vocportal.feedback.models import FeedbackItem, FeedbackSource
from vocportal.ideas import events
from vocportal.ideas.models import Comment, Idea, StatusChange
from vocportal.webhooks import operations as webhooks
from vocportal.webhooks.models import WebhookEvent


def on_idea_created(idea: Idea, **_: object) -> None:
    webhooks.emit(WebhookEvent.idea_created, webhooks.idea_payload(idea), board_id=idea.board_id)


def on_status_changed(idea: Idea, *, change: StatusChange, **_: object) -> None:
    if idea.moderation is not None:  # never announced yet (approval sends idea_created)
        return
    webhooks.emit(
        WebhookEvent.status_changed, webhooks.status_payload(idea, change), board_id=idea.board_id
    )


def on_comment_added(idea: Idea, *, actor: User, comment: Comment, **_: object) -> None:
    if idea.moderation is not None:  # a staff comment on an idea moderation holds
        return
    webhooks.emit(
        WebhookEvent.comment_created, webhooks.comment_payload(comment), board_id=idea.board_id
    )


def on_feedback_received(source: FeedbackSource, *, item_ids: list[int], **_: object) -> None:
    # An import can bring 100,000 items: load them and build payloads only for a listener.
    # The endpoints are looked up once for the whole batch.
    targets = webhooks.endpoints_for(WebhookEvent.feedback_created) if item_ids else []
    if not targets:
        return
    rows = db.session.execute(
        select(FeedbackItem, Idea.board_id)
        .outerjoin(Idea, Idea.id == FeedbackItem.idea_id)
        .where(FeedbackItem.id.in_(item_ids))
    )
    for item, board_id in rows:
        payload = webhooks.feedback_payload(item)
        webhooks.emit(WebhookEvent.feedback_created, payload, targets, board_id=board_id)


def connect() -> None:
    events.idea_created.connect(on_idea_created)
    events.status_changed.connect(on_status_changed)
    events.comment_added.connect(on_comment_added)
    feedback_events.feedback_received.connect(on_feedback_received)
