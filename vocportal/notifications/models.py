"""The outbox of things to tell people, and one delivery row per (event, person, channel)."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from vocportal.accounts.models import User
from vocportal.extensions import db
from vocportal.timeutil import utcnow


class EventKind(enum.Enum):
    status_update = "status_update"  #: an idea's status changed (with a message)
    comment = "comment"  #: staff commented on an idea
    theme_alert = "theme_alert"  #: early warning: a theme jumped above its baseline (staff)
    moderation = "moderation"  #: staff rejected a held or flagged post (its author only)
    question = "question"  #: staff asked a question (its addressees: vocportal.questions)
    answer = "answer"  #: a customer answered a question (the asker and the item's owner)
    #: staff linked someone's feedback to an idea (its sender only; says if already planned)
    feedback_linked = "feedback_linked"


class Channel(enum.Enum):
    web = "web"  #: the bell in the portal
    email = "email"


class DeliveryState(enum.Enum):
    #: Email waiting to be sent (immediately); a send job claims it.
    pending = "pending"
    #: Claimed by a send job at `claimed_at`; sent or re-claimed when stale.
    sending = "sending"
    #: Waiting for the person's daily digest.
    digest = "digest"
    #: Delivered: in the bell (web rows start here) or accepted by the SMTP server.
    sent = "sent"
    #: Every attempt to send failed; `error` says why.
    failed = "failed"
    #: Not sent because the person opted out after it was queued.
    skipped = "skipped"


class NotificationEvent(db.Model):
    """Something to tell people: written in the same transaction as what caused it (the
    outbox), then fanned out to one Notification per recipient and channel by a job."""

    __tablename__ = "notification_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[EventKind] = mapped_column(
        Enum(EventKind, name="event_kind", native_enum=False, length=16)
    )
    idea_id: Mapped[int | None] = mapped_column(
        ForeignKey("ideas.id", ondelete="CASCADE"), index=True
    )
    status_change_id: Mapped[int | None] = mapped_column(ForeignKey("status_changes.id"))
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id"))
    theme_id: Mapped[int | None] = mapped_column(ForeignKey("themes.id"))
    #: The question asked or answered (question and answer events).
    question_id: Mapped[int | None] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), index=True
    )
    #: The feedback item a feedback_linked event tells its sender about.
    feedback_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("feedback_items.id", ondelete="CASCADE"), index=True
    )
    #: Who caused it; never notified about their own action.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: One line for the bell and the email subject.
    title: Mapped[str] = mapped_column(String(300))
    #: Plain text for the email body (the message as written, Markdown).
    text: Mapped[str] = mapped_column(Text, default="")
    #: Path inside the portal the notification links to ("/ideas/12#status-4").
    link: Mapped[str] = mapped_column(String(300), default="/")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Set once every recipient has its rows; until then the sweeper re-drives fan-out.
    fanned_out_at: Mapped[datetime | None] = mapped_column(index=True)
    recipient_count: Mapped[int] = mapped_column(default=0)

    actor: Mapped[User | None] = relationship()


class Notification(db.Model):
    """One delivery: this event, to this person, on this channel, exactly once."""

    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("event_id", "user_id", "channel"),
        Index("ix_notifications_inbox", "user_id", "channel", "id"),
        Index("ix_notifications_queue", "channel", "state", "event_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("notification_events.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    channel: Mapped[Channel] = mapped_column(
        Enum(Channel, name="notification_channel", native_enum=False, length=8)
    )
    state: Mapped[DeliveryState] = mapped_column(
        Enum(DeliveryState, name="delivery_state", native_enum=False, length=16)
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: When a send job claimed it; a claim older than the stale limit is re-driven.
    claimed_at: Mapped[datetime | None]
    #: When the bell showed it (web) or the SMTP server accepted it (email).
    sent_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    error: Mapped[str] = mapped_column(Text, default="")
    #: Web only: when the person marked it read (or opened it).
    read_at: Mapped[datetime | None]

    event: Mapped[NotificationEvent] = relationship(lazy="joined")
    user: Mapped[User] = relationship()

    #: Set on rows loaded for sending: the person muted the idea after it was queued.
    muted_since: bool = False
