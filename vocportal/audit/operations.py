"""Record what staff and admins do; read the log back (filters, CSV); forget a person.

`record` is the one way in: it adds an entry to the caller's session and flushes (the
request or job commits it with the action itself, so a rolled-back action leaves no entry).
Entries are never changed or deleted (see `models`), with one sanctioned exception:
`forget_person`, for erasure.
"""

from __future__ import annotations

from sqlalchemy import or_, select, text, update

from vocportal.accounts.models import User
from vocportal.audit.models import AuditEntry
from vocportal.audit.origin import current_origin
from vocportal.extensions import db

#: Every action code the log knows, with the words the filter shows. `record` refuses any
#: other code, so this list is always complete: add a line here for a new kind of action.
ACTIONS: dict[str, str] = {
    "idea.status_changed": "Idea status changed",
    "idea.merged": "Idea merged",
    "idea.unmerged": "Idea merge undone",
    "idea.hidden": "Idea hidden",
    "idea.shown": "Idea shown again",
    "comment.hidden": "Comment hidden",
    "comment.shown": "Comment shown again",
    "user.role_changed": "Role changed",
    "user.blocked": "Person blocked",
    "user.unblocked": "Person unblocked",
    "user.mfa_reset": "Two-factor authentication reset",
    "user.erased": "Person erased",
    "user.data_exported": "Personal data exported",
    "api_token.created": "API token created",
    "api_token.revoked": "API token revoked",
    "webhook.created": "Webhook created",
    "webhook.updated": "Webhook changed",
    "webhook.deleted": "Webhook deleted",
    "data.exported": "Data exported",
    "feedback.import_started": "Feedback import started",
    "feedback.imported": "Feedback imported",
    "moderation.approved": "Moderation: approved",
    "moderation.rejected": "Moderation: rejected",
    "settings.changed": "Settings changed",
    "tracker.linked": "Issue linked",
    "tracker.unlinked": "Issue unlinked",
    "report.subscriber_added": "Weekly report: address subscribed",
    "report.subscriber_removed": "Weekly report: address removed",
    "report.sent": "Weekly report sent now",
    "question.asked": "Question asked to customers",
    "question.closed": "Question closed without an answer",
}

#: What an erased person's snapshot reads in old entries.
DELETED_USER = "deleted user"


def record(
    actor: User | None,
    action: str,
    *,
    target_type: str = "",
    target_id: int | None = None,
    summary: str = "",
    details: dict | None = None,
) -> AuditEntry:
    """Add an audit entry for `actor` (None: the system) doing `action` to the target."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}: add it to audit.operations.ACTIONS")
    origin = current_origin()
    entry = AuditEntry(
        actor_id=actor.id if actor is not None else None,
        actor_email=actor.email if actor is not None else "",
        actor_name=actor.display_name if actor is not None else "",
        action=action,
        target_type=target_type,
        target_id=target_id,
        summary=" ".join(summary.split())[:300],
        details=details or {},
        origin=origin.kind,
        ip=origin.ip,
        user_agent=origin.user_agent,
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def forget_person(user_id: int) -> int:
    """Erasure: replace person `user_id`'s email and name in the entries they made (and in
    the summaries and details of entries about them) with "deleted user"; return how many
    entries changed. The one sanctioned change to audit entries: that something happened,
    and when, stays. Call it before the person's row is erased (it reads their email and
    name to find them in summaries)."""
    user = db.session.get(User, user_id)
    words = [w for w in ((user.email, user.display_name) if user else ()) if w]
    entries = db.session.scalars(
        select(AuditEntry).where(
            or_(
                AuditEntry.actor_id == user_id,
                (AuditEntry.target_type == "user") & (AuditEntry.target_id == user_id),
            )
        )
    ).all()
    changes = []
    for entry in entries:
        values = {}
        if entry.actor_id == user_id:
            values.update(actor_email="", actor_name=DELETED_USER)
        summary, details = _scrub(entry.summary, words), _scrub(entry.details, words)
        if summary != entry.summary:
            values["summary"] = summary
        if details != entry.details:
            values["details"] = details
        if values:
            changes.append((entry.id, values))
    if not changes:
        return 0
    if db.engine.dialect.name == "postgresql":
        # The table's trigger lets rows change only in a transaction that says so.
        db.session.execute(text("SELECT set_config('vocportal.audit_forget', 'on', true)"))
    for entry_id, values in changes:
        db.session.execute(
            update(AuditEntry).where(AuditEntry.id == entry_id).values(**values),
            execution_options={"synchronize_session": False, "audit_forget": True},
        )
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SELECT set_config('vocportal.audit_forget', 'off', true)"))
    for entry in entries:
        db.session.expire(entry)
    db.session.flush()
    return len(changes)


def _scrub(value, words: list[str]):
    """`value` (text, or JSON made of dicts, lists and text) with each of `words` replaced."""
    if isinstance(value, str):
        for word in words:
            value = value.replace(word, DELETED_USER)
        return value
    if isinstance(value, dict):
        return {key: _scrub(item, words) for key, item in value.items()}
    if isinstance(value, list):
        return [_scrub(item, words) for item in value]
    return value
