"""The demo's custom statuses and expected dates, set on top of the staff history.

Two statuses beside the six defaults: "Public beta" (in progress, public) and "Waiting on
a partner" (planned, staff only: customers see "Planned"). The most wanted in-progress
ideas are in public beta, and the top planned integration waits on a partner; the status update
that moved each there names the custom status. The most wanted planned and in-progress
ideas show an expected quarter or month. These are states, not new updates: the demo's
counts of status changes and notifications stay those of the history.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from vocportal.accounts.models import User
from vocportal.extensions import db
from vocportal.ideas import statuses, targets
from vocportal.ideas.models import Board, Idea, IdeaStatus, StatusChange


def _most_wanted(kind: IdeaStatus, n: int, board: str | None = None) -> list[Idea]:
    stmt = select(Idea).where(Idea.status == kind).order_by(Idea.vote_count.desc(), Idea.id)
    if board is not None:
        stmt = stmt.join(Board, Board.id == Idea.board_id).where(Board.slug == board)
    return list(db.session.scalars(stmt.limit(n)))


def _show(idea: Idea, status_id: int) -> None:
    """Give `idea` the custom status, and say so on the update that set its kind."""
    idea.status_id = status_id
    last = db.session.scalar(
        select(StatusChange)
        .where(StatusChange.idea_id == idea.id, StatusChange.new_status == idea.status)
        .order_by(StatusChange.created_at.desc(), StatusChange.id.desc())
    )
    if last is not None:
        last.new_status_id = status_id


def add(admin: User, now: datetime) -> int:
    """Add the demo's custom statuses and expected dates; return how many statuses."""
    beta = statuses.save_status(
        admin,
        None,
        name="Public beta",
        kind=IdeaStatus.in_progress,
        colour="teal",
        description="Customers can turn it on under Settings → Labs.",
    )
    partner = statuses.save_status(
        admin,
        None,
        name="Waiting on a partner",
        kind=IdeaStatus.planned,
        colour="pink",
        description="Planned, blocked on a partner's API; customers see “Planned”.",
        is_public=False,
    )
    for idea in _most_wanted(IdeaStatus.in_progress, 2):
        _show(idea, beta.id)
    for idea in _most_wanted(IdeaStatus.planned, 1, board="integrations"):
        _show(idea, partner.id)
    periods = [value for value, _label in targets.choices(now.date())[1:]]
    wanted = _most_wanted(IdeaStatus.in_progress, 3) + _most_wanted(IdeaStatus.planned, 4)
    # Next month for the furthest along, quarters for the rest (`choices` lists 6 quarters,
    # then 12 months).
    plan = [periods[7], periods[0], periods[1], periods[1], periods[2], periods[2], periods[3]]
    for idea, period in zip(wanted, plan, strict=False):
        idea.target_period = period
    db.session.flush()
    return 2
