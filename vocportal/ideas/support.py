"""Standing behind an idea: votes (with the counters and trending score they move) and
follows (with opting out of an idea and back in).

Operations take plain values and the acting user, change rows and flush; the request (or
job) around them commits once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update

from vocportal.accounts.models import User
from vocportal.errors import OperationError
from vocportal.extensions import db
from vocportal.ideas import events, statuses
from vocportal.ideas.models import Board, Follow, Idea, IdeaStatus, Vote
from vocportal.sqlutil import dialect_insert, insert_ignore
from vocportal.timeutil import utcnow

#: Trending weighs each vote by 2**(age / half-life); see Idea.trend_score.
TREND_EPOCH = datetime(2025, 1, 1)
TREND_HALF_LIFE = timedelta(days=7)

#: Statuses in which an idea is closed: no new votes.
CLOSED_STATUSES = frozenset({IdeaStatus.shipped, IdeaStatus.declined, IdeaStatus.duplicate})
#: On a board with a vote budget, a vote for an idea reaching one of these comes back.
VOTE_RETURNING = frozenset({IdeaStatus.shipped, IdeaStatus.declined})


def trend_weight(at: datetime) -> float:
    return 2.0 ** ((at - TREND_EPOCH) / TREND_HALF_LIFE)


def voted_idea_ids(user: User | None, idea_ids: list[int]) -> set[int]:
    """Return which of `idea_ids` the user has voted for (one query for a whole page)."""
    if user is None or not user.is_authenticated or not idea_ids:
        return set()
    rows = db.session.scalars(
        select(Vote.idea_id).where(Vote.user_id == user.id, Vote.idea_id.in_(idea_ids))
    )
    return set(rows)


def is_following(user: User | None, idea: Idea) -> bool:
    if user is None or not user.is_authenticated:
        return False
    row = db.session.get(Follow, (idea.id, user.id))
    return row is not None and not row.muted


def _budget_of(user: User, board: Board) -> int | None:
    """The board's vote budget if it applies to `user` (customers; staff vote freely)."""
    return None if user.is_staff else board.vote_budget


def votes_spent(user: User, board: Board) -> int:
    """The person's votes that count against the board's budget: on its ideas that are
    still open to votes (a vote on a shipped or declined idea has come back)."""
    return db.session.scalar(
        select(func.count())
        .select_from(Vote)
        .join(Idea, Idea.id == Vote.idea_id)
        .where(
            Vote.user_id == user.id,
            Idea.board_id == board.id,
            Idea.status.not_in(CLOSED_STATUSES),
            Idea.withdrawn_at.is_(None),
            Idea.hidden_at.is_(None),
        )
    )


def votes_left(user: User | None, board: Board | None) -> int | None:
    """How many more ideas the person may vote for on the board (None: no budget)."""
    if user is None or not user.is_authenticated or board is None:
        return None
    budget = _budget_of(user, board)
    return None if budget is None else max(budget - votes_spent(user, board), 0)


def vote(user: User, idea: Idea) -> bool:
    """Vote for an idea; return False if the user had already voted. Also follows it."""
    if idea.status in CLOSED_STATUSES:
        said = statuses.shown(idea.status, idea.status_id).name.lower()
        raise OperationError(f"This idea is {said}; it takes no votes.")
    budget = _budget_of(user, idea.board)
    if budget is not None:
        # One vote at a time per person, so two at once cannot both take the last one.
        db.session.execute(select(User.id).where(User.id == user.id).with_for_update())
        already = db.session.scalar(
            select(Vote.id).where(Vote.idea_id == idea.id, Vote.user_id == user.id)
        )
        if already is None and votes_spent(user, idea.board) >= budget:
            raise OperationError(
                f"You have used all {budget} of your votes on {idea.board.name}. Take one "
                "back, or wait: a vote comes back when its idea ships or is declined."
            )
    now = utcnow()
    # RETURNING tells whether the row was inserted (rowcount is not reliable for
    # INSERT .. ON CONFLICT across drivers).
    inserted = db.session.execute(
        insert_ignore(Vote, idea_id=idea.id, user_id=user.id, created_at=now).returning(Vote.id)
    ).scalar()
    if inserted is None:
        return False
    _count_vote(idea, +1, now)
    follow(user, idea)
    events.vote_changed.send(idea, actor=user, voted=True)
    return True


def _count_vote(idea: Idea, sign: int, voted_at: datetime) -> None:
    """Add (sign +1) or take back (-1) one vote cast at `voted_at` in the idea's counter and
    trending score: an atomic UPDATE in the same transaction as the vote row."""
    db.session.execute(
        update(Idea)
        .where(Idea.id == idea.id)
        .values(
            vote_count=Idea.vote_count + sign,
            trend_score=Idea.trend_score + sign * trend_weight(voted_at),
        )
    )
    db.session.refresh(idea, ["vote_count", "trend_score"])


def unvote(user: User, idea: Idea) -> bool:
    """Take back a vote; return False if there was none."""
    voted_at = db.session.execute(
        delete(Vote)
        .where(Vote.idea_id == idea.id, Vote.user_id == user.id)
        .returning(Vote.created_at)
    ).scalar()
    if voted_at is None:
        return False
    _count_vote(idea, -1, voted_at)
    events.vote_changed.send(idea, actor=user, voted=False)
    return True


def follow(user: User, idea: Idea) -> None:
    """Follow an idea (kept quiet if the person had opted out of it: see `follow_again`)."""
    db.session.execute(insert_ignore(Follow, idea_id=idea.id, user_id=user.id, created_at=utcnow()))


def _set_muted(user: User, idea: Idea, muted: bool) -> None:
    stmt = dialect_insert(Follow).values(
        idea_id=idea.id, user_id=user.id, created_at=utcnow(), muted=muted
    )
    db.session.execute(
        stmt.on_conflict_do_update(index_elements=["idea_id", "user_id"], set_={"muted": muted})
    )
    db.session.flush()
    events.idea_muted.send(idea, actor=user, muted=muted)


def follow_again(user: User, idea: Idea) -> None:
    """Follow an idea by choice, undoing an earlier opt-out."""
    _set_muted(user, idea, False)


def unfollow(user: User, idea: Idea) -> None:
    """Opt out of an idea: nothing about it reaches the person, even if they voted."""
    _set_muted(user, idea, True)
