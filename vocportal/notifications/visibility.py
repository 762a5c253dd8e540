"""Who may still read a notification event.

An event is recorded while its idea (and a staff comment) is public, but staff may hide
either, or the author withdraw the idea, before the person reads or is emailed about it.
Whatever names it then reaches only people who may still see it (the one rule in
`ideas.can_see` / `can_see_comment`): the bell filters when it reads (`readable_by`), and a
send job skips the email with the reason CONCEALED instead of sending it (`can_read`).
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, exists, or_, true

from vocportal.accounts.models import User
from vocportal.extensions import db
from vocportal.ideas import operations as ideas  # the visibility rule (imported both ways)
from vocportal.ideas.models import Comment, Idea
from vocportal.notifications.models import NotificationEvent

#: The `error` of an email row skipped because its idea or comment is no longer visible.
CONCEALED = "not sent: the idea or comment it is about is no longer visible to this person"


def readable_by(user: User) -> ColumnElement[bool]:
    """The events `user` may still read, as a WHERE clause over NotificationEvent."""
    if user.is_staff:
        return true()
    idea_ok = or_(
        NotificationEvent.idea_id.is_(None),
        exists().where(Idea.id == NotificationEvent.idea_id, ideas.visible_to(user)),
    )
    comment_ok = or_(  # `can_see_comment`: a hidden comment only for its author (or staff)
        NotificationEvent.comment_id.is_(None),
        exists().where(
            Comment.id == NotificationEvent.comment_id,
            or_(Comment.hidden_at.is_(None), Comment.author_id == user.id),
        ),
    )
    return and_(idea_ok, comment_ok)


def can_read(user: User, event: NotificationEvent) -> bool:
    """`readable_by` for one loaded event (at send time)."""
    if event.comment_id is not None:
        comment = db.session.get(Comment, event.comment_id)
        return comment is not None and ideas.can_see_comment(user, comment)
    if event.idea_id is not None:
        idea = db.session.get(Idea, event.idea_id)
        return idea is not None and ideas.can_see(user, idea)
    return True
