"""Feedback items: customer voice from any channel, with who said it and where it came from."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Enum, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from vocportal.accounts.models import User
from vocportal.extensions import db
from vocportal.timeutil import utcnow


class FeedbackSource(enum.Enum):
    widget = "widget"  #: the embeddable widget on a customer's site
    email = "email"  #: the inbound-email webhook
    api = "api"  #: POST /api/v1/feedback
    csv = "csv"  #: CSV import (command or upload)
    portal = "portal"  #: typed in by staff in the portal
    support = "support"  #: a support tool, via the API with this source

    @property
    def label(self) -> str:
        return {"csv": "CSV import", "api": "API"}.get(self.value, self.value.capitalize())


class FeedbackItem(db.Model):
    __tablename__ = "feedback_items"
    __table_args__ = (UniqueConstraint("source", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    source: Mapped[FeedbackSource] = mapped_column(
        Enum(FeedbackSource, name="feedback_source", native_enum=False, length=16)
    )
    #: Identifies the item within its source (a CSV row's id or content hash, an email's
    #: Message-ID, an API client's id): the same item sent twice is stored once.
    external_id: Mapped[str] = mapped_column(String(200))
    #: The person who said it: an account, or a contact created from their email.
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    #: Their company when it arrived (people can move; the feedback stays with the company).
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id"), index=True)
    #: When the customer said it (from the source), and when the portal stored it.
    received_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: What the channel sent, as sent.
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    #: The idea staff linked it to: demand for that idea, and its author hears its updates.
    idea_id: Mapped[int | None] = mapped_column(
        ForeignKey("ideas.id", ondelete="SET NULL"), index=True
    )
    linked_at: Mapped[datetime | None]
    linked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    author: Mapped[User] = relationship(foreign_keys=[author_id], lazy="joined")
