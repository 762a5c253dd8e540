"""The web side of notifications: record what people must hear about, in the outbox.

`record_event` runs inside the transaction of what caused it (a status update, a staff
comment, a theme alert): it writes a NotificationEvent and defers its fan-out job, which
RQ gets only after that transaction commits. It flushes and never commits; the request
(or job) that called it commits once. Everything after that is the worker side
(`vocportal.notifications.delivery` and `.sending`).
"""

from __future__ import annotations

from vocportal.accounts.models import User
from vocportal.extensions import db
from vocportal.notifications.models import EventKind, NotificationEvent
from vocportal.queue import jobnames
from vocportal.queue.models import JobRecord
from vocportal.queue.operations import defer
from vocportal.text import one_line


def record_event(
    kind: EventKind,
    *,
    title: str,
    text: str,
    link: str,
    actor: User | None = None,
    idea_id: int | None = None,
    status_change_id: int | None = None,
    comment_id: int | None = None,
    theme_id: int | None = None,
    question_id: int | None = None,
    feedback_item_id: int | None = None,
) -> NotificationEvent:
    """Write the outbox row for something people must hear about and defer its fan-out."""
    event = NotificationEvent(
        kind=kind,
        title=one_line(title)[:300],
        text=text,
        link=link[:300],
        actor_id=actor.id if actor is not None else None,
        idea_id=idea_id,
        status_change_id=status_change_id,
        comment_id=comment_id,
        theme_id=theme_id,
        question_id=question_id,
        feedback_item_id=feedback_item_id,
    )
    db.session.add(event)
    db.session.flush()
    defer_fan_out(event.id)
    return event


def defer_fan_out(event_id: int) -> JobRecord:
    """Defer the fan-out job of one event (at most one active per event)."""
    return defer(
        "notify: fan out",
        jobnames.NOTIFY_FAN_OUT,
        event_id,
        queue="notifications",
        dedupe_key=f"notify:fanout:{event_id}",
        timeout=900,
        attempts=5,
    )
