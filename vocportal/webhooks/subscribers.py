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
from vocportal.questions import events as question_events
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


def on_answer_received(question, *, actor: User, answer, idea, feedback_item, **_) -> None:
    board_id = idea.board_id if idea is not None else None
    if board_id is None and feedback_item is not None and feedback_item.idea_id is not None:
        board_id = db.session.get(Idea, feedback_item.idea_id).board_id
    data = webhooks.answer_payload(question, answer, actor, idea, feedback_item)
    webhooks.emit(WebhookEvent.answer_received, data, board_id=board_id)


def on_weekly_report_ready(_sender, *, report_id, week_start, figures, path, **_) -> None:
    """Reports sit above webhooks in the layers, so the application factory connects this
    to `vocportal.reports.events.weekly_report_ready` (plain values, no report import)."""
    data = webhooks.report_payload(report_id, week_start, figures, path)
    webhooks.emit(WebhookEvent.weekly_report, data, any_board=True)


def connect() -> None:
    events.idea_created.connect(on_idea_created)
    events.status_changed.connect(on_status_changed)
    events.comment_added.connect(on_comment_added)
    feedback_events.feedback_received.connect(on_feedback_received)
    question_events.answer_received.connect(on_answer_received)
