"""Questions staff ask customers, and the customers' answers (with the channel they came by)."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, Enum, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from vocportal.accounts.models import User
from vocportal.extensions import db
from vocportal.timeutil import utcnow


class Addressees(enum.Enum):
    """Whom a question is put to."""

    #: The idea's author, or the feedback item's sender.
    author = "author"
    #: Everyone asking for the idea (`vocportal.audience.Audience.question_supporters`).
    supporters = "supporters"

    @property
    def label(self) -> str:
        return "its author" if self is Addressees.author else "every supporter"


class AnswerChannel(enum.Enum):
    """How an answer reached the portal."""

    page = "page"  #: the answer form on the portal's page, logged in
    link = "link"  #: the signed reply link from the email (no login)
    email = "email"  #: a reply to the question's email, through the inbound-email webhook

    @property
    def label(self) -> str:
        return {"page": "on the page", "link": "by reply link", "email": "by email"}[self.value]


class Question(db.Model):
    """A staff member's question about one idea or one feedback item."""

    __tablename__ = "questions"
    __table_args__ = (
        CheckConstraint("(idea_id IS NULL) <> (feedback_item_id IS NULL)", name="one_subject"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: What it is about: an idea, or a feedback item (exactly one of the two).
    idea_id: Mapped[int | None] = mapped_column(
        ForeignKey("ideas.id", ondelete="CASCADE"), index=True
    )
    feedback_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("feedback_items.id", ondelete="CASCADE"), index=True
    )
    #: The staff member who asked; answers reach them.
    asker_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    addressees: Mapped[Addressees] = mapped_column(
        Enum(Addressees, name="question_addressees", native_enum=False, length=16)
    )
    #: Markdown as staff wrote it, and its sanitised HTML.
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    #: When the first answer came (NULL: unanswered; the idea "needs info" while any of its
    #: questions is unanswered and not closed).
    answered_at: Mapped[datetime | None] = mapped_column(index=True)
    #: Staff closed it without an answer (it no longer makes the idea "need info").
    closed_at: Mapped[datetime | None]

    asker: Mapped[User] = relationship(lazy="joined")
    answers: Mapped[list[Answer]] = relationship(
        back_populates="question", order_by="Answer.id", cascade="all, delete-orphan"
    )

    @property
    def is_open(self) -> bool:
        return self.answered_at is None and self.closed_at is None


class Answer(db.Model):
    """A customer's answer to a question, tagged with the channel it came by."""

    __tablename__ = "answers"
    #: An inbound email sent twice (its Message-ID) is stored once.
    __table_args__ = (UniqueConstraint("question_id", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    channel: Mapped[AnswerChannel] = mapped_column(
        Enum(AnswerChannel, name="answer_channel", native_enum=False, length=8)
    )
    #: The answer as written (an email reply without its quoted history and signature),
    #: and its sanitised HTML.
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    #: An email's Message-ID (NULL for the other channels).
    external_id: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    question: Mapped[Question] = relationship(back_populates="answers")
    author: Mapped[User] = relationship(lazy="joined")
