"""The audit log: entries are recorded with who, what, to what and from where, and never
changed afterwards (issue 13)."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DBAPIError

from vocportal.audit import operations as audit_ops
from vocportal.audit.models import AppendOnlyError, AuditEntry
from vocportal.extensions import db


def entries(action: str) -> list[AuditEntry]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        ).all()
    )


def test_record_keeps_a_snapshot_of_the_actor(app, make_user):
    admin = make_user(role="admin", email="boss@example.com", name="The Boss")
    entry = audit_ops.record(
        admin, "settings.changed", target_type="board", target_id=7, summary="Board  renamed"
    )
    db.session.commit()
    admin.email, admin.display_name = "renamed@example.com", "Someone Else"
    db.session.commit()
    [kept] = entries("settings.changed")
    assert kept.id == entry.id
    assert (kept.actor_id, kept.actor_email, kept.actor_name) == (
        admin.id,
        "boss@example.com",
        "The Boss",
    )
    assert (kept.target_type, kept.target_id, kept.summary) == ("board", 7, "Board renamed")
    assert kept.origin == "system" and kept.details == {}


def test_record_refuses_an_unknown_action(app, make_user):
    with pytest.raises(ValueError, match="unknown audit action"):
        audit_ops.record(make_user(role="admin"), "idea.teleported")


def test_the_orm_refuses_to_change_or_delete_an_entry(app, make_user):
    entry = audit_ops.record(make_user(role="admin"), "settings.changed", summary="x")
    db.session.commit()
    entry.summary = "rewritten"
    with pytest.raises(AppendOnlyError):
        db.session.flush()
    db.session.rollback()
    db.session.delete(entry)
    with pytest.raises(AppendOnlyError):
        db.session.flush()
    db.session.rollback()
    with pytest.raises(AppendOnlyError):
        db.session.execute(update(AuditEntry).values(summary="rewritten"))
    db.session.rollback()
    with pytest.raises(AppendOnlyError):
        db.session.execute(delete(AuditEntry))
    db.session.rollback()
    assert [e.summary for e in entries("settings.changed")] == ["x"]


def test_postgresql_refuses_raw_sql_changes_too(app, make_user):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the trigger exists on PostgreSQL only")
    audit_ops.record(make_user(role="admin"), "settings.changed", summary="x")
    db.session.commit()
    for statement in ("UPDATE audit_entries SET summary = 'y'", "DELETE FROM audit_entries"):
        with pytest.raises(DBAPIError, match="append-only"):
            db.session.execute(text(statement))
        db.session.rollback()
    assert [e.summary for e in entries("settings.changed")] == ["x"]


def test_forget_person_blanks_their_snapshot_and_keeps_the_entry(app, make_user):
    admin = make_user(role="admin", email="gone@example.com", name="Gone Soon")
    other = make_user(role="admin")
    audit_ops.record(admin, "settings.changed", summary="Gone Soon renamed a board")
    audit_ops.record(
        other,
        "user.blocked",
        target_type="user",
        target_id=admin.id,
        summary="Blocked gone@example.com",
        details={"email": "gone@example.com"},
    )
    untouched = audit_ops.record(other, "settings.changed", summary="Renamed a board")
    db.session.commit()
    assert audit_ops.forget_person(admin.id) == 2
    db.session.commit()
    [own] = entries("settings.changed")[:1]
    assert (own.actor_id, own.actor_email, own.actor_name) == (admin.id, "", "deleted user")
    assert own.summary == "deleted user renamed a board"
    [about] = entries("user.blocked")
    assert about.actor_email == other.email
    assert about.summary == "Blocked deleted user" and about.details == {"email": "deleted user"}
    assert db.session.get(AuditEntry, untouched.id).summary == "Renamed a board"
    # Forgetting does not open the table to other changes.
    if db.engine.dialect.name == "postgresql":
        with pytest.raises(DBAPIError, match="append-only"):
            db.session.execute(text("UPDATE audit_entries SET summary = 'y'"))
        db.session.rollback()
