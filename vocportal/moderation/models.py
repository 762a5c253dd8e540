"""One review per screened post: why it was held or flagged, its spam signals, the decision."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Enum, ForeignKey, Index, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from vocportal.accounts.models import User
from vocportal.extensions import db
from vocportal.ideas.models import Comment, Idea
from vocportal.timeutil import utcnow


class ReviewState(enum.Enum):
    """Where a review stands; `held` and `flagged` make the staff queue."""

    #: The post waits unpublished (its author sees "awaiting review").
    held = "held"
    #: The post is published, but a spam signal asks staff to look at it.
    flagged = "flagged"
    #: Staff published it (held) or found it fine (flagged).
    approved = "approved"
    #: Staff took it off the board; `reason` went to its author.
    rejected = "rejected"


OPEN_STATES = (ReviewState.held, ReviewState.flagged)


class ModerationReview(db.Model):
    """A post that moderation held or a spam signal flagged, and what staff decided."""

    __tablename__ = "moderation_reviews"
    __table_args__ = (Index("ix_moderation_reviews_open", "state", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The idea, or the idea the comment is on.
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), index=True)
    #: The comment under review; NULL when the review is about the idea itself.
    comment_id: Mapped[int | None] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    state: Mapped[ReviewState] = mapped_column(
        Enum(ReviewState, name="review_state", native_enum=False, length=16)
    )
    #: Why it was held or flagged, one short phrase each ("honeypot field filled", ...).
    reasons: Mapped[list] = mapped_column(JSON, default=list)
    #: The spam signals as measured: the hidden honeypot field was filled in...
    honeypot: Mapped[bool] = mapped_column(default=False)
    #: ...seconds between the form being shown and sent (NULL: no valid form stamp)...
    seconds_to_submit: Mapped[float | None]
    #: ...and links (http(s) URLs, www. addresses, Markdown links) in the text.
    link_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: Why staff rejected it, as its author was told.
    reason: Mapped[str] = mapped_column(Text, default="")

    idea: Mapped[Idea] = relationship()
    comment: Mapped[Comment | None] = relationship()
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    @property
    def target_type(self) -> str:
        return "comment" if self.comment_id is not None else "idea"

    @property
    def target_id(self) -> int:
        return self.comment_id if self.comment_id is not None else self.idea_id
