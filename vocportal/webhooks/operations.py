"""Outbound webhooks: endpoints admins register, events turned into signed deliveries.

What a receiver gets, for every event its endpoint subscribes to:

    POST <endpoint URL>
    Content-Type: application/json
    User-Agent: vocportal-webhooks/1
    X-Vocportal-Event: idea.created
    X-Vocportal-Delivery: 42
    X-Vocportal-Timestamp: 1767225600
    X-Vocportal-Signature: sha256=<hex>

    {"id": 42, "event": "idea.created", "created_at": "2026-01-01T00:00:00+00:00",
     "data": {...}}

The signature is the hex HMAC-SHA256, keyed with the endpoint's secret, of
`<timestamp>.<raw body>` (Stripe's scheme). To verify: recompute it over the raw body
bytes as received, compare in constant time, and refuse timestamps older than a few
minutes, so that a captured request cannot be replayed later (`verify_signature` does
exactly this). Each attempt is signed afresh with its own timestamp; the delivery id stays
the same across retries, so a receiver that sees it twice (RQ delivers at least once) can
drop the repeat.

Any 2xx answer is a delivery. Anything else (another status, a timeout, a refused
connection) is retried by RQ up to WEBHOOK_ATTEMPTS attempts, after which the delivery is
failed; a target refused by the address check fails at once (see `webhooks.net`).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import delete, select

from vocportal.accounts.models import User
from vocportal.audit import operations as audit_ops
from vocportal.errors import OperationError, PermissionDenied
from vocportal.extensions import db
from vocportal.ideas.models import Board
from vocportal.queue import jobnames
from vocportal.queue import operations as queue
from vocportal.timeutil import utcnow
from vocportal.webhooks import chat, net
from vocportal.webhooks.models import (
    DeliveryStatus,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
    WebhookFormat,
)
from vocportal.webhooks.payloads import (  # noqa: F401  (the payloads, as callers know them)
    _iso,
    answer_payload,
    comment_payload,
    feedback_payload,
    idea_payload,
    report_payload,
    status_payload,
    theme_alert_payload,
)

#: Characters of a receiver's answer kept in the delivery log.
RESPONSE_BODY_CHARS = 2000
#: How old a signed timestamp may be before `verify_signature` refuses it (seconds).
SIGNATURE_TOLERANCE = 300


# --- signatures --------------------------------------------------------------------------


def sign(secret: str, timestamp: int | str, body: bytes) -> str:
    """Return the `X-Vocportal-Signature` value for a body sent at `timestamp`."""
    message = str(timestamp).encode() + b"." + body
    return "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def verify_signature(
    secret: str,
    timestamp: str,
    body: bytes,
    signature: str,
    *,
    tolerance: int = SIGNATURE_TOLERANCE,
    now: float | None = None,
) -> bool:
    """Check a request as a receiver should: the HMAC matches and the timestamp is recent."""
    try:
        sent = int(timestamp)
    except (TypeError, ValueError):
        return False
    if abs((time.time() if now is None else now) - sent) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, sent, body), signature or "")


# --- endpoints ---------------------------------------------------------------------------


def _check_admin(actor: User) -> None:
    if not actor.is_admin:
        raise PermissionDenied()


def check_url(url: str) -> str:
    """Return the URL cleaned up, or refuse it (field "url") as a webhook target.

    The scheme must be http or https and the host must resolve; unless WEBHOOK_ALLOW_PRIVATE
    is on, none of its addresses may be private, loopback, link-local and so on. The same
    check runs again before every delivery, since DNS answers change.
    """
    try:
        target = net.parse_target(url)
    except net.TargetRefused as refused:
        raise OperationError(refused.message, field="url") from None
    try:
        net.resolve(target, current_app.config["WEBHOOK_ALLOW_PRIVATE"])
    except net.TargetRefused as refused:
        raise OperationError(refused.message, field="url") from None
    except (OSError, UnicodeError):
        raise OperationError(
            f"The host {target.host} could not be found; check the URL.", field="url"
        ) from None
    return url.strip()


def create_endpoint(
    actor: User,
    url: str,
    events: list[str],
    format: WebhookFormat | str = WebhookFormat.json,
    board_ids: list[int] | None = None,
) -> WebhookEndpoint:
    """Register a receiver for some events, with a new random signing secret: admins only.

    `format`: the generic JSON envelope or a chat message (Slack, Teams, Discord);
    `board_ids`: the boards whose ideas it hears about (none: every board).
    """
    _check_admin(actor)
    events = set(events or [])
    chosen = [e.value for e in WebhookEvent if e.value in events]
    if not chosen or len(chosen) != len(events):
        raise OperationError("Choose at least one event.", field="events")
    try:
        format = WebhookFormat(format)
    except ValueError:
        raise OperationError("Choose one of the formats.", field="format") from None
    boards = sorted({int(b) for b in board_ids or []})
    known = db.session.scalars(select(Board.id).where(Board.id.in_(boards))).all() if boards else []
    if len(known) != len(boards):
        raise OperationError("Some of those boards do not exist.", field="boards")
    if len(url.strip()) > 500:
        raise OperationError("Use a URL of at most 500 characters.", field="url")
    endpoint = WebhookEndpoint(
        url=check_url(url),
        secret=secrets.token_urlsafe(32),
        events=chosen,
        format=format,
        board_ids=boards,
        active=True,
        created_by_id=actor.id,
    )
    db.session.add(endpoint)
    db.session.flush()
    _audit(actor, "webhook.created", endpoint, f"Webhook to {endpoint.url} created")
    return endpoint


def _audit(actor: User, action: str, endpoint: WebhookEndpoint, summary: str) -> None:
    details = {
        "url": endpoint.url,
        "events": list(endpoint.events),
        "format": endpoint.format.value,
        "board_ids": list(endpoint.board_ids or []),
        "active": endpoint.active,
    }
    target = {"target_type": "webhook", "target_id": endpoint.id}
    audit_ops.record(actor, action, **target, summary=summary, details=details)


def set_endpoint_active(actor: User, endpoint: WebhookEndpoint, active: bool) -> None:
    """Turn an endpoint on or off; while off, events are not sent to it: admins only."""
    _check_admin(actor)
    endpoint.active = active
    db.session.flush()
    state = "turned on" if active else "turned off"
    _audit(actor, "webhook.updated", endpoint, f"Webhook to {endpoint.url} {state}")


def delete_endpoint(actor: User, endpoint: WebhookEndpoint) -> None:
    """Remove an endpoint with its delivery log; queued deliveries are dropped: admins only."""
    _check_admin(actor)
    _audit(actor, "webhook.deleted", endpoint, f"Webhook to {endpoint.url} deleted")
    db.session.execute(delete(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id))
    db.session.delete(endpoint)
    db.session.flush()


def endpoints() -> list[WebhookEndpoint]:
    return list(db.session.scalars(select(WebhookEndpoint).order_by(WebhookEndpoint.id)))


def board_names() -> dict[int, str]:
    """Every board's name by id, in board order (what an endpoint can be limited to)."""
    rows = db.session.execute(select(Board.id, Board.name).order_by(Board.position, Board.id))
    return {board_id: name for board_id, name in rows}


def deliveries_of(endpoint: WebhookEndpoint):
    """The select for an endpoint's delivery log, newest first."""
    return (
        select(WebhookDelivery)
        .where(WebhookDelivery.endpoint_id == endpoint.id)
        .order_by(WebhookDelivery.id.desc())
    )


# --- emitting and delivering -------------------------------------------------------------


def endpoints_for(event: WebhookEvent) -> list[WebhookEndpoint]:
    """The active endpoints subscribed to `event`, oldest first (none: nothing to build)."""
    return [
        e
        for e in db.session.scalars(
            select(WebhookEndpoint)
            .where(WebhookEndpoint.active.is_(True))
            .order_by(WebhookEndpoint.id)
        )
        if event.value in (e.events or [])
    ]


def hears_board(endpoint: WebhookEndpoint, board_id: int | None) -> bool:
    """Whether an endpoint hears about something in `board_id` (None: in no board).

    An endpoint with no boards chosen hears about every board and about what is in none
    (new feedback not linked to an idea); one with boards chosen hears only about ideas in
    them and feedback linked to those ideas.
    """
    chosen = endpoint.board_ids or []
    return not chosen or board_id in chosen


def emit(
    event: WebhookEvent,
    data: dict,
    targets: list[WebhookEndpoint] | None = None,
    *,
    board_id: int | None = None,
    any_board: bool = False,
) -> list[WebhookDelivery]:
    """Queue a delivery of `data` to every active endpoint subscribed to `event` (or to
    `targets`, that list already looked up for many emits in a row) that hears about
    `board_id` (see `hears_board`; `any_board`: an event about no board that every
    subscribed endpoint hears, such as a theme alert).

    Call it inside the operation's transaction: the rows are written now and the jobs are
    handed to RQ only when that transaction commits (a rollback sends nothing).
    """
    targets = endpoints_for(event) if targets is None else targets
    if not any_board:
        targets = [e for e in targets if hears_board(e, board_id)]
    deliveries = []
    now = utcnow()
    for endpoint in targets:
        delivery = WebhookDelivery(endpoint_id=endpoint.id, event=event.value, created_at=now)
        db.session.add(delivery)
        db.session.flush()
        delivery.payload = {
            "id": delivery.id,
            "event": event.value,
            "created_at": _iso(now),
            "data": data,
        }
        deliveries.append(delivery)
    if deliveries:
        db.session.flush()
        attempts = current_app.config["WEBHOOK_ATTEMPTS"]
        timeout = int(current_app.config["WEBHOOK_TIMEOUT_SECONDS"] * 3) + 30
        for delivery in deliveries:
            queue.defer(
                "webhook delivery",
                jobnames.DELIVER_WEBHOOK,
                delivery.id,
                queue="default",
                attempts=attempts,
                timeout=timeout,
            )
    return deliveries


def body_of(delivery: WebhookDelivery) -> bytes:
    """The exact bytes sent (and signed) for a delivery: its envelope, or for a chat
    endpoint the message written from it (`vocportal.webhooks.chat`)."""
    document = delivery.payload
    if delivery.endpoint.format is not WebhookFormat.json:
        document = chat.render(delivery.endpoint.format, delivery.payload)
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode()


@dataclass(frozen=True)
class Attempt:
    """What one delivery attempt came to."""

    status: DeliveryStatus | None  #: the delivery's status after it (None: no such delivery)
    error: str = ""
    #: The attempt failed in a way a later attempt may not: the job raises so RQ retries
    #: (or, after the last attempt, fails the job as the delivery is failed).
    retry: bool = False


def attempt_delivery(delivery_id: int, last_attempt: bool) -> Attempt:
    """Send a delivery once and log the outcome on its row (flushed; the job commits).

    2xx: delivered. Another answer or a network error: logged, failed if `last_attempt`,
    else left pending for RQ's retry. A refused target: failed at once, no retry.
    """
    delivery = db.session.get(WebhookDelivery, delivery_id)
    if delivery is None:  # its endpoint was deleted meanwhile
        return Attempt(None)
    if delivery.status is not DeliveryStatus.pending:  # done before (RQ runs at least once)
        return Attempt(delivery.status)
    endpoint = delivery.endpoint
    now = utcnow()
    if not endpoint.active:
        delivery.status = DeliveryStatus.failed
        delivery.error = "The endpoint was turned off before this delivery was sent."
        db.session.flush()
        return Attempt(delivery.status, delivery.error)

    body = body_of(delivery)
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "vocportal-webhooks/1",
        "X-Vocportal-Event": delivery.event,
        "X-Vocportal-Delivery": str(delivery.id),
        "X-Vocportal-Timestamp": timestamp,
        "X-Vocportal-Signature": sign(endpoint.secret, timestamp, body),
    }
    delivery.attempts += 1
    delivery.last_attempt_at = now
    delivery.response_status = None
    delivery.response_body = ""
    sent = net.post_once(
        endpoint.url,
        body,
        headers,
        timeout=current_app.config["WEBHOOK_TIMEOUT_SECONDS"],
        allow_private=current_app.config["WEBHOOK_ALLOW_PRIVATE"],
    )
    if sent.response is not None:
        delivery.response_status = sent.response.status
        delivery.response_body = sent.response.body[:RESPONSE_BODY_CHARS]
    if sent.ok:
        delivery.status = DeliveryStatus.delivered
        delivery.delivered_at = utcnow()
        delivery.error = ""
        db.session.flush()
        return Attempt(delivery.status)
    delivery.error = sent.error[:2000]
    if sent.refused or last_attempt:
        delivery.status = DeliveryStatus.failed
    db.session.flush()
    return Attempt(delivery.status, delivery.error, retry=not sent.refused)
