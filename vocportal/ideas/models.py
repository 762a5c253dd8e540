"""Boards, ideas and what customers do with them: votes, comments, follows, status changes."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Enum, ForeignKey, Index, String, Text, UniqueConstraint, false, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from vocportal.accounts.models import User
from vocportal.extensions import db
from vocportal.timeutil import utcnow


class IdeaStatus(enum.Enum):
    """The one status vocabulary, used everywhere (never bare strings)."""

    open = "open"
    under_review = "under_review"
    planned = "planned"
    in_progress = "in_progress"
    shipped = "shipped"
    declined = "declined"
    duplicate = "duplicate"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


#: The colours a custom status may have: CSS classes `status-c-<name>` (a fixed palette, so
#: badges stay readable in light and dark mode and no inline style is needed under the CSP).
STATUS_COLOURS = ("grey", "orange", "blue", "purple", "green", "red", "teal", "pink")


class Moderation(enum.Enum):
    """Why a post is kept off the board by moderation (`vocportal.moderation`); NULL on a
    post means published. Either way only its author and staff see it."""

    held = "held"  #: waiting for staff review ("awaiting review" for its author)
    rejected = "rejected"  #: staff turned it down; its author was told why

    @property
    def label(self) -> str:
        return "awaiting review" if self is Moderation.held else "not published"


def moderation_column():
    return mapped_column(
        Enum(Moderation, name="moderation", native_enum=False, length=16), nullable=True
    )


def status_column(**kwargs):
    return mapped_column(
        Enum(IdeaStatus, name="idea_status", native_enum=False, length=16), **kwargs
    )


class BoardAudience(enum.Enum):
    """Who may see a board and its ideas (`vocportal.ideas.board_access`); staff see all."""

    everyone = "everyone"
    #: Anyone with an account who is signed in (not contacts known only from feedback).
    signed_in = "signed_in"
    #: Customers of the chosen segments or companies (`audience_segment_ids`, ...).
    members = "members"
    #: Customers whose verified email address is at one of `audience_domains`.
    domains = "domains"
    staff = "staff"

    @property
    def label(self) -> str:
        return {
            "everyone": "Everyone",
            "signed_in": "Signed-in customers",
            "members": "Customers of chosen segments or companies",
            "domains": "Customers with a verified email at listed domains",
            "staff": "Staff only",
        }[self.value]


def _json_list():
    return mapped_column(JSON, default=list, server_default=text("'[]'"))


class Board(db.Model):
    """A category ideas are posted in (e.g. "Integrations")."""

    __tablename__ = "boards"
    #: See `Idea.__public_columns__`: who may see the board changes what anonymous readers see.
    __public_columns__ = ("audience",)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    description: Mapped[str] = mapped_column(Text, default="")
    #: Order on the board list; lower first.
    position: Mapped[int] = mapped_column(default=0)
    #: An archived board takes no new ideas but its ideas stay visible.
    archived: Mapped[bool] = mapped_column(default=False)
    #: Votes each customer may have at once on this board's open ideas (None: no limit). A
    #: vote on an idea that ships or is declined no longer counts: it comes back.
    vote_budget: Mapped[int | None]
    #: Who may see the board and its ideas, on every surface (lists, search, API, feeds,
    #: notifications ...); the lists below say who for `members` and `domains`.
    audience: Mapped[BoardAudience] = mapped_column(
        Enum(BoardAudience, name="board_audience", native_enum=False, length=16),
        default=BoardAudience.everyone,
        server_default=BoardAudience.everyone.value,
    )
    #: `members`: ids of the segments (`vocportal.companies.models.Segment`) whose customers
    #: may see the board.
    audience_segment_ids: Mapped[list] = _json_list()
    #: `members`: ids of the companies whose customers may see the board.
    audience_company_ids: Mapped[list] = _json_list()
    #: `domains`: lower-case email domains ("example.com"); the person's address must be
    #: verified and end in "@" plus one of them.
    audience_domains: Mapped[list] = _json_list()


class Status(db.Model):
    """A status admins define (`vocportal.ideas.statuses`). Its `kind` carries the meaning
    everywhere (roadmap columns, voting closed, outcome metrics, changelog, the API's
    `status`); the name, colour and description are what people see."""

    __tablename__ = "statuses"
    #: See `Idea.__public_columns__`.
    __public_columns__ = ("kind", "name", "colour", "description", "position", "is_public")

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The built-in status this one is a variant of (never `duplicate`).
    kind: Mapped[IdeaStatus] = status_column()
    name: Mapped[str] = mapped_column(String(40))
    #: One of STATUS_COLOURS.
    colour: Mapped[str] = mapped_column(String(16), default="grey")
    #: Shown to staff on the status form and to everyone as the badge's tooltip.
    description: Mapped[str] = mapped_column(Text, default="")
    #: Order in lists and forms; lower first. The first public status of a kind is the
    #: kind's default: what ideas without a chosen status show.
    position: Mapped[int] = mapped_column(default=0)
    #: Customers see a status that is not public as its kind's default public status.
    is_public: Mapped[bool] = mapped_column(default=True)


class Idea(db.Model):
    __tablename__ = "ideas"
    #: Columns whose change alters what anonymous readers may see (vocportal.pagecache
    #: clears every process's cached pages when one changes).
    __public_columns__ = (
        "hidden_at",
        "withdrawn_at",
        "status",
        "status_id",
        "target_period",
        "duplicate_of_id",
        "board_id",
        "moderation",
    )
    __table_args__ = (
        Index("ix_ideas_listing_top", "vote_count", "id"),
        Index("ix_ideas_listing_trending", "trend_score", "id"),
        Index("ix_ideas_listing_new", "created_at", "id"),
        # Covers the public board's filters, so counting a page's total reads no rows.
        Index(
            "ix_ideas_public_status",
            "status",
            "board_id",
            sqlite_where=text("withdrawn_at IS NULL AND hidden_at IS NULL"),
            postgresql_where=text("withdrawn_at IS NULL AND hidden_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    title: Mapped[str] = mapped_column(String(160))
    #: Markdown as the author wrote it.
    body: Mapped[str] = mapped_column(Text, default="")
    #: `body` rendered and sanitised once at save time, so pages never render Markdown.
    body_html: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[IdeaStatus] = status_column(default=IdeaStatus.open, index=True)
    #: The custom status staff chose (its kind is `status`); NULL, or a row of another kind,
    #: shows the kind's default status.
    status_id: Mapped[int | None] = mapped_column(ForeignKey("statuses.id"), index=True)
    #: When staff expect it, on planned and in-progress ideas: "2027-03" (a month) or
    #: "2027-Q2" (a quarter); see `vocportal.ideas.targets`.
    target_period: Mapped[str | None] = mapped_column(String(7))
    #: Number of rows in `votes` for this idea, kept in the same transaction as the rows.
    vote_count: Mapped[int] = mapped_column(default=0)
    #: Number of visible comments, kept like `vote_count`.
    comment_count: Mapped[int] = mapped_column(default=0)
    #: Sum over votes of 2**((voted_at - TREND_EPOCH) / TREND_HALF_LIFE): ordering by it is
    #: ordering by recency-weighted votes, without recomputing anything per request.
    trend_score: Mapped[float] = mapped_column(default=0.0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Set when the author withdraws the idea; it leaves the public board.
    withdrawn_at: Mapped[datetime | None]
    #: Set when staff hide the idea (moderation); it leaves the public board.
    hidden_at: Mapped[datetime | None]
    #: The staff member who looks after the idea (their own queue), if any.
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    #: When staff first acted on it (status, comment, owner, note, "looked at"); NULL
    #: ideas are the triage inbox.
    triaged_at: Mapped[datetime | None] = mapped_column(index=True)
    #: When staff first answered in public (a status update or a staff comment).
    first_response_at: Mapped[datetime | None]
    #: Set while the idea is merged into another as its duplicate (see MergeRecord).
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("ideas.id"), index=True)
    #: Held for review or rejected by moderation (NULL: published). Nothing is announced
    #: about a held idea (no webhook, notification, embedding) until staff approve it.
    moderation: Mapped[Moderation | None] = moderation_column()

    board: Mapped[Board] = relationship(lazy="joined")
    author: Mapped[User] = relationship(lazy="joined", foreign_keys=[author_id])
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
    duplicate_of: Mapped[Idea | None] = relationship(remote_side=[id])

    @property
    def is_public(self) -> bool:
        return self.withdrawn_at is None and self.hidden_at is None and self.moderation is None

    @property
    def visibility(self) -> str:
        """Who may see it, in a word for labels: public, hidden (by staff), held or rejected
        (by moderation) or withdrawn."""
        if self.hidden_at is not None:
            return "hidden"
        if self.moderation is not None:
            return self.moderation.value
        return "withdrawn" if self.withdrawn_at is not None else "public"


class Vote(db.Model):
    """One person's vote for one idea; the unique pair makes double votes impossible."""

    __tablename__ = "votes"
    __table_args__ = (UniqueConstraint("idea_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Follow(db.Model):
    """A person who wants to hear about an idea (authors, commenters and voters follow)."""

    __tablename__ = "follows"

    idea_id: Mapped[int] = mapped_column(
        ForeignKey("ideas.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: The person opted out of this idea (unfollowed or unsubscribed by email): they get
    #: nothing about it even though they voted or commented; a later vote does not undo it.
    muted: Mapped[bool] = mapped_column(default=False, server_default=false())


class Comment(db.Model):
    __tablename__ = "comments"
    #: See `Idea.__public_columns__`.
    __public_columns__ = ("hidden_at", "moderation")

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    #: Staff can mark a comment as the official response; it is highlighted on the idea.
    is_official: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    edited_at: Mapped[datetime | None]
    #: Set when staff hide the comment; only staff still see it.
    hidden_at: Mapped[datetime | None]
    #: Held for review or rejected by moderation (NULL: published): only its author and
    #: staff see it, it is not counted in `Idea.comment_count`, and nothing announces it.
    moderation: Mapped[Moderation | None] = moderation_column()

    author: Mapped[User] = relationship(lazy="joined")


class StatusChange(db.Model):
    """One step of an idea's status history, shown on its public timeline."""

    __tablename__ = "status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    old_status: Mapped[IdeaStatus] = status_column()
    new_status: Mapped[IdeaStatus] = status_column()
    #: The custom statuses before and after (NULL: the kind's default), for the timeline.
    old_status_id: Mapped[int | None] = mapped_column(ForeignKey("statuses.id"))
    new_status_id: Mapped[int | None] = mapped_column(ForeignKey("statuses.id"))
    #: Optional Markdown note to customers, and its sanitised HTML.
    message: Mapped[str] = mapped_column(Text, default="")
    message_html: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    actor: Mapped[User] = relationship(lazy="joined")


class MergeRecord(db.Model):
    """Idea `idea_id` merged into `target_id` as its duplicate, with what moved, so that an
    unmerge restores exactly what was there."""

    __tablename__ = "merge_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), index=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    #: The duplicate's status before the merge, restored on unmerge.
    previous_status: Mapped[IdeaStatus] = status_column()
    #: The duplicate's votes: [[user_id, voted_at ISO, moved]], where `moved` says a vote was
    #: added to the target (False: the person had already voted there).
    votes: Mapped[list] = mapped_column(JSON, default=list)
    #: The duplicate's followers: [[user_id, followed_at ISO, muted, added]], `added` when
    #: the merge made them follow the target.
    follows: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Set by unmerge; an undone record is history only.
    undone_at: Mapped[datetime | None]
