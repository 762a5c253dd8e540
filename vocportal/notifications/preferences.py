"""What a person chooses to hear: email preference, one-click unsubscribe.

Operations in the usual sense: plain values and the person, flush only, never commit.
"""

from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import Update, select, update

from vocportal.accounts.models import EmailPref, User
from vocportal.extensions import db
from vocportal.ideas import support
from vocportal.ideas.models import Idea
from vocportal.notifications.models import Channel, DeliveryState, Notification, NotificationEvent

#: Email rows that have not gone yet (a send job or the digest still takes them).
_WAITING = [DeliveryState.pending, DeliveryState.digest]


def _waiting_email(user: User, states: list[DeliveryState]) -> Update:
    """An UPDATE of the person's email rows in `states`."""
    return update(Notification).where(
        Notification.user_id == user.id,
        Notification.channel == Channel.email,
        Notification.state.in_(states),
    )


def set_email_pref(user: User, pref: EmailPref) -> None:
    """Set how a person gets notification emails, and move what waits accordingly."""
    user.email_pref = pref
    if pref is EmailPref.never:  # nothing waits for an email that will never go
        db.session.execute(_waiting_email(user, _WAITING).values(state=DeliveryState.skipped))
    elif pref is EmailPref.immediate:  # a waiting digest goes out with the next send
        db.session.execute(
            _waiting_email(user, [DeliveryState.digest]).values(state=DeliveryState.pending)
        )
    db.session.flush()


def skip_waiting_emails(user: User, idea_id: int) -> None:
    """Emails to the person about an idea that have not gone yet will not go (it is muted)."""
    db.session.execute(
        _waiting_email(user, _WAITING)
        .where(
            Notification.event_id.in_(
                select(NotificationEvent.id).where(NotificationEvent.idea_id == idea_id)
            ),
        )
        .values(state=DeliveryState.skipped)
        .execution_options(synchronize_session=False)
    )


# --- unsubscribe ---------------------------------------------------------------------------


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="vocportal-unsubscribe")


def unsubscribe_token(user_id: int, idea_id: int | None) -> str:
    """A signed token that unsubscribes one person from one idea (None: from all email)."""
    return _serializer().dumps([user_id, idea_id])


def read_unsubscribe_token(token: str) -> tuple[User, Idea | None] | None:
    """The person and idea a token names, or None if it is forged or names nothing."""
    try:
        user_id, idea_id = _serializer().loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None:
        return None
    idea = db.session.get(Idea, idea_id) if isinstance(idea_id, int) else None
    if idea_id is not None and idea is None:
        return None
    return user, idea


def unsubscribe(user: User, idea: Idea | None) -> None:
    """Stop notifications about `idea` for `user` (with None: stop all email)."""
    if idea is None:
        set_email_pref(user, EmailPref.never)
        return
    support.unfollow(user, idea)  # mutes it; waiting emails about it are skipped
