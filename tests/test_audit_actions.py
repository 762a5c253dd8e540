"""Each staff and admin action listed in issue 13 leaves an audit entry: who, what, to
what, and from where (the client's address and browser)."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from tests.test_api import api, make_token  # noqa: F401  (fixtures)
from tests.test_jobs import run_worker
from vocportal.api.models import ApiToken
from vocportal.audit.models import AuditEntry
from vocportal.extensions import db
from vocportal.ideas import commenting
from vocportal.ideas.models import Board
from vocportal.webhooks.models import WebhookEndpoint

BROWSER = {"User-Agent": "Firefox/140 (audit test)"}


def entry_for(action: str) -> AuditEntry:
    """The one entry with this action code."""
    db.session.expire_all()
    found = db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)).all()
    assert len(found) == 1, [(e.action, e.summary) for e in found]
    return found[0]


def assert_entry(action: str, actor, target_type: str, target_id, *, origin: str = "web"):
    entry = entry_for(action)
    assert (entry.actor_id, entry.actor_email, entry.actor_name) == (
        actor.id,
        actor.email,
        actor.display_name,
    )
    assert (entry.target_type, entry.target_id) == (target_type, target_id)
    assert entry.summary
    assert entry.origin == origin
    if origin in ("web", "api"):
        assert (entry.ip, entry.user_agent) == ("127.0.0.1", BROWSER["User-Agent"])
    return entry


def _logged_in(client, make_user, role: str):
    client.actor = make_user(role=role)
    client.login(client.actor.email)
    return client


@pytest.fixture
def staff_client(client, make_user):
    return _logged_in(client, make_user, "staff")


@pytest.fixture
def admin_client(client, make_user):
    return _logged_in(client, make_user, "admin")


def test_status_change(staff_client, make_idea):
    idea = make_idea()
    page = f"/ideas/{idea.id}"
    staff_client.post(
        f"{page}/status", {"status": "planned", "message": "Soon"}, page=page, headers=BROWSER
    )
    entry = assert_entry("idea.status_changed", staff_client.actor, "idea", idea.id)
    assert entry.details["from"] == "open" and entry.details["to"] == "planned"


def test_merge_and_unmerge(staff_client, make_idea):
    a, b = make_idea(title="Excel export"), make_idea(title="CSV export")
    page = f"/ideas/{a.id}"
    staff_client.post(
        f"/staff/ideas/{a.id}/duplicate", {"target": str(b.id)}, page=page, headers=BROWSER
    )
    merged = assert_entry("idea.merged", staff_client.actor, "idea", a.id)
    assert merged.details["into"] == b.id
    staff_client.post(f"/staff/ideas/{a.id}/unmerge", page=page, headers=BROWSER)
    undone = assert_entry("idea.unmerged", staff_client.actor, "idea", a.id)
    assert undone.details["into"] == b.id


def test_hide_and_show_an_idea_and_a_comment(staff_client, make_idea, make_user):
    idea = make_idea()
    comment = commenting.add_comment(make_user(), idea, "Spam spam spam")
    db.session.commit()
    page = f"/ideas/{idea.id}"
    for hidden in ("1", "0"):
        staff_client.post(f"{page}/hide", {"hidden": hidden}, page=page, headers=BROWSER)
    assert_entry("idea.hidden", staff_client.actor, "idea", idea.id)
    assert_entry("idea.shown", staff_client.actor, "idea", idea.id)
    staff_client.post(
        f"/comments/{comment.id}/moderate", {"action": "hide"}, page=page, headers=BROWSER
    )
    entry = assert_entry("comment.hidden", staff_client.actor, "comment", comment.id)
    assert entry.details == {"idea_id": idea.id}


def test_role_change_and_block(admin_client, make_user):
    person = make_user()
    url = f"/admin/users/{person.id}"
    admin_client.post(url, {"role": "staff"}, page="/admin/users", headers=BROWSER)
    role = assert_entry("user.role_changed", admin_client.actor, "user", person.id)
    assert role.details == {"from": "customer", "to": "staff"}
    admin_client.post(url, {"role": "staff", "blocked": "y"}, page="/admin/users", headers=BROWSER)
    assert_entry("user.blocked", admin_client.actor, "user", person.id)
    admin_client.post(url, {"role": "staff"}, page="/admin/users", headers=BROWSER)
    assert_entry("user.unblocked", admin_client.actor, "user", person.id)


# MFA reset: tests/test_mfa.py::test_an_admin_resets_anothers_mfa_and_it_is_recorded.


def test_api_token_created_and_revoked(client, make_user):
    person = make_user()
    client.login(person.email)
    page = "/account/tokens"
    client.post(page, {"name": "CI export", "scope": "read"}, page=page, headers=BROWSER)
    token = db.session.scalar(select(ApiToken))
    created = assert_entry("api_token.created", person, "api_token", token.id)
    assert created.details == {"name": "CI export", "scopes": "read"}
    client.post(f"{page}/{token.id}/revoke", page=page, headers=BROWSER)
    assert_entry("api_token.revoked", person, "api_token", token.id)


@pytest.mark.app_config(WEBHOOK_ALLOW_PRIVATE=True)
def test_webhook_created_changed_and_deleted(admin_client):
    url = "http://127.0.0.1:9/hook"
    admin_client.post(
        "/staff/webhooks/",
        {"url": url, "events": ["idea.created"]},
        page="/staff/webhooks/",
        headers=BROWSER,
    )
    endpoint_id = db.session.scalar(select(WebhookEndpoint.id))
    created = assert_entry("webhook.created", admin_client.actor, "webhook", endpoint_id)
    assert created.details == {
        "url": url,
        "events": ["idea.created"],
        "active": True,
        "format": "json",
        "board_ids": [],
    }
    page = f"/staff/webhooks/{endpoint_id}"
    admin_client.post(f"{page}/active", {"active": "0"}, page=page, headers=BROWSER)
    changed = assert_entry("webhook.updated", admin_client.actor, "webhook", endpoint_id)
    assert changed.details["active"] is False
    admin_client.post(f"{page}/delete", page=page, headers=BROWSER)
    assert_entry("webhook.deleted", admin_client.actor, "webhook", endpoint_id)


def test_a_staff_export(staff_client, make_idea):
    make_idea(votes=2)
    response = staff_client.get("/staff/export/votes.csv", headers=BROWSER)
    assert response.status_code == 200
    entry = assert_entry("data.exported", staff_client.actor, "", None)
    assert entry.details == {"what": "votes", "format": "csv", "rows": 3}


CSV_TEXT = "text,email\nPlease add SSO,ann@example.com\nDark mode,bob@example.com\n"


def test_a_feedback_import(app, staff_client):
    page = "/staff/feedback"
    staff_client.post(
        "/staff/feedback/import",
        {"file": (io.BytesIO(CSV_TEXT.encode()), "feedback.csv")},
        page=page,
        content_type="multipart/form-data",
        headers=BROWSER,
    )
    started = entry_for("feedback.import_started")
    assert started.actor_id == staff_client.actor.id and started.origin == "web"
    assert started.target_type == "job" and started.details["file"] == "feedback.csv"
    run_worker(app, "default")
    # The job itself records what it imported, as the system, from a worker.
    done = entry_for("feedback.imported")
    assert (done.actor_id, done.actor_name, done.origin, done.ip) == (None, "", "worker", "")
    assert done.details == {"channel": "csv", "created": 2, "rejected": 0}


def test_a_settings_change(admin_client):
    admin_client.post(
        "/admin/boards",
        {"name": "Mobile App", "description": ""},
        page="/admin/boards",
        headers=BROWSER,
    )
    board = db.session.scalar(select(Board).where(Board.slug == "mobile-app"))
    entry = assert_entry("settings.changed", admin_client.actor, "board", board.id)
    assert entry.details == {"name": "Mobile App", "archived": False, "vote_budget": None}


@pytest.mark.app_config(PROXY_FIX_HOPS=1)
def test_the_origin_is_the_client_behind_the_proxy(staff_client, make_idea):
    idea = make_idea()
    page = f"/ideas/{idea.id}"
    headers = {**BROWSER, "X-Forwarded-For": "203.0.113.9"}
    staff_client.post(f"{page}/hide", {"hidden": "1"}, page=page, headers=headers)
    assert entry_for("idea.hidden").ip == "203.0.113.9"


def test_an_api_import_is_recorded_with_origin_api(api, make_token, make_user):  # noqa: F811
    staff = make_user(role="staff")
    items = [{"text": "Love the roadmap", "email": "a@example.com"}, {"email": "b@example.com"}]
    response = api.post(
        "/feedback/bulk", token=make_token(staff), json={"items": items}, headers=BROWSER
    )
    assert response.status_code == 200
    entry = assert_entry("feedback.imported", staff, "feedback", None, origin="api")
    assert entry.details == {"channel": "api", "created": 1, "existing": 0, "error": 1}
