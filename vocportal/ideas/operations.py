"""Idea rules: who sees what, listing, posting, editing, withdrawing, statuses, boards.

Votes and follows are in `vocportal.ideas.support`, comments in `vocportal.ideas.commenting`.

Operations take plain values and the acting user, check permission, change rows and
flush; the request (or job) around them commits once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import ColumnElement, and_, func, or_, select, true

from vocportal.accounts.models import User
from vocportal.errors import OperationError, PermissionDenied
from vocportal.extensions import db
from vocportal.ideas import events
from vocportal.ideas.models import (
    Board,
    Comment,
    Idea,
    IdeaStatus,
    StatusChange,
)
from vocportal.ideas.search import ranked_matches
from vocportal.ideas.support import vote
from vocportal.markdown import render_markdown
from vocportal.spamtraps import SpamSignals
from vocportal.timeutil import utcnow

SORTS = ("trending", "top", "new")


# --- reading -----------------------------------------------------------------------------


# Who sees what, in one place: staff see every idea (pages mark the hidden and withdrawn
# ones); an idea's author still sees it while it is withdrawn or kept by moderation (not
# once staff hid it); everyone else sees public ideas only (not hidden, withdrawn, held or
# rejected). Whatever names an idea (a title in a list, a link, a "merged into" banner, an
# API field, a feed entry, a notification) goes through `can_see` or `visible_to`, so a
# hidden idea never shows through another one.


def _signed_in(viewer: User | None) -> bool:
    return viewer is not None and viewer.is_authenticated


def can_see(viewer: User | None, idea: Idea) -> bool:
    """Whether `viewer` (None: anonymous) may see `idea` at all."""
    if idea.is_public:
        return True
    if not _signed_in(viewer):
        return False
    return viewer.is_staff or (idea.author_id == viewer.id and idea.hidden_at is None)


def public_ideas() -> ColumnElement[bool]:
    """The ideas everybody may see, as a WHERE clause (the public board's own filter)."""
    return and_(Idea.withdrawn_at.is_(None), Idea.hidden_at.is_(None), Idea.moderation.is_(None))


def visible_to(viewer: User | None) -> ColumnElement[bool]:
    """`can_see` as a WHERE clause, for queries that list ideas to `viewer`."""
    if not _signed_in(viewer):
        return public_ideas()
    if viewer.is_staff:
        return true()
    return or_(public_ideas(), and_(Idea.author_id == viewer.id, Idea.hidden_at.is_(None)))


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
    sort: str = "trending"
    status: IdeaStatus | None = None
    board: Board | None = None
    q: str = ""


def idea_listing(query: IdeaQuery):
    """Build the select for the public idea list: filters, search and sort."""
    stmt = select(Idea).where(public_ideas())
    if query.status is not None:
        stmt = stmt.where(Idea.status == query.status)
    else:
        # The default board hides merged duplicates; they live on the idea they joined.
        stmt = stmt.where(Idea.status != IdeaStatus.duplicate)
    if query.board is not None:
        stmt = stmt.where(Idea.board_id == query.board.id)
    if query.q.strip():
        matches = ranked_matches(query.q)
        if matches is None:
            return stmt.where(False)
        sub = matches.subquery()
        return stmt.join(sub, sub.c.idea_id == Idea.id).order_by(sub.c.rank, Idea.id.desc())
    if query.sort == "top":
        return stmt.order_by(Idea.vote_count.desc(), Idea.id.desc())
    if query.sort == "new":
        return stmt.order_by(Idea.created_at.desc(), Idea.id.desc())
    return stmt.order_by(Idea.trend_score.desc(), Idea.id.desc())


ROADMAP_COLUMNS = (IdeaStatus.planned, IdeaStatus.in_progress, IdeaStatus.shipped)


def roadmap(board: Board | None = None, per_column: int = 50) -> dict[IdeaStatus, list[Idea]]:
    """The public roadmap: planned, in progress and shipped ideas, most wanted first
    (shipped: most recently changed first)."""
    columns = {}
    for status in ROADMAP_COLUMNS:
        stmt = select(Idea).where(Idea.status == status, public_ideas())
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


def boards(include_archived: bool = False) -> list[Board]:
    stmt = select(Board).order_by(Board.position, Board.name)
    if not include_archived:
        stmt = stmt.where(Board.archived.is_(False))
    return list(db.session.scalars(stmt))


def board_by_slug(slug: str) -> Board | None:
    return db.session.scalar(select(Board).where(Board.slug == slug))


# --- ideas -------------------------------------------------------------------------------


def _check_author_or_staff(actor: User, idea: Idea) -> None:
    if not (actor.is_staff or idea.author_id == actor.id):
        raise PermissionDenied()


def create_idea(
    author: User, board: Board, title: str, body: str, signals: SpamSignals | None = None
) -> Idea:
    """Post an idea; its author votes for it and follows it. Moderation may hold it (from
    the setting and the form's spam `signals`): nothing announces it until staff approve."""
    if board.archived:
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
    vote(author, idea)
    if not events.held_for_review(idea, idea, author, signals):
        events.idea_created.send(idea, actor=author)
    return idea


def edit_idea(actor: User, idea: Idea, title: str, body: str, board: Board) -> None:
    """Change an idea's text or board: its author or staff."""
    _check_author_or_staff(actor, idea)
    if board.archived and board.id != idea.board_id:
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
) -> StatusChange:
    """Publish a status update (new status + Markdown message): staff only.

    It goes on the idea's timeline and, with `notify`, to everyone who supports the idea
    (in the bell and by email), through the notification outbox in this transaction; the
    notification says `announcement` instead of the message when given. Nothing is
    announced about an idea that is not public (hidden or withdrawn): its supporters could
    not open it, and its title may be why staff hid it.
    """
    if not actor.is_staff:
        raise PermissionDenied()
    if new_status is idea.status and not message.strip():
        raise OperationError("The idea already has this status.", field="status")
    if new_status is IdeaStatus.duplicate and idea.duplicate_of_id is None:
        raise OperationError(
            "Use “Mark as duplicate” to merge it into the original idea.", field="status"
        )
    if idea.duplicate_of_id is not None and new_status is not IdeaStatus.duplicate:
        raise OperationError(
            "Unmerge this duplicate before giving it another status.", field="status"
        )
    change = StatusChange(
        idea_id=idea.id,
        actor_id=actor.id,
        old_status=idea.status,
        new_status=new_status,
        message=message.strip(),
        message_html=render_markdown(message),
    )
    db.session.add(change)
    idea.status = new_status
    idea.updated_at = utcnow()
    db.session.flush()
    events.status_changed.send(
        idea, actor=actor, change=change, notify=notify, announcement=announcement
    )
    return change


# --- boards ------------------------------------------------------------------------------

_SLUG = re.compile(r"[^a-z0-9]+")


def slugify(name: str) -> str:
    return _SLUG.sub("-", name.lower()).strip("-")[:60] or "board"


def save_board(
    actor: User, board: Board | None, name: str, description: str, archived: bool = False
) -> Board:
    """Create a board (board=None) or change one: admins only."""
    if not actor.is_admin:
        raise PermissionDenied()
    name = name.strip()
    if board is None:
        slug = slugify(name)
        if board_by_slug(slug) is not None:
            raise OperationError("A board with this name already exists.", field="name")
        position = db.session.scalar(select(func.coalesce(func.max(Board.position), 0))) + 1
        board = Board(slug=slug, position=position)
        db.session.add(board)
    board.name = name
    board.description = description.strip()
    board.archived = archived
    db.session.flush()
    return board
