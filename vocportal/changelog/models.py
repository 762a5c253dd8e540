"""Changelog entries and the ideas each one shipped."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from vocportal.accounts.models import User
from vocportal.extensions import db
from vocportal.ideas.models import Idea
from vocportal.timeutil import utcnow

changelog_ideas = Table(
    "changelog_ideas",
    db.metadata,
    Column("entry_id", ForeignKey("changelog_entries.id", ondelete="CASCADE"), primary_key=True),
    Column("idea_id", ForeignKey("ideas.id", ondelete="CASCADE"), primary_key=True),
)


class ChangelogEntry(db.Model):
    __tablename__ = "changelog_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(160))
    #: Markdown as staff wrote it, and its sanitised HTML.
    body: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    published_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    author: Mapped[User] = relationship(lazy="joined")
    #: The ideas this release shipped; publishing marked them shipped.
    ideas: Mapped[list[Idea]] = relationship(
        secondary=changelog_ideas, lazy="selectin", order_by=Idea.id
    )
