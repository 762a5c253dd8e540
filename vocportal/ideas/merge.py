"""Marking an idea as a duplicate of another, and undoing it exactly.

Merging A into B moves A's votes to B (one per person: someone who voted for both keeps one
vote), makes A's followers follow B, and publishes a status update on A ("duplicate")
that tells A's supporters where the conversation continues. A's comments stay on A, which
points to B. The MergeRecord keeps what moved, so an unmerge puts back A's votes (with
their original times) and followers exactly, and takes from B only what the merge added.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update

from vocportal.accounts.models import User
from vocportal.errors import OperationError, PermissionDenied
from vocportal.extensions import db
from vocportal.ideas import events, support
from vocportal.ideas import operations as ideas
from vocportal.ideas.models import Follow, Idea, IdeaStatus, MergeRecord, Vote
from vocportal.sqlutil import insert_ignore
from vocportal.timeutil import utcnow


def _recount(idea_id: int) -> None:
    """Set an idea's vote count and trend score from its vote rows."""
    times = list(db.session.scalars(select(Vote.created_at).where(Vote.idea_id == idea_id)))
    db.session.execute(
        update(Idea)
        .where(Idea.id == idea_id)
        .values(
            vote_count=len(times),
            trend_score=sum(support.trend_weight(t) for t in times),
        )
    )


def merge(actor: User, duplicate: Idea, target: Idea, message: str = "") -> MergeRecord:
    """Mark `duplicate` as a duplicate of `target`: staff only."""
    if not actor.is_staff:
        raise PermissionDenied()
    if duplicate.id == target.id:
        raise OperationError("An idea cannot be a duplicate of itself.", field="target")
    if duplicate.duplicate_of_id is not None:
        raise OperationError("This idea is already merged; unmerge it first.", field="target")
    if target.duplicate_of_id is not None:
        raise OperationError(
            f"That idea is itself a duplicate of #{target.duplicate_of_id}; merge into that one.",
            field="target",
        )
    if duplicate.is_public and not target.is_public:
        # Its supporters' votes would go where they cannot follow, and every page about
        # the duplicate would point to an idea they may not see.
        raise OperationError(
            f"That idea is {target.visibility}; merge into a public idea "
            + ("(or unhide it first)." if target.hidden_at else "instead."),
            field="target",
        )
    votes = list(
        db.session.execute(
            select(Vote.user_id, Vote.created_at).where(Vote.idea_id == duplicate.id)
        )
    )
    follows = list(
        db.session.execute(
            select(Follow.user_id, Follow.created_at, Follow.muted).where(
                Follow.idea_id == duplicate.id
            )
        )
    )
    on_target = set(db.session.scalars(select(Vote.user_id).where(Vote.idea_id == target.id)))
    following_target = set(
        db.session.scalars(select(Follow.user_id).where(Follow.idea_id == target.id))
    )
    now = utcnow()
    moved_votes = []
    for user_id, voted_at in votes:
        moved = user_id not in on_target
        if moved:  # keeps its original time, so trending stays honest and unmerge can find it
            db.session.add(Vote(idea_id=target.id, user_id=user_id, created_at=voted_at))
        moved_votes.append([user_id, voted_at.isoformat(), moved])
    moved_follows = []
    for user_id, followed_at, muted in follows:
        added = user_id not in following_target and not muted
        if added:
            db.session.add(Follow(idea_id=target.id, user_id=user_id, created_at=now))
        moved_follows.append([user_id, followed_at.isoformat(), muted, added])
    db.session.execute(delete(Vote).where(Vote.idea_id == duplicate.id))
    db.session.flush()
    record = MergeRecord(
        idea_id=duplicate.id,
        target_id=target.id,
        actor_id=actor.id,
        previous_status=duplicate.status,
        votes=moved_votes,
        follows=moved_follows,
        created_at=now,
    )
    db.session.add(record)
    duplicate.duplicate_of_id = target.id
    _recount(duplicate.id)
    _recount(target.id)
    db.session.flush()
    link = ideas.idea_path(target.id)
    # The timeline keeps the target's number, not its title: the target may be hidden or
    # withdrawn later, and the idea page names it only while the reader may see it. The
    # notification, sent now while the target is public, names it.
    moved = "votes and followers moved there."
    note = f"Merged into [idea #{target.id}]({link}): {moved}"
    told = f"Merged into [{target.title}]({link}): {moved}"
    ideas.change_status(
        actor,
        duplicate,
        IdeaStatus.duplicate,
        (message.strip() + "\n\n" + note).strip(),
        announcement=(message.strip() + "\n\n" + told).strip(),
    )
    events.idea_merged.send(duplicate, actor=actor, target=target, record=record)
    db.session.refresh(duplicate)
    db.session.refresh(target)
    return record


def active_merge(idea: Idea) -> MergeRecord | None:
    return db.session.scalar(
        select(MergeRecord)
        .where(MergeRecord.idea_id == idea.id, MergeRecord.undone_at.is_(None))
        .order_by(MergeRecord.id.desc())
        .limit(1)
    )


def unmerge(actor: User, duplicate: Idea) -> MergeRecord:
    """Undo the merge of `duplicate`: its votes and followers come back exactly."""
    if not actor.is_staff:
        raise PermissionDenied()
    record = active_merge(duplicate)
    if record is None:
        raise OperationError("This idea is not merged into another.")
    target_id = record.target_id
    merged_at = record.created_at
    for user_id, voted_at, moved in record.votes:
        voted_at = datetime.fromisoformat(voted_at)
        if moved:  # take back only the vote the merge added (same person, same time)
            db.session.execute(
                delete(Vote).where(
                    Vote.idea_id == target_id, Vote.user_id == user_id, Vote.created_at == voted_at
                )
            )
        db.session.execute(
            insert_ignore(Vote, idea_id=duplicate.id, user_id=user_id, created_at=voted_at)
        )
    # Keep the follow of anyone who, since the merge, voted for the target themselves.
    voters_now = set(db.session.scalars(select(Vote.user_id).where(Vote.idea_id == target_id)))
    for user_id, _followed_at, _muted, added in record.follows:
        if added and user_id not in voters_now:
            db.session.execute(
                delete(Follow).where(
                    Follow.idea_id == target_id,
                    Follow.user_id == user_id,
                    Follow.created_at == merged_at,
                    Follow.muted.is_(False),
                )
            )
    record.undone_at = utcnow()
    duplicate.duplicate_of_id = None
    _recount(duplicate.id)
    _recount(target_id)
    db.session.flush()
    ideas.change_status(
        actor,
        duplicate,
        record.previous_status,
        "No longer marked as a duplicate; its votes are back.",
        notify=False,
    )
    events.idea_unmerged.send(
        duplicate, actor=actor, target=db.session.get(Idea, target_id), record=record
    )
    db.session.refresh(duplicate)
    return record


def duplicates_of(viewer: User | None, idea: Idea) -> list[Idea]:
    """The ideas merged into `idea` that `viewer` may see."""
    return list(
        db.session.scalars(
            select(Idea)
            .where(Idea.duplicate_of_id == idea.id, ideas.visible_to(viewer))
            .order_by(Idea.id)
        )
    )
