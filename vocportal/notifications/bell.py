"""The bell: a person's in-app notifications, their unread count, marking them read.

Reads only what the person may still see (`visibility.readable_by`); flush only.
"""

from __future__ import annotations

from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import contains_eager

from vocportal.accounts.models import User
from vocportal.extensions import db
from vocportal.notifications import events
from vocportal.notifications.models import Channel, Notification, NotificationEvent
from vocportal.notifications.visibility import readable_by
from vocportal.timeutil import utcnow


def _inbox(user: User) -> Select:
    """The person's bell rows whose events they may still read (see `readable_by`)."""
    return (
        select(Notification)
        .join(Notification.event)
        .where(
            Notification.user_id == user.id,
            Notification.channel == Channel.web,
            readable_by(user),
        )
    )


def unread_count(user: User) -> int:
    """How many of the person's in-app notifications are unread."""
    return (
        db.session.scalar(
            _inbox(user).where(Notification.read_at.is_(None)).with_only_columns(func.count())
        )
        or 0
    )


def inbox(user: User, page: int = 1, per_page: int = 30) -> tuple[list[Notification], bool]:
    """A page of the person's in-app notifications, newest first, and whether more follow."""
    rows = list(
        db.session.scalars(
            _inbox(user)
            .options(contains_eager(Notification.event))
            .order_by(Notification.id.desc())
            .offset((page - 1) * per_page)
            .limit(per_page + 1)
        )
    )
    return rows[:per_page], len(rows) > per_page


def mark_read(user: User, notification_id: int | None = None) -> NotificationEvent | None:
    """Mark one notification (or, with None, all) read; return the one's event."""
    stmt = update(Notification).where(
        Notification.user_id == user.id,
        Notification.channel == Channel.web,
        Notification.read_at.is_(None),
    )
    row = None
    if notification_id is not None:
        row = db.session.scalar(_inbox(user).where(Notification.id == notification_id))
        if row is None:  # someone else's, or about what the person may no longer see
            return None
        stmt = stmt.where(Notification.id == notification_id)
    result = db.session.execute(
        stmt.values(read_at=utcnow()).execution_options(synchronize_session=False)
    )
    if result.rowcount:
        events.bell_changed.send(None, user_ids=[user.id])
    return row.event if row is not None else None
