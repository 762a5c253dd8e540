"""API rules: personal tokens, and what the API adds on top of other features' operations.

Tokens: the secret is shown once and only its SHA-256 is stored; a token acts as its owner
(customer or staff) with the scopes it was given, and dies when revoked or when its owner is
blocked. Everything else calls the operations the web uses, so the API and the web follow
the same rules.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import func, select, update

from vocportal.accounts.models import User
from vocportal.api.models import ApiToken, TokenRevocation
from vocportal.audit import operations as audit_ops
from vocportal.companies.models import Company
from vocportal.errors import OperationError, PermissionDenied
from vocportal.extensions import db
from vocportal.timeutil import utcnow

#: Every token starts with this, so leaked tokens are easy to recognise (and to scan for).
TOKEN_PREFIX = "vp_"
#: Characters of the token kept in clear, to tell tokens apart in the list.
SHOWN_CHARS = 10
SCOPES = {"read": "read", "write": "read write"}
#: Active tokens one person may hold.
MAX_ACTIVE_TOKENS = 25
#: `last_used_at` is written at most this often per token (not on every request).
TOUCH_EVERY = timedelta(minutes=1)
#: Items in one bulk feedback request.
MAX_BULK_ITEMS = 1000


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def create_token(user: User, name: str, scope: str) -> tuple[ApiToken, str]:
    """Give `user` a new token; return it and its secret (shown once, never stored)."""
    name = " ".join((name or "").split())
    if not name:
        raise OperationError("Give the token a name, to recognise it later.", field="name")
    if len(name) > 80:
        raise OperationError("Use at most 80 characters.", field="name")
    if scope not in SCOPES:
        raise OperationError("Choose read or read and write.", field="scope")
    active = db.session.scalar(
        select(func.count())
        .select_from(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    )
    if active >= MAX_ACTIVE_TOKENS:
        raise OperationError(
            f"You have {MAX_ACTIVE_TOKENS} active tokens; revoke one first.", field="name"
        )
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        name=name,
        token_hash=hash_secret(secret),
        prefix=secret[:SHOWN_CHARS],
        scopes=SCOPES[scope],
        created_at=utcnow(),
    )
    db.session.add(token)
    db.session.flush()
    _audit(user, token, "created", f"({token.scopes}) created", scopes=token.scopes)
    return token, secret


def _audit(actor: User, token: ApiToken, what: str, summary: str, **details) -> None:
    """Record a token's creation or revocation in the audit log (never its secret)."""
    audit_ops.record(
        actor,
        f"api_token.{what}",
        target_type="api_token",
        target_id=token.id,
        summary=f"API token {token.prefix}… {summary}",
        details={"name": token.name, **details},
    )


def tokens_of(user: User) -> list[ApiToken]:
    """The person's tokens, active ones first, newest first."""
    return list(
        db.session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user.id)
            .order_by(ApiToken.revoked_at.is_not(None), ApiToken.id.desc())
        )
    )


def get_own_token(user: User, token_id: int) -> ApiToken | None:
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        return None
    return token


def revoke_token(actor: User, token: ApiToken) -> None:
    """Revoke a token at once: its owner only."""
    if token.user_id != actor.id:
        raise PermissionDenied()
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        token.revoked_reason = TokenRevocation.owner
        db.session.flush()
        _audit(actor, token, "revoked", "revoked")


def revoke_tokens_of(user: User, reason: TokenRevocation) -> int:
    """Revoke every live token `user` holds (their password changed or was reset); return
    how many."""
    result = db.session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow(), revoked_reason=reason)
    )
    return result.rowcount


def credential_revocation(user: User) -> ApiToken | None:
    """The latest token a password change or reset revoked, unless a token was created
    since (the token page says what happened, until the person has made new ones)."""
    latest = db.session.scalar(
        select(ApiToken)
        .where(
            ApiToken.user_id == user.id,
            ApiToken.revoked_reason.in_(
                [TokenRevocation.password_changed, TokenRevocation.password_reset]
            ),
        )
        .order_by(ApiToken.revoked_at.desc(), ApiToken.id.desc())
        .limit(1)
    )
    if latest is None:
        return None
    newer = db.session.scalar(
        select(func.count())
        .select_from(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.created_at > latest.revoked_at)
    )
    return None if newer else latest


def authenticate_token(secret: str) -> ApiToken | None:
    """Return the live token whose secret this is (owner not blocked), else None.

    Notes the use (at most once a minute); the request commits it.
    """
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_secret(secret)))
    if token is None or token.revoked_at is not None or token.user.blocked:
        return None
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at >= TOUCH_EVERY:
        token.last_used_at = now
    return token


# --- companies (staff) ---------------------------------------------------------------------


def _require_staff(actor: User | None) -> None:
    if actor is None or not actor.is_staff:
        raise PermissionDenied()


def company_listing(actor: User, q: str = ""):
    """Companies by name (optionally those whose name contains `q`): staff only."""
    _require_staff(actor)
    stmt = select(Company).order_by(func.lower(Company.name), Company.id)
    q = q.strip().lower()
    if q:
        escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        stmt = stmt.where(func.lower(Company.name).like(f"%{escaped}%", escape="\\"))
    return stmt


def get_company(actor: User, company_id: int) -> Company | None:
    _require_staff(actor)
    return db.session.get(Company, company_id)


# --- feedback (staff) ----------------------------------------------------------------------


@dataclass
class ItemResult:
    """What happened to one item of a bulk import: created, existing or error."""

    index: int
    status: str
    id: int | None = None
    error: dict | None = None


@dataclass
class BulkResult:
    results: list[ItemResult] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)

    @property
    def created(self) -> int:
        return self.count("created")

    @property
    def existing(self) -> int:
        return self.count("existing")

    @property
    def failed(self) -> int:
        return self.count("error")


def add_feedback(actor: User, **values):
    """Store one feedback item sent through the API: staff only. Returns (item, created)."""
    from vocportal.feedback.operations import create_feedback

    _require_staff(actor)
    return create_feedback(**values)


def import_feedback(actor: User, items: list[dict | Exception]) -> BulkResult:
    """Store many feedback items: a refused item is reported with its index and the others
    are still stored. Items already seen (same source and external id) are reported as
    existing, so a retried import stores nothing twice.

    `items` holds each item's values, or the validation error that item had. Items are
    stored per source with `create_feedback_bulk` (a few statements per batch, not per item).
    """
    from vocportal.feedback.operations import create_feedback_bulk

    _require_staff(actor)
    if len(items) > MAX_BULK_ITEMS:
        raise OperationError(f"Send at most {MAX_BULK_ITEMS} items at once.", field="items")
    outcome: dict[int, ItemResult] = {}
    by_source: dict = {}
    for index, values in enumerate(items):
        if isinstance(values, Exception):
            outcome[index] = ItemResult(index, "error", error=error_detail(values))
        else:
            by_source.setdefault(values["source"], []).append((index, values))
    for source, group in by_source.items():
        stored = create_feedback_bulk(
            [{k: v for k, v in values.items() if k != "source"} for _, values in group], source
        )
        for (index, _), done in zip(group, stored, strict=True):
            if done.error:
                error = OperationError(done.error, field=done.field)
                outcome[index] = ItemResult(index, "error", error=error_detail(error))
            else:
                status = "created" if done.created else "existing"
                outcome[index] = ItemResult(index, status, id=done.id)
    result = BulkResult([outcome[i] for i in range(len(items))])
    counts = {s: result.count(s) for s in ("created", "existing", "error")}
    audit_ops.record(
        actor,
        "feedback.imported",
        target_type="feedback",
        summary=f"{len(items)} feedback items imported through the API",
        details={"channel": "api", **counts},
    )
    return result


def error_detail(error: Exception) -> dict:
    """{message, fields} for a refused item, in the API's error vocabulary."""
    from marshmallow import ValidationError

    if isinstance(error, OperationError):
        fields = {error.field: [error.message]} if error.field else {}
        return {"message": error.message, "fields": fields}
    if isinstance(error, ValidationError):
        from vocportal.api.errors import flatten_messages

        return {"message": "This item is not valid.", "fields": flatten_messages(error.messages)}
    return {"message": str(error), "fields": {}}
