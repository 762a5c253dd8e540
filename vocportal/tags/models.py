"""Tags staff put on ideas and feedback, and the custom fields admins define per board.

This package sits below `ideas` in the layers: its tables name `ideas`, `boards` and
`feedback_items` by foreign key only, so ideas can read tags and fields without importing
upward.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, Enum, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from vocportal.extensions import db
from vocportal.timeutil import utcnow


class Tag(db.Model):
    """A label staff put on ideas and feedback items."""

    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40))
    #: Lower-case letters, digits and dashes: what `?tag=` filters name.
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    #: "#rrggbb".
    colour: Mapped[str] = mapped_column(String(7), default="#6b7280")
    #: Public tags are shown to customers (who can filter by them); internal ones only to staff.
    public: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class IdeaTag(db.Model):
    __tablename__ = "idea_tags"

    idea_id: Mapped[int] = mapped_column(
        ForeignKey("ideas.id", ondelete="CASCADE"), primary_key=True
    )
    tag_id: Mapped[int] = mapped_column(
        ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class FeedbackTag(db.Model):
    __tablename__ = "feedback_tags"

    feedback_id: Mapped[int] = mapped_column(
        ForeignKey("feedback_items.id", ondelete="CASCADE"), primary_key=True
    )
    tag_id: Mapped[int] = mapped_column(
        ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class FieldKind(enum.Enum):
    text = "text"
    number = "number"
    single = "single"  #: one of the field's choices
    multiple = "multiple"  #: any of the field's choices
    date = "date"

    @property
    def label(self) -> str:
        return {
            "single": "Single choice",
            "multiple": "Multiple choice",
        }.get(self.value, self.value.capitalize())


class BoardField(db.Model):
    """A question a board asks on the new-idea form."""

    __tablename__ = "board_fields"

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(80))
    kind: Mapped[FieldKind] = mapped_column(
        Enum(FieldKind, name="field_kind", native_enum=False, length=16)
    )
    #: The options of a single or multiple choice field, in order (empty for other kinds).
    choices: Mapped[list] = mapped_column(JSON, default=list)
    required: Mapped[bool] = mapped_column(default=False)
    #: Shown to customers (form, idea page, API, filters); False: staff only.
    public: Mapped[bool] = mapped_column(default=True)
    #: Order on the form; lower first.
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class FieldValue(db.Model):
    """An idea's answer to a board field, stored in the column of the field's type. A
    multiple-choice answer is one row per chosen option."""

    __tablename__ = "field_values"
    __table_args__ = (
        UniqueConstraint("idea_id", "field_id", "text_value"),
        Index("ix_field_values_filter", "field_id", "text_value"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), index=True)
    field_id: Mapped[int] = mapped_column(ForeignKey("board_fields.id", ondelete="CASCADE"))
    #: Text answers and chosen options.
    text_value: Mapped[str | None] = mapped_column(String(2000))
    number_value: Mapped[float | None]
    date_value: Mapped[date | None]
