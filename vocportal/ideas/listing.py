"""The rows of idea lists (the public board, the staff inbox), read as plain columns in one
query.

A list shows a few columns of each idea, its board's name, its author's name and whether
the viewer voted for it. Loading 20-50 Idea objects with their Board and User (and then one
more query for the viewer's votes) cost more than rendering the page, so the lists select
just those columns, with the vote as an EXISTS, from the same filtered and sorted statement
(`operations.idea_listing`, `triage.operations.inbox_query`).
"""

from __future__ import annotations

from sqlalchemy import Select, exists, false

from vocportal.accounts.models import User
from vocportal.ideas.models import Board, Idea, Vote


def idea_rows(listing: Select, viewer: User | None) -> Select:
    """`listing` (a select of Idea, filtered and sorted) as the rows a list shows: the
    idea's id, title, status, status_id, board_id, comment_count, created_at, vote_count and
    owner_id, plus `board_name`, `author_name` and `voted` (whether `viewer` voted for it; never for
    anonymous readers)."""
    if viewer is not None and viewer.is_authenticated:
        voted = exists().where(Vote.idea_id == Idea.id, Vote.user_id == viewer.id)
    else:
        voted = false()
    return (
        listing.with_only_columns(
            Idea.id,
            Idea.title,
            Idea.status,
            Idea.status_id,
            Idea.board_id,
            Idea.comment_count,
            Idea.created_at,
            Idea.vote_count,
            Idea.owner_id,
            Board.name.label("board_name"),
            User.display_name.label("author_name"),
            voted.label("voted"),
        )
        .join_from(Idea, Board, Board.id == Idea.board_id)
        .join_from(Idea, User, User.id == Idea.author_id)
    )
