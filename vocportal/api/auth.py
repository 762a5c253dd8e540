"""Who is calling the API: a bearer token (acting as its owner) or nobody.

The portal's session cookie never authenticates the API: only `Authorization: Bearer`.
Anonymous callers may read what the public board shows; every write needs a token with the
write scope, and staff endpoints need a staff member's token.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, current_app, g, request
from flask_limiter.util import get_remote_address

from vocportal.accounts.models import User
from vocportal.api import operations as ops
from vocportal.api.models import ApiToken


@dataclass(frozen=True)
class Caller:
    token: ApiToken | None = None
    #: An Authorization header was sent but names no live token.
    bad_credentials: bool = False

    @property
    def user(self) -> User | None:
        return self.token.user if self.token is not None else None


def _bearer() -> str | None:
    header = request.headers.get("Authorization")
    if header is None:
        return None
    scheme, _, secret = header.strip().partition(" ")
    if scheme.lower() != "bearer":
        return ""
    return secret.strip()


def caller() -> Caller:
    """The request's caller, worked out once (the rate limiter asks first)."""
    found = g.get("api_caller")
    if found is None:
        secret = _bearer()
        if secret is None:
            found = Caller()
        else:
            token = ops.authenticate_token(secret) if secret else None
            found = Caller(token=token, bad_credentials=token is None)
        g.api_caller = found
    return found


def api_user() -> User | None:
    """The user the request acts as (None: anonymous)."""
    return caller().user


def check_access(*, write: bool = False, staff: bool = False, anonymous: bool = False) -> None:
    """Abort with 401/403 unless the caller may use an endpoint with these needs."""
    current = caller()
    if current.bad_credentials:
        abort(401, "This API token is unknown, revoked, or its owner is blocked.")
    if current.token is None:
        if anonymous and not write and not staff:
            return
        abort(401)
    if write and not current.token.allows("write"):
        abort(403, "This token is read-only; create one with the write scope.")
    if write and not current.token.user.is_verified:
        abort(
            403,
            "Confirm your email address first: open the link we emailed you, or ask for a "
            "new one on your profile page.",
        )
    if staff and not current.token.user.is_staff:
        abort(403, "Only staff tokens may use this endpoint.")
    if staff and current_app.config["REQUIRE_STAFF_MFA"] and not current.token.user.mfa_enabled:
        abort(403, "Turn on two-factor authentication (your profile page) to use staff endpoints.")


# --- rate limits ---------------------------------------------------------------------------


def rate_key() -> str:
    """Limits count per token for token holders, per address for everyone else."""
    current = caller()
    if current.token is not None:
        return f"api-token:{current.token.id}"
    return f"api-addr:{get_remote_address()}"


def rate_limit() -> str:
    if caller().token is not None:
        return current_app.config["LIMIT_API"]
    return current_app.config["LIMIT_API_ANONYMOUS"]
