"""Customer memory: one timeline of everything a person or company said and was told."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from vocportal.accounts.models import User
from vocportal.extensions import db
from vocportal.feedback.models import FeedbackItem
from vocportal.ideas.models import Comment, Follow, Idea, Vote
from vocportal.ideas.operations import idea_path
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


def _on_ideas(
    model, person, kind: str, action: str, people: dict[int, User], *where, body=None, anchor=""
):
    """Entries for rows of `model` (votes, comments, opt-outs) whose `person` column is one
    of `people`, each naming its idea (with `body`, quoting that column too) and linking to
    it (with `anchor`, to the row itself on the idea's page: "#c12")."""
    rows = db.session.execute(
        select(model, Idea.title)
        .join(Idea, Idea.id == model.idea_id)
        .where(person.in_(list(people)), *where)
    )
    return [
        Entry(
            row.created_at,
            kind,
            people[getattr(row, person.key)],
            action,
            f"“{title}”" + (f": {getattr(row, body.key)}" if body is not None else ""),
            idea_path(row.idea_id, f"{anchor}{row.id}" if anchor else ""),
        )
        for row, title in rows
    ]


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
                idea_path(idea.id),
            )
        )
    entries += _on_ideas(Vote, Vote.user_id, "vote", "Voted for", people)
    entries += _on_ideas(
        Comment, Comment.author_id, "comment", "Commented on", people, body=Comment.body, anchor="c"
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
    entries += _on_ideas(
        Follow,
        Follow.user_id,
        "unsubscribed",
        "Opted out of updates on",
        people,
        Follow.muted.is_(True),
    )
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries[:limit]
