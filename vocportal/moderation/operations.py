"""The staff queue, and approving or rejecting what moderation held or flagged.

Approving a held post publishes it and only then announces it, with the same domain event
posting would have sent (`ideas.events`), so webhooks, notifications and the embedding job
follow exactly as for any new post. Rejecting keeps it (or takes it) off the board; the
reason reaches its author in the bell and by email through the notification outbox. Each
decision is written to the audit log.

Blocking a person hides their pending posts: the queue leaves out reviews of blocked
authors (the posts stay unpublished; unblocking brings them back to the queue).
"""

from __future__ import annotations

from sqlalchemy import case, func, select, update
from sqlalchemy.orm import selectinload

from vocportal.accounts.models import User
from vocportal.audit import operations as audit
from vocportal.errors import OperationError, PermissionDenied
from vocportal.extensions import db
from vocportal.ideas import events
from vocportal.ideas.models import Comment, Idea, Moderation
from vocportal.ideas.operations import idea_path
from vocportal.moderation.models import OPEN_STATES, ModerationReview, ReviewState
from vocportal.notifications.models import EventKind
from vocportal.notifications.outbox import record_event
from vocportal.timeutil import utcnow


def _open_reviews():
    return (
        select(ModerationReview)
        .join(User, User.id == ModerationReview.author_id)
        .where(ModerationReview.state.in_(OPEN_STATES), User.blocked.is_(False))
    )


def queue(actor: User):
    """What waits for staff, as a select: held posts first, then flagged ones, oldest
    first; posts of blocked people are left out."""
    if not actor.is_staff:
        raise PermissionDenied()
    held_first = case((ModerationReview.state == ReviewState.held, 0), else_=1)
    # The page shows each review's idea, comment and author: load them with the page.
    return (
        _open_reviews()
        .options(
            selectinload(ModerationReview.idea),
            selectinload(ModerationReview.comment),
            selectinload(ModerationReview.author),
        )
        .order_by(held_first, ModerationReview.id)
    )


def waiting_count() -> int:
    """How many posts wait for staff (held or flagged, authors not blocked)."""
    return db.session.scalar(select(func.count()).select_from(_open_reviews().subquery()))


def review_of(post: Idea | Comment) -> ModerationReview | None:
    """The latest review of a post (None if moderation never looked at it)."""
    stmt = select(ModerationReview).order_by(ModerationReview.id.desc()).limit(1)
    if isinstance(post, Comment):
        stmt = stmt.where(ModerationReview.comment_id == post.id)
    else:
        stmt = stmt.where(
            ModerationReview.idea_id == post.id, ModerationReview.comment_id.is_(None)
        )
    return db.session.scalar(stmt)


def rejection_reason(viewer: User | None, post: Idea | Comment) -> str:
    """Why staff rejected `post`, for its author and staff ("" for anyone else, or when it
    was not rejected)."""
    if post.moderation is not Moderation.rejected or viewer is None:
        return ""
    if not (viewer.is_staff or post.author_id == viewer.id):
        return ""
    review = review_of(post)
    return review.reason if review is not None else ""


def _post(review: ModerationReview) -> Idea | Comment:
    return review.comment if review.comment_id is not None else review.idea


def _decide(actor: User, review: ModerationReview, state: ReviewState, reason: str = "") -> None:
    if not actor.is_staff:
        raise PermissionDenied()
    if review.state not in OPEN_STATES:
        raise OperationError(f"This post was already {review.state.value}.")
    review.state = state
    review.reason = reason
    review.decided_at = utcnow()
    review.decided_by_id = actor.id


def _count_comment(comment: Comment, delta: int) -> None:
    db.session.execute(
        update(Idea)
        .where(Idea.id == comment.idea_id)
        .values(comment_count=Idea.comment_count + delta)
    )


def approve(actor: User, review: ModerationReview) -> None:
    """Publish a held post and announce it as if just posted; for a flagged (already
    published) post, mark it looked at. Staff only."""
    was_held = review.state is ReviewState.held
    if was_held and review.comment_id is not None and review.idea.moderation is not None:
        raise OperationError("Approve the idea first: this comment is on it.")
    _decide(actor, review, ReviewState.approved)
    post = _post(review)
    if was_held:
        post.moderation = None
    db.session.flush()
    # What is announced is what posting would have announced, and only if it can be seen
    # now (the author may have withdrawn the idea, or staff hidden it, meanwhile).
    if was_held and isinstance(post, Comment) and post.hidden_at is None:
        _count_comment(post, +1)
        db.session.flush()
        if review.idea.is_public:
            events.comment_added.send(review.idea, actor=post.author, comment=post)
    elif was_held and isinstance(post, Idea) and post.is_public:
        events.idea_created.send(post, actor=post.author)
    audit.record(
        actor,
        "moderation.approved",
        target_type=review.target_type,
        target_id=review.target_id,
        summary=f"Approved {review.target_type} #{review.target_id}"
        + ("" if was_held else " (flagged, already published)"),
    )


def reject(actor: User, review: ModerationReview, reason: str) -> None:
    """Keep a held post off the board, or take a flagged one off it, and tell its author
    why (bell and email). Staff only; the reason is required."""
    reason = reason.strip()
    if not reason:
        raise OperationError("Say why, for its author.", field="reason")
    was_published = review.state is ReviewState.flagged
    _decide(actor, review, ReviewState.rejected, reason)
    post = _post(review)
    post.moderation = Moderation.rejected
    if was_published and isinstance(post, Comment) and post.hidden_at is None:
        _count_comment(post, -1)
    db.session.flush()
    idea = review.idea
    comment = post if isinstance(post, Comment) else None
    what = f"Your comment on “{idea.title}”" if comment else f"Your idea “{idea.title}”"
    record_event(
        EventKind.moderation,
        title=f"{what} was not published",
        text=reason,
        link=idea_path(idea.id, f"c{comment.id}" if comment else "idea"),
        actor=actor,
        idea_id=idea.id,
        comment_id=comment.id if comment else None,
    )
    audit.record(
        actor,
        "moderation.rejected",
        target_type=review.target_type,
        target_id=review.target_id,
        summary=reason,
    )


def review_for_staff(actor: User, review_id: int) -> ModerationReview | None:
    if not actor.is_staff:
        raise PermissionDenied()
    return db.session.get(ModerationReview, review_id)
