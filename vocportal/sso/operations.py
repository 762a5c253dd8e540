"""Single sign-on rules: which portal account an identity a provider vouches for signs in as."""

from __future__ import annotations

import secrets

from sqlalchemy import select

from vocportal.accounts import operations as account_ops
from vocportal.accounts.models import Role, User
from vocportal.errors import OperationError
from vocportal.extensions import db
from vocportal.security import hash_password
from vocportal.sso.models import SsoIdentity
from vocportal.timeutil import utcnow


class SignInRefused(OperationError):
    """The provider's answer does not let this person in (the message says why)."""


def email_is_verified(claims: dict) -> bool:
    """Whether the provider says it checked the email: `email_verified` true, nothing less."""
    value = claims.get("email_verified")
    return value is True or (isinstance(value, str) and value.lower() == "true")


def _unusable_password() -> str:
    # A hash of a password nobody knows: the row is an account (not a contact), logins by
    # password fail at the usual cost, and a reset link can still give it a real one.
    return hash_password(secrets.token_urlsafe(32))


def _display_name(claims: dict, email: str) -> str:
    for key in ("name", "preferred_username", "given_name"):
        value = claims.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()[:80]
    return email.split("@", 1)[0][:80]


def identity_for(issuer: str, subject: str) -> SsoIdentity | None:
    return db.session.scalar(
        select(SsoIdentity).where(SsoIdentity.issuer == issuer, SsoIdentity.subject == subject)
    )


def sign_in(provider: str, issuer: str, claims: dict) -> User:
    """Return the account an ID token's verified claims sign in as, linking or creating it.

    An identity seen before signs in as the account it was linked to, whatever email it
    carries now. A new one is linked by email only when the provider says the email is
    verified; an unverified email that belongs to an account or a contact is refused (it
    would hand that person's account or history to whoever typed their address at the
    provider), and an account made from one stays unverified under the portal's rules."""
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject or len(subject) > 255 or len(issuer) > 255:
        raise SignInRefused("The sign-in provider sent no usable account id.")
    identity = identity_for(issuer, subject)
    if identity is not None:
        user = db.session.get(User, identity.user_id)
    else:
        user = _link_new_identity(provider, issuer, subject, claims)
        identity = identity_for(issuer, subject)
    if user is None or user.blocked:
        raise SignInRefused("This account cannot sign in.")
    now = utcnow()
    identity.last_login_at = now
    user.last_login_at = now
    db.session.flush()
    return user


def _link_new_identity(provider: str, issuer: str, subject: str, claims: dict) -> User:
    email = claims.get("email")
    if not isinstance(email, str) or "@" not in email or len(email.strip()) > 254:
        raise SignInRefused(
            "The sign-in provider did not share your email address, which the portal needs."
        )
    email = account_ops.normalise_email(email)
    verified = email_is_verified(claims)
    user = account_ops.find_user_by_email(email)
    if user is not None and not verified:
        raise SignInRefused(
            "The sign-in provider has not verified your email address, and an account "
            "already uses it. Log in another way, or verify the address with the provider."
        )
    if user is not None and user.blocked:
        raise SignInRefused("This account cannot sign in.")
    if user is None:
        user = User(
            email=email,
            display_name=_display_name(claims, email),
            password_hash=_unusable_password(),
            role=Role.customer,
        )
        db.session.add(user)
    elif user.is_contact:
        # A contact known from feedback: a verified address proves the history is theirs,
        # and any sign-up still waiting on the address (someone else's guess) is dropped.
        user.password_hash = _unusable_password()
        user.pending_password_hash = None
        user.display_name = _display_name(claims, email)
    if verified:
        account_ops.mark_verified(user)
    db.session.flush()
    db.session.add(SsoIdentity(user_id=user.id, provider=provider, issuer=issuer, subject=subject))
    db.session.flush()
    return user
