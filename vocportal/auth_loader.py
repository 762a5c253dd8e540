"""Flask-Login's user loader: a session is valid only for the user's current session version."""

from __future__ import annotations

from vocportal.accounts.models import User
from vocportal.extensions import db


def load_user(identity: str) -> User | None:
    user_id, _, version = identity.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.blocked or user.session_version != int(version):
        return None
    return user
