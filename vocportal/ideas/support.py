"""Standing behind an idea: votes (with the counters and trending score they move) and
follows (with opting out of an idea and back in).

Operations take plain values and the acting user, change rows and flush; the request (or
job) around them commits once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select, update

from vocportal.accounts.models import User
from vocportal.errors import OperationError
from vocportal.extensions import db
from vocportal.ideas import events
from vocportal.ideas.models import Follow, Idea, IdeaStatus, Vote
from vocportal.sqlutil import dialect_insert, insert_ignore
from vocportal.timeutil import utcnow

#: Trending weighs each vote by 2**(age / half-life); see Idea.trend_score.
TREND_EPOCH = datetime(2025, 1, 1)
TREND_HALF_LIFE = timedelta(days=7)

#: Statuses in which an idea is closed: no new votes.
CLOSED_STATUSES = frozenset({IdeaStatus.shipped, IdeaStatus.declined, IdeaStatus.duplicate})


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


def vote(user: User, idea: Idea) -> bool:
    """Vote for an idea; return False if the user had already voted. Also follows it."""
    if idea.status in CLOSED_STATUSES:
        raise OperationError(f"This idea is {idea.status.label.lower()}; it takes no votes.")
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
