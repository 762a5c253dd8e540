"""One-click unsubscribe from the weekly report and theme notes, for people and for
subscribed addresses without an account: a signed token names what it stops (RFC 8058's
POST needs no login and no CSRF token: the signature is the authority).

Operations: flush, never commit.
"""

from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import delete, select

from vocportal.accounts.models import User
from vocportal.extensions import db
from vocportal.notifications.models import DeliveryState
from vocportal.reports.models import (
    KIND_REPORT,
    KIND_THEME_NOTE,
    ReportDelivery,
    ReportOptOut,
    ReportSubscriber,
    ThemeFollow,
)
from vocportal.sqlutil import insert_ignore
from vocportal.timeutil import utcnow

#: Token kinds: a staff member's report, a subscribed address's report, a follower's notes.
TOKEN_USER, TOKEN_ADDRESS, TOKEN_THEMES = "user", "address", "themes"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="vocportal-report-unsubscribe")


def unsubscribe_token(kind: str, target_id: int) -> str:
    """A signed token that stops one stream: the report for a person or an address, or a
    person's theme notes."""
    return _serializer().dumps([kind, target_id])


def unsubscribe_url(delivery: ReportDelivery) -> str:
    """The one-click unsubscribe link of a delivery (a page; `/one-click` is for mail
    clients, RFC 8058)."""
    if delivery.kind == KIND_THEME_NOTE:
        token = unsubscribe_token(TOKEN_THEMES, delivery.user_id)
    elif delivery.subscriber_id is not None:
        token = unsubscribe_token(TOKEN_ADDRESS, delivery.subscriber_id)
    else:
        token = unsubscribe_token(TOKEN_USER, delivery.user_id)
    base = current_app.config["BASE_URL"].rstrip("/")
    return f"{base}/reports/unsubscribe/{token}"


def read_token(token: str) -> tuple[str, User | ReportSubscriber] | None:
    """(kind, the person or subscribed address) a token names, or None (forged, gone)."""
    try:
        kind, target_id = _serializer().loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    if not isinstance(target_id, int) or kind not in (TOKEN_USER, TOKEN_ADDRESS, TOKEN_THEMES):
        return None
    model = ReportSubscriber if kind == TOKEN_ADDRESS else User
    target = db.session.get(model, target_id)
    return (kind, target) if target is not None else None


def unsubscribe(kind: str, target: User | ReportSubscriber) -> None:
    """Stop what the token names, and skip its emails that have not gone yet."""
    waiting = [DeliveryState.pending]
    if kind == TOKEN_ADDRESS:
        if target.unsubscribed_at is None:
            target.unsubscribed_at = utcnow()
        where = ReportDelivery.subscriber_id == target.id
    elif kind == TOKEN_USER:
        db.session.execute(insert_ignore(ReportOptOut, user_id=target.id, created_at=utcnow()))
        where = (ReportDelivery.user_id == target.id) & (ReportDelivery.kind == KIND_REPORT)
    else:
        db.session.execute(delete(ThemeFollow).where(ThemeFollow.user_id == target.id))
        where = (ReportDelivery.user_id == target.id) & (ReportDelivery.kind == KIND_THEME_NOTE)
    for row in db.session.scalars(
        select(ReportDelivery).where(where, ReportDelivery.state.in_(waiting))
    ):
        row.state = DeliveryState.skipped
    db.session.flush()


def resubscribe(kind: str, target: User | ReportSubscriber) -> None:
    """Undo an unsubscribe from the report (theme follows are made again on theme pages)."""
    if kind == TOKEN_ADDRESS:
        target.unsubscribed_at = None
    elif kind == TOKEN_USER:
        db.session.execute(delete(ReportOptOut).where(ReportOptOut.user_id == target.id))
    db.session.flush()


def is_unsubscribed(kind: str, target_id: int | None) -> bool:
    """Whether the recipient of a delivery opted out since it was queued."""
    if target_id is None:
        return False
    if kind == TOKEN_ADDRESS:
        sub = db.session.get(ReportSubscriber, target_id)
        return sub is None or sub.unsubscribed_at is not None
    user = db.session.get(User, target_id)
    if user is None or user.blocked:
        return True
    if kind == TOKEN_USER:
        return db.session.get(ReportOptOut, target_id) is not None
    return False
