"""Customer memory: one timeline of everything a person or company said and was told."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from vocportal.accounts.models import User
from vocportal.extensions import db
from vocportal.feedback.models import FeedbackItem
from vocportal.ideas.models import Comment, Follow, Idea, Vote
from vocportal.notifications.models import Channel, Notification, NotificationEvent


@dataclass
class Entry:
    at: datetime
    #: "idea", "vote", "comment", "feedback", "told", "unsubscribed"
    kind: str
    person: User
    #: The sentence's start, what they did ("Voted for"); `text` completes it (and is linked).
    action: str
    text: str
    link: str | None = None
    #: For "told": how the email went (sent, pending, digest, failed, skipped) or None.
    email_state: str | None = None


def _people(user_ids: list[int]) -> dict[int, User]:
    return {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(user_ids)))}


def timeline(user_ids: list[int], limit: int = 300) -> list[Entry]:
    """Newest first: ideas, votes, comments, feedback, and each update sent to them."""
    if not user_ids:
        return []
    people = _people(user_ids)
    entries: list[Entry] = []
    for idea in db.session.scalars(select(Idea).where(Idea.author_id.in_(user_ids))):
        entries.append(
            Entry(
                idea.created_at,
                "idea",
                people[idea.author_id],
                "Posted",
                f"“{idea.title}”",
                f"/ideas/{idea.id}",
            )
        )
    for vote, title in db.session.execute(
        select(Vote, Idea.title)
        .join(Idea, Idea.id == Vote.idea_id)
        .where(Vote.user_id.in_(user_ids))
    ):
        entries.append(
            Entry(
                vote.created_at,
                "vote",
                people[vote.user_id],
                "Voted for",
                f"“{title}”",
                f"/ideas/{vote.idea_id}",
            )
        )
    for comment, title in db.session.execute(
        select(Comment, Idea.title)
        .join(Idea, Idea.id == Comment.idea_id)
        .where(Comment.author_id.in_(user_ids))
    ):
        entries.append(
            Entry(
                comment.created_at,
                "comment",
                people[comment.author_id],
                "Commented on",
                f"“{title}”: {comment.body}",
                f"/ideas/{comment.idea_id}#c{comment.id}",
            )
        )
    for item in db.session.scalars(
        select(FeedbackItem).where(FeedbackItem.author_id.in_(user_ids))
    ):
        entries.append(
            Entry(
                item.received_at,
                "feedback",
                people[item.author_id],
                f"Gave feedback via {item.source.label}:",
                item.text,
                f"/staff/feedback/{item.id}",
            )
        )
    told = db.session.execute(
        select(Notification, NotificationEvent)
        .join(NotificationEvent, NotificationEvent.id == Notification.event_id)
        .where(Notification.user_id.in_(user_ids))
        .order_by(Notification.id)
    ).all()
    by_event: dict[tuple[int, int], dict] = {}
    for notification, event in told:
        key = (event.id, notification.user_id)
        entry = by_event.setdefault(
            key,
            {
                "event": event,
                "user": notification.user_id,
                "email": None,
                "at": notification.created_at,
            },
        )
        if notification.channel is Channel.email:
            entry["email"] = notification.state.value
    for entry in by_event.values():
        event = entry["event"]
        entries.append(
            Entry(
                entry["at"],
                "told",
                people[entry["user"]],
                "Was told",
                event.title,
                event.link,
                email_state=entry["email"] or "no email (preference)",
            )
        )
    for follow, title in db.session.execute(
        select(Follow, Idea.title)
        .join(Idea, Idea.id == Follow.idea_id)
        .where(Follow.user_id.in_(user_ids), Follow.muted.is_(True))
    ):
        entries.append(
            Entry(
                follow.created_at,
                "unsubscribed",
                people[follow.user_id],
                "Opted out of updates on",
                f"“{title}”",
                f"/ideas/{follow.idea_id}",
            )
        )
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries[:limit]
