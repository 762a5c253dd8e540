"""Link ideas to tracker issues, take the trackers' webhooks, post a comment on a link.

A verified delivery is handled at most once (its delivery id is recorded in the same
transaction as what it moved). It moves each linked idea to the status the admin mapped
the issue's new state to, by an ordinary status update in the name of the staff member
who linked the issue: every supporter hears of it once, through the normal loop.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from vocportal.accounts.models import User
from vocportal.audit import operations as audit_ops
from vocportal.customers import operations as customers
from vocportal.errors import OperationError, PermissionDenied
from vocportal.extensions import db
from vocportal.ideas import operations as ideas
from vocportal.ideas.models import Idea, IdeaStatus
from vocportal.queue import jobnames
from vocportal.queue import operations as queue
from vocportal.sqlutil import insert_ignore
from vocportal.trackers import providers
from vocportal.trackers.models import (
    DEFAULT_MAPPING,
    CommentState,
    IssueState,
    Tracker,
    TrackerDelivery,
    TrackerLink,
    TrackerMapping,
)
from vocportal.webhooks import net

#: What the settings page keeps of a failed comment's answer.
ERROR_CHARS = 500

SECRET_SETTING = {t: f"TRACKER_{t.name.upper()}_SECRET" for t in Tracker}


def _require_staff(actor: User) -> None:
    if not actor.is_staff:
        raise PermissionDenied()


# --- links --------------------------------------------------------------------------------


def links_of(idea: Idea) -> list[TrackerLink]:
    return list(
        db.session.scalars(
            select(TrackerLink).where(TrackerLink.idea_id == idea.id).order_by(TrackerLink.id)
        )
    )


def link_issue(actor: User, idea: Idea, url: str) -> TrackerLink:
    """Link `idea` to the issue at `url` and queue the comment that tells the tracker."""
    _require_staff(actor)
    try:
        ref = providers.parse_issue_url(url)
    except providers.NotAnIssueUrl as error:
        raise OperationError(str(error), field="url") from None
    exists = db.session.scalar(
        select(TrackerLink.id).where(
            TrackerLink.idea_id == idea.id,
            TrackerLink.tracker == ref.tracker,
            TrackerLink.issue_key == ref.key,
        )
    )
    if exists is not None:
        raise OperationError("This idea is already linked to that issue.", field="url")
    link = TrackerLink(
        idea_id=idea.id,
        tracker=ref.tracker,
        issue_key=ref.key,
        url=ref.url[:500],
        created_by_id=actor.id,
    )
    db.session.add(link)
    db.session.flush()
    if providers.token_configured(ref.tracker, current_app.config):
        queue.defer(
            "tracker comment",
            jobnames.POST_TRACKER_COMMENT,
            link.id,
            attempts=current_app.config["WEBHOOK_ATTEMPTS"],
            timeout=int(current_app.config["WEBHOOK_TIMEOUT_SECONDS"] * 3) + 30,
        )
    else:
        link.comment_state = CommentState.skipped
        link.comment_error = f"No {ref.tracker.label} token is configured: nothing was posted."
    audit_ops.record(
        actor,
        "tracker.linked",
        target_type="idea",
        target_id=idea.id,
        summary=f"{ref.tracker.label} {ref.key}",
    )
    db.session.flush()
    return link


def unlink_issue(actor: User, link: TrackerLink) -> None:
    _require_staff(actor)
    audit_ops.record(
        actor,
        "tracker.unlinked",
        target_type="idea",
        target_id=link.idea_id,
        summary=f"{link.tracker.label} {link.issue_key}",
    )
    db.session.delete(link)
    db.session.flush()


# --- the admin's mapping ------------------------------------------------------------------


def mapping() -> dict[IssueState, IdeaStatus | None]:
    """Each issue state's idea status: the admin's choice over `DEFAULT_MAPPING`."""
    chosen = {row.state: row.status for row in db.session.scalars(select(TrackerMapping))}
    return {state: chosen.get(state, default) for state, default in DEFAULT_MAPPING.items()}


#: Statuses a tracker may move an idea to (a duplicate is made by merging, not by a tracker).
MAPPABLE = [s for s in IdeaStatus if s is not IdeaStatus.duplicate]


def set_mapping(actor: User, choices: dict[IssueState, IdeaStatus | None]) -> None:
    """Save the admin's mapping (admins only)."""
    if not actor.is_admin:
        raise PermissionDenied()
    for state, status in choices.items():
        if status is IdeaStatus.duplicate:
            raise OperationError("A tracker cannot mark an idea as a duplicate.", field=state.value)
        row = db.session.get(TrackerMapping, state) or TrackerMapping(state=state)
        row.status = status
        db.session.add(row)
    audit_ops.record(
        actor,
        "settings.changed",
        target_type="settings",
        summary="Issue tracker mapping",
        details={s.value: (v.value if v else None) for s, v in choices.items()},
    )
    db.session.flush()


def recent_deliveries(limit: int = 20) -> list[TrackerDelivery]:
    return list(
        db.session.scalars(select(TrackerDelivery).order_by(TrackerDelivery.id.desc()).limit(limit))
    )


# --- inbound ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    status: int  #: the HTTP answer
    body: dict


def receive(tracker: Tracker, headers, body: bytes) -> Outcome:
    """Handle one webhook delivery from `tracker` (flushed; the request commits)."""
    secret = current_app.config[SECRET_SETTING[tracker]]
    if not secret:
        return Outcome(404, {"error": f"No {tracker.label} webhook secret is configured."})
    try:
        delivery_id = providers.verify(tracker, secret, headers, body)
        happening = providers.read(tracker, delivery_id, headers, body)
    except providers.Refused as refused:
        return Outcome(refused.status, {"error": refused.message})
    # RETURNING says whether the row went in (rowcount is not reliable for ON CONFLICT on
    # every driver).
    first = db.session.execute(
        insert_ignore(
            TrackerDelivery,
            tracker=tracker,
            delivery_id=delivery_id,
            issue_key=happening.issue_key[:200],
        ).returning(TrackerDelivery.id)
    ).scalar()
    if first is None:
        return Outcome(200, {"outcome": "already handled", "delivery": delivery_id})
    outcome = _move(tracker, happening)
    db.session.execute(
        TrackerDelivery.__table__.update()
        .where(TrackerDelivery.tracker == tracker, TrackerDelivery.delivery_id == delivery_id)
        .values(outcome=outcome[:200])
    )
    return Outcome(200, {"outcome": outcome, "delivery": delivery_id})


def _move(tracker: Tracker, happening: providers.Happening) -> str:
    if happening.state is None:
        return f"ignored: {happening.ignored}"
    links = list(
        db.session.scalars(
            select(TrackerLink).where(
                TrackerLink.tracker == tracker, TrackerLink.issue_key == happening.issue_key
            )
        )
    )
    if not links:
        return "no linked idea"
    status = mapping()[happening.state]
    if status is None:
        return f"ignored: {happening.state.label} is mapped to no status"
    moved = 0
    for link in links:
        idea, actor = link.idea, link.created_by
        if idea.status is status or idea.duplicate_of_id is not None:
            continue
        if actor is None or not actor.is_staff or actor.blocked:
            continue  # nobody on staff stands behind this link any more
        message = f"The linked {tracker.label} issue was {happening.state.label}."
        ideas.change_status(actor, idea, status, message)
        moved += 1
    return f"moved {moved} of {len(links)} linked ideas to {status.label.lower()}"


# --- outbound comment ---------------------------------------------------------------------


def comment_text(link: TrackerLink) -> str:
    """What the comment on the issue says: the idea's address and who asks for it."""
    idea = link.idea
    demand = customers.demand([idea.id]).get(idea.id, customers.IdeaDemand())
    address = current_app.config["BASE_URL"].rstrip("/") + ideas.idea_path(idea.id)
    return (
        f"Customers ask for this on the feedback portal: “{idea.title}”\n"
        f"{address}\n"
        f"{idea.vote_count} votes · {demand.supporters} supporters"
        f" · weighted demand {demand.weighted:.1f} · {demand.companies} companies"
    )


@dataclass(frozen=True)
class Attempt:
    state: CommentState | None
    error: str = ""
    retry: bool = False  #: raise so RQ tries again (or fails the job on the last attempt)


def attempt_comment(link_id: int, last_attempt: bool) -> Attempt:
    """Post a link's comment once and log the outcome on the link (flushed)."""
    link = db.session.get(TrackerLink, link_id)
    if link is None:
        return Attempt(None)
    if link.comment_state is not CommentState.pending:  # done before (at-least-once)
        return Attempt(link.comment_state)
    config = current_app.config
    request = providers.comment_request(
        link.tracker, link.issue_key, link.url, comment_text(link), config
    )
    if request is None:  # the token was removed since
        link.comment_state = CommentState.skipped
        link.comment_error = f"No {link.tracker.label} token is configured: nothing was posted."
        db.session.flush()
        return Attempt(link.comment_state)
    link.comment_attempts += 1
    sent = net.post_once(
        request.url,
        request.body,
        request.headers,
        timeout=config["WEBHOOK_TIMEOUT_SECONDS"],
        allow_private=config["WEBHOOK_ALLOW_PRIVATE"],
    )
    if sent.ok:
        link.comment_state = CommentState.sent
        link.comment_error = ""
        db.session.flush()
        return Attempt(link.comment_state)
    error = sent.error
    if sent.response is not None:  # the tracker's own words say why (a bad token, a lock)
        error = f"{link.tracker.label} answered HTTP {sent.response.status}: "
        error += sent.response.body[:200]
    link.comment_error = error[:ERROR_CHARS]
    if sent.refused or last_attempt:
        link.comment_state = CommentState.failed
    db.session.flush()
    return Attempt(link.comment_state, link.comment_error, retry=not sent.refused)
