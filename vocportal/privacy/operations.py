"""Privacy rules: who may download or erase whose data, and the re-authentication a person
gives before deleting their own account. Flush only; the request commits once."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from vocportal.accounts import mfa
from vocportal.accounts.models import User
from vocportal.accounts.operations import normalise_email
from vocportal.errors import OperationError, PermissionDenied
from vocportal.extensions import db
from vocportal.privacy import erasure
from vocportal.privacy.export import personal_data
from vocportal.security import verify_password
from vocportal.sso.models import SsoIdentity
from vocportal.timeutil import utcnow

#: The audit log's code for a download of someone's data.
EXPORTED_ACTION = "user.data_exported"
#: A person who signs in only through a provider (no password they know) deletes their
#: account within this long of signing in.
RECENT_SIGN_IN = timedelta(minutes=10)


def export(actor: User, user: User, portal_name: str) -> dict:
    """`user`'s data for `actor` (the person, or an admin answering a request); audited."""
    if actor.id != user.id and not actor.is_admin:
        raise PermissionDenied()
    now = utcnow()
    data = personal_data(user, portal_name, now)
    erasure.record(
        actor, user, EXPORTED_ACTION, own="downloaded their data", other="exported on request"
    )
    return data


def has_sso(user: User) -> bool:
    return (
        db.session.scalar(select(SsoIdentity.id).where(SsoIdentity.user_id == user.id)) is not None
    )


def _signed_in_recently(user: User, now: datetime) -> bool:
    return user.last_login_at is not None and now - user.last_login_at <= RECENT_SIGN_IN


def delete_own_account(user: User, confirm_email: str, password: str, code: str) -> erasure.Plan:
    """Erase `user` at their own request, once they typed their address and proved it is
    them: their password (or, for single sign-on, a sign-in in the last ten minutes) and,
    with two-factor authentication on, a current code."""
    if normalise_email(confirm_email or "") != user.email:
        raise OperationError("Type your email address exactly as shown.", field="confirm_email")
    erasure.check(user, user)
    by_provider = not password and has_sso(user) and _signed_in_recently(user, utcnow())
    if not by_provider and not verify_password(user.password_hash or None, password or ""):
        raise OperationError("That is not your password.", field="password")
    if user.mfa_enabled and mfa.check_code(user, code or "") is None:
        raise OperationError("That code is not right, or was used already.", field="code")
    return erasure.erase(user, user)


def erase_by_admin(actor: User, user: User, confirm_email: str) -> erasure.Plan:
    """An admin erases a person or a contact on request, once they typed the address of the
    person the confirmation page showed."""
    if not actor.is_admin:
        raise PermissionDenied()
    if actor.id == user.id:
        raise OperationError("Delete your own account from your profile.")
    if normalise_email(confirm_email or "") != user.email:
        raise OperationError("Type the address exactly as shown.", field="confirm_email")
    return erasure.erase(actor, user)
