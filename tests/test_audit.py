"""The audit log: entries are recorded with who, what, to what and from where, and never
changed afterwards (issue 13)."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import datetime
from html import unescape

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DBAPIError

from vocportal.audit import operations as audit_ops
from vocportal.audit.models import AppendOnlyError, AuditEntry
from vocportal.cli import cli
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


# --- the admin page -------------------------------------------------------------------------


def seed(make_user):
    """An admin, a staff member and entries by both on different days."""
    admin = make_user(role="admin", email="ada@example.com", name="Ada Admin")
    staff = make_user(role="staff", email="sam@example.com", name="Sam Staff")
    rows = [
        (
            admin,
            "user.role_changed",
            "user",
            staff.id,
            "Role of sam changed",
            datetime(2026, 3, 1, 9),
        ),
        (staff, "idea.status_changed", "idea", 12, "Status of idea #12", datetime(2026, 3, 2, 9)),
        (staff, "idea.hidden", "idea", 13, "Idea #13 hidden", datetime(2026, 3, 3, 23, 59)),
        (admin, "webhook.created", "webhook", 1, '=HYPERLINK("http://x")', datetime(2026, 3, 4, 9)),
    ]
    for actor, action, target_type, target_id, summary, at in rows:
        db.session.add(
            AuditEntry(
                at=at,
                actor_id=actor.id,
                actor_email=actor.email,
                actor_name=actor.display_name,
                action=action,
                target_type=target_type,
                target_id=target_id,
                summary=summary,
                details={"note": "-1+1"},
                origin="web",
                ip="198.51.100.7",
                user_agent="Firefox",
            )
        )
    db.session.commit()
    return admin, staff


def summaries(client, query: str = "") -> list[str]:
    response = client.get(f"/admin/audit{query}")
    assert response.status_code == 200, response.status_code
    html = response.get_data(as_text=True)
    found = re.findall(r'data-testid="audit-summary">([^<]*)', html)
    return [unescape(text).strip() for text in found]


def test_only_admins_open_the_audit_log(app, new_client, make_user):
    for role, status in (("customer", 403), ("staff", 403)):
        client = new_client()
        client.login(make_user(role=role).email)
        assert client.get("/admin/audit").status_code == status
        assert client.get("/admin/audit/export.csv").status_code == status
    anonymous = new_client()
    assert anonymous.get("/admin/audit").status_code == 302  # to the login page
    assert entries("data.exported") == []  # refused exports are not exports


def test_no_route_changes_or_deletes_entries(app):
    for rule in app.url_map.iter_rules():
        if "audit" in rule.rule or rule.endpoint.startswith("audit."):
            assert rule.methods <= {"GET", "HEAD", "OPTIONS"}, rule


def test_the_log_lists_newest_first_with_filters(app, client, make_user):
    admin, staff = seed(make_user)
    client.login(admin.email)
    assert summaries(client) == [
        '=HYPERLINK("http://x")',
        "Idea #13 hidden",
        "Status of idea #12",
        "Role of sam changed",
    ]
    assert summaries(client, "?actor=sam") == ["Idea #13 hidden", "Status of idea #12"]
    assert summaries(client, "?actor=Ada+admin") == [
        '=HYPERLINK("http://x")',
        "Role of sam changed",
    ]
    assert summaries(client, f"?actor={staff.id}") == ["Idea #13 hidden", "Status of idea #12"]
    assert summaries(client, "?action=idea.hidden") == ["Idea #13 hidden"]
    assert summaries(client, "?target_type=idea&target_id=12") == ["Status of idea #12"]
    assert summaries(client, "?from=2026-03-02&to=2026-03-03") == [
        "Idea #13 hidden",
        "Status of idea #12",
    ]
    assert summaries(client, "?action=moderation.approved") == []
    page = client.get("/admin/audit").get_data(as_text=True)
    # Every known action is offered, the moderation decisions included.
    for code in ("moderation.approved", "moderation.rejected", "user.mfa_reset", "data.exported"):
        assert f'value="{code}"' in page
    assert 'value="webhook"' in page and 'value="idea"' in page  # targets present in the log
    assert client.get("/admin/audit?from=yesterday").status_code == 400
    assert client.get("/admin/audit?target_id=99999999999").status_code == 400


def test_the_log_is_paginated(app, client, make_user):
    admin = make_user(role="admin")
    for n in range(55):
        audit_ops.record(admin, "settings.changed", summary=f"change {n}")
    db.session.commit()
    client.login(admin.email)
    first = summaries(client)
    assert len(first) == 50 and first[0] == "change 54"
    assert summaries(client, "?page=2") == [f"change {n}" for n in range(4, -1, -1)]


def test_csv_export_of_the_filtered_set_is_safe_and_audited(app, client, make_user):
    admin, staff = seed(make_user)
    client.login(admin.email)
    page = client.get("/admin/audit?actor=ada&page=1").get_data(as_text=True)
    assert 'href="/admin/audit/export.csv?actor=ada"' in page  # the filters, not the page
    response = client.get(
        "/admin/audit/export.csv?actor=ada", headers={"User-Agent": "UA/2"}, buffered=True
    )
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    # The export's own entry is in the log too (committed before the rows are read).
    assert [r["action"] for r in rows] == ["data.exported", "webhook.created", "user.role_changed"]
    webhook = rows[1]
    assert webhook["summary"] == '\'=HYPERLINK("http://x")'  # no formula in a spreadsheet
    assert json.loads(webhook["details"]) == {"note": "-1+1"}
    assert webhook["actor_email"] == "ada@example.com" and webhook["ip"] == "198.51.100.7"
    [export] = entries("data.exported")
    assert (export.actor_id, export.target_type, export.origin) == (admin.id, "audit_log", "web")
    assert export.user_agent == "UA/2"
    assert export.details == {"what": "audit_log", "format": "csv", "filters": {"actor": "ada"}}


def test_a_command_records_its_origin_as_cli(app, tmp_path):
    path = tmp_path / "feedback.csv"
    path.write_text("text,email\nPlease add SSO,ann@example.com\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(cli, args=["import-feedback", str(path)])
    assert result.exit_code == 0, result.output
    [entry] = entries("feedback.imported")
    assert (entry.actor_id, entry.origin, entry.ip) == (None, "cli", "")
    assert entry.details == {"channel": "csv", "created": 1, "rejected": 0}
