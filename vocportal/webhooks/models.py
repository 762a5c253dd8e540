"""Webhook endpoints staff register, and every delivery attempt's outcome."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Enum, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from vocportal.extensions import db
from vocportal.timeutil import utcnow


class WebhookEvent(enum.Enum):
    idea_created = "idea.created"
    status_changed = "idea.status_changed"
    feedback_created = "feedback.created"
    comment_created = "comment.created"
    theme_alert = "theme.alert"
    answer_received = "question.answered"
    weekly_report = "report.weekly"


class WebhookFormat(enum.Enum):
    """What the body of a delivery looks like (see `vocportal.webhooks.chat`)."""

    json = "json"  #: the portal's signed JSON envelope (the default)
    slack = "slack"  #: a Slack incoming webhook: Block Kit blocks
    teams = "teams"  #: a Microsoft Teams connector: an Adaptive Card in its envelope
    discord = "discord"  #: a Discord webhook: one embed


class DeliveryStatus(enum.Enum):
    pending = "pending"  #: waiting for (another) attempt
    delivered = "delivered"  #: the receiver answered 2xx
    failed = "failed"  #: every attempt failed, or the target was refused


class WebhookEndpoint(db.Model):
    __tablename__ = "webhook_endpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(500))
    #: Shared secret for the HMAC-SHA256 signature header.
    secret: Mapped[str] = mapped_column(String(80))
    #: Event names it receives (WebhookEvent values).
    events: Mapped[list] = mapped_column(JSON, default=list)
    #: How each delivery's body is written: the generic JSON envelope or a chat message.
    format: Mapped[WebhookFormat] = mapped_column(
        Enum(WebhookFormat, name="webhook_format", native_enum=False, length=16),
        default=WebhookFormat.json,
    )
    #: Board ids whose ideas (and feedback linked to them) it hears about; empty: all boards.
    board_ids: Mapped[list] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WebhookDelivery(db.Model):
    """One event for one endpoint; its attempts are retried by RQ and logged here."""

    __tablename__ = "webhook_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    endpoint_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_endpoints.id", ondelete="CASCADE"), index=True
    )
    event: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[DeliveryStatus] = mapped_column(
        Enum(DeliveryStatus, name="webhook_delivery_status", native_enum=False, length=16),
        default=DeliveryStatus.pending,
    )
    attempts: Mapped[int] = mapped_column(default=0)
    #: The last attempt: HTTP status (None if no answer), the start of the body, the error.
    response_status: Mapped[int | None]
    response_body: Mapped[str] = mapped_column(Text, default="")
    error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_attempt_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]

    endpoint: Mapped[WebhookEndpoint] = relationship()
