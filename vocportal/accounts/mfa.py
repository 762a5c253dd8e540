"""A second factor at login: a TOTP authenticator (RFC 6238) and single-use recovery codes.

The secret is kept encrypted (Fernet, with a key derived from SECRET_KEY): a copy of the
database alone does not give anyone codes. Changing SECRET_KEY makes the stored secrets
unreadable: people then log in with a recovery code (kept as salted digests, which do not
depend on the key) and enrol again, or an admin resets their MFA.

A code is accepted for the current 30-second step and one step either side (clock drift),
and only for a step later than the last one accepted, so no code works twice.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import secrets
from datetime import datetime

import pyotp
import segno
from cryptography.fernet import Fernet, InvalidToken
from flask import current_app
from markupsafe import Markup
from sqlalchemy import delete, select

from vocportal.accounts import events
from vocportal.accounts.models import RecoveryCode, User
from vocportal.accounts.operations import end_sessions
from vocportal.errors import OperationError, PermissionDenied
from vocportal.extensions import db
from vocportal.timeutil import utcnow

log = logging.getLogger(__name__)

#: Recovery codes given at enrolment.
RECOVERY_CODES = 10
#: Time steps either side of now whose codes are accepted (clock drift between devices).
VALID_WINDOW = 1
STEP_SECONDS = 30


def new_secret() -> str:
    """A fresh random TOTP secret (base32, 160 bits)."""
    return pyotp.random_base32(32)


def _fernet() -> Fernet:
    digest = hashlib.sha256(
        b"vocportal-totp-secret\x00" + current_app.config["SECRET_KEY"].encode()
    ).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def _seal(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def _open(sealed: str | None) -> str | None:
    if not sealed:
        return None
    try:
        return _fernet().decrypt(sealed.encode()).decode()
    except InvalidToken:  # SECRET_KEY changed since enrolment
        log.warning("a TOTP secret could not be decrypted (SECRET_KEY changed?)")
        return None


def provisioning_uri(user: User, secret: str) -> str:
    """The otpauth:// URI an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(
        name=user.email, issuer_name=current_app.config["PORTAL_NAME"]
    )


def qr_svg(uri: str) -> Markup:
    """The QR code of `uri` as an inline <svg> element (no script, no external image)."""
    svg = segno.make(uri, error="m").svg_inline(
        scale=4, border=2, dark="#111", light="#fff", title="QR code for your authenticator app"
    )
    return Markup(svg)


def grouped(secret: str) -> str:
    """The secret in groups of four, for typing it into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _normalise(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def _matching_step(secret: str, code: str, after: int | None, now: datetime | None) -> int | None:
    """The time step whose code `code` is, within the window and later than `after`."""
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    current = int((now or utcnow()).timestamp()) // STEP_SECONDS
    found = None
    for step in range(current - VALID_WINDOW, current + VALID_WINDOW + 1):
        if hmac.compare_digest(totp.generate_otp(step), code) and (after is None or step > after):
            found = step
    return found


def enable(user: User, secret: str, code: str, *, now: datetime | None = None) -> list[str]:
    """Turn MFA on with the authenticator whose `secret` the person just scanned, once they
    type a current code from it; return the ten recovery codes, shown this once only."""
    if user.mfa_enabled:
        raise OperationError("Two-factor authentication is already on.")
    step = _matching_step(secret, _normalise(code), None, now)
    if step is None:
        raise OperationError(
            "That code does not match. Check the time on your phone and type the newest code.",
            field="code",
        )
    user.totp_secret = _seal(secret)
    user.totp_enabled_at = utcnow()
    user.totp_last_step = step
    codes = _new_recovery_codes(user)
    # Sessions and remember-me cookies made with the password alone end here.
    end_sessions(user)
    return codes


def _hash_code(code: str, salt: bytes | None = None) -> str:
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.sha256(salt + _normalise(code).encode()).hexdigest()
    return f"{salt.hex()}${digest}"


def _code_matches(stored: str, code: str) -> bool:
    salt_hex, _, _ = stored.partition("$")
    try:
        salt = bytes.fromhex(salt_hex)
    except ValueError:
        return False
    return hmac.compare_digest(_hash_code(code, salt), stored)


def _new_recovery_codes(user: User) -> list[str]:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = base64.b32encode(secrets.token_bytes(10)).decode().lower()  # 80 bits, 16 chars
        code = "-".join(raw[i : i + 4] for i in range(0, 16, 4))
        db.session.add(RecoveryCode(user_id=user.id, code_hash=_hash_code(code)))
        codes.append(code)
    return codes


def recovery_codes_left(user: User) -> int:
    return len(
        db.session.scalars(
            select(RecoveryCode.id).where(
                RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
            )
        ).all()
    )


def check_code(user: User, code: str, *, now: datetime | None = None) -> str | None:
    """Accept a current authenticator code (not used before) or an unused recovery code,
    and use it up: return "authenticator" or "recovery"; None for anything else."""
    if not user.mfa_enabled:
        return None
    code = _normalise(code)
    if len(code) == 6 and code.isdigit():
        secret = _open(user.totp_secret)
        step = _matching_step(secret, code, user.totp_last_step, now) if secret else None
        if step is None:
            return None
        user.totp_last_step = step
        db.session.flush()
        return "authenticator"
    if len(code) != 16:
        return None
    unused = db.session.scalars(
        select(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    ).all()
    for row in unused:
        if _code_matches(row.code_hash, code):
            row.used_at = utcnow()
            db.session.flush()
            return "recovery"
    return None


def complete_login(user: User, code: str, *, now: datetime | None = None) -> str:
    """The second step of a login: check and use up `code`; return "authenticator" or
    "recovery" (which kind it was)."""
    kind = check_code(user, code, now=now)
    if kind is None:
        raise OperationError(
            "That code is not right, or was used already. Type the newest code from your "
            "authenticator app, or one of your recovery codes.",
            field="code",
        )
    user.last_login_at = utcnow()
    db.session.flush()
    return kind


def turn_off(user: User, code: str, *, required: bool) -> None:
    """The person turns their own MFA off, with a current code; not when it is required."""
    if required:
        raise OperationError("Staff and admins must keep two-factor authentication on.")
    if check_code(user, code) is None:
        raise OperationError("That code is not right, or was used already.", field="code")
    disable(user)
    end_sessions(user)


def disable(user: User) -> None:
    """Forget the authenticator and the recovery codes."""
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.flush()


def reset_by_admin(actor: User, user: User) -> None:
    """An admin turns another person's MFA off (a lost phone and no recovery codes left):
    their sessions end, and they enrol again at their next staff page if it is required.
    `mfa_reset` is sent (the audit log records it)."""
    if not actor.is_admin:
        raise PermissionDenied()
    if user.id == actor.id:
        raise OperationError("Reset your own two-factor authentication from your profile.")
    if not user.mfa_enabled:
        raise OperationError(f"{user.email} has no two-factor authentication to reset.")
    disable(user)
    end_sessions(user)
    events.mfa_reset.send(user, actor=actor)
