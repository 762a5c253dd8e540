"""Audit entries: one row per staff or admin action, never changed afterwards."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Index, String, event
from sqlalchemy.orm import Mapped, Session, mapped_column

from vocportal.extensions import db
from vocportal.timeutil import utcnow


class AppendOnlyError(RuntimeError):
    """Something tried to change or delete an audit entry."""


class AuditEntry(db.Model):
    """What a person (or the system) did, as it was at the time: the actor's email and name
    are copied, so the entry still reads right after they change or leave."""

    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entries_target", "target_type", "target_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: When it happened (naive UTC).
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    #: Who did it: a user id, kept without a foreign key so the entry outlives the account;
    #: None for the system (a job or command acting on its own).
    actor_id: Mapped[int | None] = mapped_column(index=True)
    #: The actor's email when they acted ("" for the system, and after their erasure).
    actor_email: Mapped[str] = mapped_column(String(254), default="")
    #: The actor's display name when they acted ("deleted user" after their erasure).
    actor_name: Mapped[str] = mapped_column(String(80), default="")
    #: A short stable code such as "idea.status_changed" (see `operations.ACTIONS`).
    action: Mapped[str] = mapped_column(String(64), index=True)
    #: What kind of thing it was done to ("idea", "user", "webhook", ...); "" for none.
    target_type: Mapped[str] = mapped_column(String(32), default="")
    #: That thing's id, when it has one.
    target_id: Mapped[int | None]
    #: One line for people ("Status of #12 set to planned").
    summary: Mapped[str] = mapped_column(String(300), default="")
    #: What else is worth keeping (old and new values, counts, filters), as JSON.
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    #: Where the action came from: "web", "api", "worker", "cli" or "system".
    origin: Mapped[str] = mapped_column(String(16), default="system")
    #: The client's address (after ProxyFix) for web and API requests; "" otherwise.
    ip: Mapped[str] = mapped_column(String(45), default="")
    #: The client's User-Agent header, cut to 255 characters; "" outside requests.
    user_agent: Mapped[str] = mapped_column(String(255), default="")

    def __repr__(self) -> str:
        return f"<AuditEntry {self.id} {self.action} by {self.actor_id}>"


@event.listens_for(AuditEntry, "before_update")
def _refuse_update(mapper, connection, target):
    raise AppendOnlyError("Audit entries are append-only: they cannot be changed.")


@event.listens_for(AuditEntry, "before_delete")
def _refuse_delete(mapper, connection, target):
    raise AppendOnlyError("Audit entries are append-only: they cannot be deleted.")


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_changes(state):
    """ORM `update(AuditEntry)` / `delete(AuditEntry)` statements are refused too; only
    `operations.forget_person` may update (it says so with the `audit_forget` option)."""
    if not (state.is_update or state.is_delete):
        return
    mapper = state.bind_mapper
    if mapper is None or mapper.class_ is not AuditEntry:
        return
    if state.is_delete or not state.execution_options.get("audit_forget"):
        raise AppendOnlyError("Audit entries are append-only: they cannot be changed.")
