"""Login throttling per account, beside the per-address limit (LIMIT_LOGIN).

LIMIT_LOGIN holds back one address, whatever accounts it tries. LIMIT_LOGIN_ACCOUNT holds
back a guesser spread over many addresses: it counts failed logins to one account (by the
email typed, whether or not it has an account) from addresses that have never logged in
to it. An address where someone logged in to the account, or reset its password, in the
last KNOWN_FOR is the account's own: its attempts are not counted against the account and
never held back by it, so failing logins in someone's name cannot lock them out from
their own address (only that address's own LIMIT_LOGIN applies there, as before).

Counters and known addresses live in the rate-limit storage (Redis by default), so every
web worker shares them.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import timedelta

from flask import current_app, g, request, session
from flask_limiter.util import get_remote_address
from flask_login import current_user

from vocportal.accounts.models import normalise_email
from vocportal.extensions import limiter

log = logging.getLogger(__name__)

#: How long an address stays one of the account's own after a login from it.
KNOWN_FOR = timedelta(days=90)


def _account(email: str) -> str:
    # A digest: no email addresses in Redis keys.
    digest = hashlib.sha256(normalise_email(email).encode("utf-8", "surrogatepass"))
    return digest.hexdigest()[:40]


def _known_key(email: str, address: str) -> str:
    return f"login-known/{_account(email)}/{address}"


def _account_key() -> str:
    return f"login-account/{_account(request.form.get('email', ''))}"


def from_own_address() -> bool:
    """Whether this request comes from an address that logged in to the account named in
    the login form (it is then exempt from the account's limit)."""
    try:
        key = _known_key(request.form.get("email", ""), get_remote_address())
        return limiter.storage.get(key) > 0
    except Exception:  # the storage is down: count the attempt, like any other
        log.warning("rate-limit storage unreachable; login counted against the account")
        return False


def remember_address(email: str) -> None:
    """Note that the request's address may log in to `email`'s account (it just did)."""
    try:
        limiter.storage.incr(
            _known_key(email, get_remote_address()), int(KNOWN_FOR.total_seconds())
        )
    except Exception:
        log.warning("rate-limit storage unreachable; address not remembered for the account")


def _failures_limit(setting: str, flag: str, key_func, error_message: str, **options):
    """A limit (the `setting`) per `key_func` bucket on POSTs that count only when the view
    marked the request a failure (g.<flag>): right answers cost nothing."""
    return limiter.limit(
        lambda: current_app.config[setting],
        key_func=key_func,
        methods=["POST"],
        deduct_when=lambda response: bool(g.get(flag)),
        error_message=error_message,
        **options,
    )


def note_failure() -> None:
    """Count this request against the account's limit (a wrong email or password)."""
    g.login_failed = True


account_limit = _failures_limit(
    "LIMIT_LOGIN_ACCOUNT",
    "login_failed",
    _account_key,
    exempt_when=from_own_address,
    error_message=(
        "too many failed logins to this account from new addresses; you can still log in "
        "from a device you logged in from before, or after resetting your password"
    ),
)


# --- the second factor ----------------------------------------------------------------------


def _mfa_account_key() -> str:
    # One bucket per account, whether the code is typed at login (the account waiting in the
    # session) or at enrolment (the logged-in account).
    if current_user.is_authenticated:
        user_id = current_user.id
    else:
        pending = session.get("mfa_login")
        user_id = pending.get("id") if isinstance(pending, dict) else None
    return f"mfa-code/{user_id}"


def note_mfa_failure() -> None:
    """Count this request against the account's LIMIT_MFA (a wrong code)."""
    g.mfa_failed = True


#: Wrong codes per account (LIMIT_MFA), wherever they come from; right ones are not counted.
mfa_limit = _failures_limit(
    "LIMIT_MFA",
    "mfa_failed",
    _mfa_account_key,
    "too many wrong codes for this account; wait a few minutes and try again",
)
