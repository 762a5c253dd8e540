"""Boards: the list in board order, finding one by its slug, and admins' changes.

Who may see a board is `vocportal.ideas.board_access`.
"""

from __future__ import annotations

from sqlalchemy import func, select

from vocportal.accounts.models import User
from vocportal.errors import OperationError, PermissionDenied
from vocportal.extensions import db
from vocportal.ideas.models import Board
from vocportal.text import slugify

#: Longest slug a board gets from its name.
SLUG_LENGTH = 60


def boards(include_archived: bool = False) -> list[Board]:
    stmt = select(Board).order_by(Board.position, Board.name)
    if not include_archived:
        stmt = stmt.where(Board.archived.is_(False))
    return list(db.session.scalars(stmt))


def board_by_slug(slug: str) -> Board | None:
    return db.session.scalar(select(Board).where(Board.slug == slug))


def save_board(
    actor: User,
    board: Board | None,
    name: str,
    description: str,
    archived: bool = False,
    vote_budget: int | None = None,
) -> Board:
    """Create a board (board=None) or change one: admins only. `vote_budget`: votes each
    customer may have on its open ideas (None: no limit)."""
    if not actor.is_admin:
        raise PermissionDenied()
    name = name.strip()
    if board is None:
        slug = slugify(name, SLUG_LENGTH) or "board"
        if board_by_slug(slug) is not None:
            raise OperationError("A board with this name already exists.", field="name")
        position = db.session.scalar(select(func.coalesce(func.max(Board.position), 0))) + 1
        board = Board(slug=slug, position=position)
        db.session.add(board)
    board.name = name
    board.description = description.strip()
    board.archived = archived
    if vote_budget is not None and vote_budget < 1:
        raise OperationError("Give each customer at least one vote, or no limit.", "vote_budget")
    board.vote_budget = vote_budget
    db.session.flush()
    return board
