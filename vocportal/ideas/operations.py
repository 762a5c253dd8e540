"""Idea rules: who sees what, listing, posting, editing, withdrawing, statuses.

Votes and follows are in `vocportal.ideas.support`, comments in `vocportal.ideas.commenting`,
boards in `vocportal.ideas.boards` (who may see one: `vocportal.ideas.board_access`).

Operations take plain values and the acting user, check permission, change rows and
flush; the request (or job) around them commits once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import ColumnElement, Select, and_, case, or_, select, true

from vocportal.accounts.models import User
from vocportal.errors import OperationError, PermissionDenied
from vocportal.extensions import db
from vocportal.ideas import events, hybrid, statuses
from vocportal.ideas.board_access import may_see_board, on_visible_boards
from vocportal.ideas.models import (
    Board,
    Comment,
    Idea,
    IdeaStatus,
    StatusChange,
)
from vocportal.ideas.support import vote
from vocportal.markdown import render_markdown
from vocportal.spamtraps import SpamSignals
from vocportal.tags import fields
from vocportal.timeutil import utcnow

#: "relevance" (best match first) applies to a search only; without one it is "trending".
SORTS = ("trending", "top", "new", "relevance")


# --- reading -----------------------------------------------------------------------------


# Who sees what, in one place: staff see every idea (pages mark the hidden and withdrawn
# ones); an idea's author still sees it while it is withdrawn or kept by moderation (not
# once staff hid it); everyone else sees public ideas only (not hidden, withdrawn, held or
# rejected); nobody but staff sees an idea on a board they may not see (`board_access`).
# Whatever names an idea (a title in a list, a link, a "merged into" banner, an API field,
# a feed entry, a notification) goes through `can_see` or `visible_to`, so a hidden idea
# never shows through another one.


def _signed_in(viewer: User | None) -> bool:
    return viewer is not None and viewer.is_authenticated


def can_see(viewer: User | None, idea: Idea) -> bool:
    """Whether `viewer` (None: anonymous) may see `idea` at all."""
    if not may_see_board(viewer, idea.board):
        return False
    if idea.is_public:
        return True
    if not _signed_in(viewer):
        return False
    return viewer.is_staff or (idea.author_id == viewer.id and idea.hidden_at is None)


def public_ideas() -> ColumnElement[bool]:
    """The published ideas (not hidden, withdrawn, held or rejected), as a WHERE clause;
    whether a viewer may see their board is `visible_to`'s (a private board's ideas are
    published too)."""
    return and_(Idea.withdrawn_at.is_(None), Idea.hidden_at.is_(None), Idea.moderation.is_(None))


def visible_to(viewer: User | None) -> ColumnElement[bool]:
    """`can_see` as a WHERE clause, for queries that list ideas to `viewer`."""
    if not _signed_in(viewer):
        return and_(public_ideas(), on_visible_boards(None))
    if viewer.is_staff:
        return true()
    return and_(
        on_visible_boards(viewer),
        or_(public_ideas(), and_(Idea.author_id == viewer.id, Idea.hidden_at.is_(None))),
    )


def get_idea_for(viewer: User | None, idea_id: int) -> Idea | None:
    """Return the idea if it exists and `viewer` may see it, else None."""
    idea = db.session.get(Idea, idea_id)
    if idea is None or not can_see(viewer, idea):
        return None
    return idea


def merged_into(viewer: User | None, idea: Idea) -> Idea | None:
    """The idea `idea` was merged into as a duplicate, if any and if `viewer` may see it."""
    if idea.duplicate_of_id is None:
        return None
    target = db.session.get(Idea, idea.duplicate_of_id)
    return target if target is not None and can_see(viewer, target) else None


def can_see_comment(viewer: User | None, comment: Comment) -> bool:
    """Whether `viewer` may reach `comment` at all: a hidden one only staff and its author
    (who may not change it: see `edit_comment`), a held or rejected one (moderation) too;
    and only on an idea they may see."""
    idea = db.session.get(Idea, comment.idea_id)
    if idea is None or not can_see(viewer, idea):
        return False
    if comment.hidden_at is None and comment.moderation is None:
        return True
    return _signed_in(viewer) and (viewer.is_staff or comment.author_id == viewer.id)


@dataclass(frozen=True)
class IdeaQuery:
    #: One of SORTS; empty: "relevance" with a search, else "trending".
    sort: str = ""
    status: IdeaStatus | None = None
    board: Board | None = None
    q: str = ""
    #: More WHERE clauses on Idea (tags, custom fields: `vocportal.tags`).
    filters: tuple = ()


@dataclass(frozen=True)
class Listing:
    #: The select of Idea: filtered, searched and sorted.
    stmt: Select
    #: What the search box found (None without a query): its mode says whether the
    #: semantic ranking took part.
    search: hybrid.SearchResult | None = None


def board_listing(query: IdeaQuery, viewer: User | None = None) -> Listing:
    """The public idea list as `viewer` may see it: filters, hybrid search and sort.

    With a query, the matches are the search box's (`vocportal.ideas.hybrid`) within the
    same filters; "relevance" (the API's and the board's default with a query) keeps the
    search's order, any other sort orders the matches by it."""
    stmt = select(Idea).where(public_ideas(), visible_to(viewer))
    if query.status is not None:
        stmt = stmt.where(Idea.status == query.status)
    else:
        # The default board hides merged duplicates; they live on the idea they joined.
        stmt = stmt.where(Idea.status != IdeaStatus.duplicate)
    if query.board is not None:
        stmt = stmt.where(Idea.board_id == query.board.id)
    if query.filters:
        stmt = stmt.where(*query.filters)
    found = None
    sort = query.sort or ("relevance" if query.q.strip() else "trending")
    if query.q.strip():
        found = hybrid.search(query.q, stmt)
        stmt = stmt.where(Idea.id.in_(found.ids))
        if sort == "relevance" and found.ids:
            order = case({idea_id: rank for rank, idea_id in enumerate(found.ids)}, value=Idea.id)
            return Listing(stmt.order_by(order, Idea.id.desc()), found)
    if sort == "top":
        return Listing(stmt.order_by(Idea.vote_count.desc(), Idea.id.desc()), found)
    if sort == "new":
        return Listing(stmt.order_by(Idea.created_at.desc(), Idea.id.desc()), found)
    return Listing(stmt.order_by(Idea.trend_score.desc(), Idea.id.desc()), found)


def idea_listing(query: IdeaQuery, viewer: User | None = None) -> Select:
    """Build the select for the public idea list: filters, search and sort."""
    return board_listing(query, viewer).stmt


ROADMAP_COLUMNS = (IdeaStatus.planned, IdeaStatus.in_progress, IdeaStatus.shipped)


def roadmap(
    board: Board | None = None, per_column: int = 50, viewer: User | None = None
) -> dict[IdeaStatus, list[Idea]]:
    """The public roadmap as `viewer` sees it: planned, in progress and shipped ideas, most
    wanted first (shipped: most recently changed first)."""
    columns = {}
    visible = and_(public_ideas(), visible_to(viewer))
    for status in ROADMAP_COLUMNS:
        stmt = select(Idea).where(Idea.status == status, visible)
        if board is not None:
            stmt = stmt.where(Idea.board_id == board.id)
        order = (
            (Idea.updated_at.desc(), Idea.id.desc())
            if status is IdeaStatus.shipped
            else (Idea.vote_count.desc(), Idea.id.desc())
        )
        columns[status] = list(db.session.scalars(stmt.order_by(*order).limit(per_column)))
    return columns


def portal_team() -> str:
    return f"{current_app.config['PORTAL_NAME']} team"


def visible_comments(viewer: User | None, idea: Idea) -> list[Comment]:
    """The idea's comments `viewer` may read: hidden ones for staff only (their authors
    included: what staff hid is gone for customers); held or rejected ones (moderation) for
    staff and their author."""
    stmt = select(Comment).where(Comment.idea_id == idea.id).order_by(Comment.created_at)
    if not _signed_in(viewer):
        stmt = stmt.where(Comment.hidden_at.is_(None), Comment.moderation.is_(None))
    elif not viewer.is_staff:
        stmt = stmt.where(
            Comment.hidden_at.is_(None),
            or_(Comment.moderation.is_(None), Comment.author_id == viewer.id),
        )
    return list(db.session.scalars(stmt))


def status_history(idea: Idea) -> list[StatusChange]:
    return list(
        db.session.scalars(
            select(StatusChange)
            .where(StatusChange.idea_id == idea.id)
            .order_by(StatusChange.created_at, StatusChange.id)
        )
    )


# --- ideas -------------------------------------------------------------------------------


def _check_author_or_staff(actor: User, idea: Idea) -> None:
    if not (actor.is_staff or idea.author_id == actor.id):
        raise PermissionDenied()


def create_idea(
    author: User,
    board: Board,
    title: str,
    body: str,
    signals: SpamSignals | None = None,
    answers: Mapping[int, object] | None = None,
) -> Idea:
    """Post an idea; its author votes for it and follows it. Moderation may hold it (from
    the setting and the form's spam `signals`): nothing announces it until staff approve.
    `answers` (raw values by field id) answer the board's custom fields the author is asked
    (a bad or missing one is an OperationError on its field)."""
    if board.archived or not may_see_board(author, board):
        raise OperationError("This board takes no new ideas.", field="board")
    idea = Idea(
        board=board,
        author=author,
        title=title.strip(),
        body=body.strip(),
        body_html=render_markdown(body),
    )
    db.session.add(idea)
    db.session.flush()
    fields.store_answers(idea.id, fields.board_fields([board.id], viewer=author), answers or {})
    vote(author, idea)
    if not events.held_for_review(idea, idea, author, signals):
        events.idea_created.send(idea, actor=author)
    return idea


def edit_idea(actor: User, idea: Idea, title: str, body: str, board: Board) -> None:
    """Change an idea's text or board: its author or staff."""
    _check_author_or_staff(actor, idea)
    if board.id != idea.board_id and (board.archived or not may_see_board(actor, board)):
        raise OperationError("This board takes no new ideas.", field="board")
    idea.title = title.strip()
    idea.body = body.strip()
    idea.body_html = render_markdown(body)
    idea.board = board
    idea.updated_at = utcnow()
    db.session.flush()
    events.idea_edited.send(idea, actor=actor)


def withdraw_idea(actor: User, idea: Idea) -> None:
    """Take one's own idea off the board (staff hide instead)."""
    if idea.author_id != actor.id:
        raise PermissionDenied()
    idea.withdrawn_at = utcnow()
    db.session.flush()


def set_hidden(actor: User, row: Idea | Comment, hidden: bool) -> bool:
    """Staff hide an idea or a comment, or show it again; False when nothing changed."""
    if not actor.is_staff:
        raise PermissionDenied()
    if (row.hidden_at is not None) == hidden:
        return False
    row.hidden_at = utcnow() if hidden else None
    return True


def set_idea_hidden(actor: User, idea: Idea, hidden: bool) -> None:
    if not set_hidden(actor, idea, hidden):
        return
    db.session.flush()
    events.idea_hidden.send(idea, actor=actor, hidden=hidden)


def idea_path(idea_id: int, anchor: str = "") -> str:
    """The idea's address inside the portal, for links built outside a request."""
    return f"/ideas/{idea_id}" + (f"#{anchor}" if anchor else "")


def mark_triaged(actor: User, idea: Idea, responded: bool = False) -> None:
    """Note that staff acted on the idea (it leaves the inbox), and answered it in public."""
    if not actor.is_staff:
        return
    now = utcnow()
    if idea.triaged_at is None:
        idea.triaged_at = now
    if responded and idea.first_response_at is None:
        idea.first_response_at = now


def change_status(
    actor: User,
    idea: Idea,
    new_status: IdeaStatus,
    message: str = "",
    *,
    notify: bool = True,
    announcement: str | None = None,
    status_id: int | None = None,
) -> StatusChange:
    """Publish a status update (new status + Markdown message): staff only.

    `status_id` names the custom status of kind `new_status` to show (None: the kind's
    default; see `vocportal.ideas.statuses`). Leaving planned and in progress drops the
    expected date.

    It goes on the idea's timeline and, with `notify`, to everyone who supports the idea
    (in the bell and by email), through the notification outbox in this transaction; the
    notification says `announcement` instead of the message when given. Nothing is
    announced about an idea that is not public (hidden or withdrawn): its supporters could
    not open it, and its title may be why staff hid it.
    """
    if not actor.is_staff:
        raise PermissionDenied()
    if statuses.same_status(idea, new_status, status_id) and not message.strip():
        raise OperationError("The idea already has this status.", field="status")
    if new_status is IdeaStatus.duplicate and idea.duplicate_of_id is None:
        raise OperationError(
            "Use “Mark as duplicate” to merge it into the original idea.", field="status"
        )
    if status_id is not None and statuses.shown(new_status, status_id, True).id != status_id:
        raise OperationError("That status is not one of this kind.", field="status")
    if idea.duplicate_of_id is not None and new_status is not IdeaStatus.duplicate:
        raise OperationError(
            "Unmerge this duplicate before giving it another status.", field="status"
        )
    change = StatusChange(
        idea_id=idea.id,
        actor_id=actor.id,
        old_status=idea.status,
        new_status=new_status,
        old_status_id=idea.status_id,
        new_status_id=status_id,
        message=message.strip(),
        message_html=render_markdown(message),
    )
    db.session.add(change)
    idea.status = new_status
    idea.status_id = status_id
    if new_status not in (IdeaStatus.planned, IdeaStatus.in_progress):
        idea.target_period = None
    idea.updated_at = utcnow()
    db.session.flush()
    events.status_changed.send(
        idea, actor=actor, change=change, notify=notify, announcement=announcement
    )
    return change
