"""Privacy: a person downloads their data and deletes their account; an admin erases a
person or a contact. After an erasure, a scan of every text column of every table (the
schema reflected from the database, not the models) finds their email and name nowhere."""

from __future__ import annotations

import html
import json
import time
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import JSON, LargeBinary, MetaData, String, Text, cast, func, select
from sqlalchemy.types import NullType

from tests.test_jobs import run_worker
from vocportal.accounts import mfa
from vocportal.accounts.models import User
from vocportal.api import operations as api_ops
from vocportal.audit import operations as audit
from vocportal.audit.models import AuditEntry
from vocportal.errors import OperationError
from vocportal.extensions import db
from vocportal.feedback import operations as feedback
from vocportal.feedback.models import FeedbackItem, FeedbackSource
from vocportal.ideas import commenting, support
from vocportal.ideas import operations as ideas
from vocportal.ideas.models import Comment, Idea, IdeaStatus, Vote
from vocportal.notifications.models import Channel, DeliveryState, Notification
from vocportal.privacy import operations as privacy
from vocportal.privacy.erasure import ERASED_ACTION
from vocportal.privacy.operations import EXPORTED_ACTION
from vocportal.sso.models import SsoIdentity
from vocportal.timeutil import utcnow
from vocportal.triage import operations as triage
from vocportal.webhooks.models import WebhookEndpoint

pytestmark = pytest.mark.usefixtures("embedded_redis_url")

NAME = "Zebediah Quartermaine"
EMAIL = "zeb.quartermaine@example.org"


def mentions(*needles: str) -> dict[str, int]:
    """Rows per "table.column" whose text holds any needle (case-insensitive): every column
    of every table in the database that is not binary, cast to text."""
    meta = MetaData()
    meta.reflect(bind=db.engine)
    found: dict[str, int] = {}
    for table in meta.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, LargeBinary | NullType):
                continue
            text = cast(column, Text) if not isinstance(column.type, String) else column
            for needle in needles:
                # lower() on both sides, and as written (SQLite folds ASCII letters only).
                n = db.session.scalar(
                    select(func.count())
                    .select_from(table)
                    .where(
                        func.lower(text).contains(needle.lower(), autoescape=True)
                        | text.contains(needle, autoescape=True)
                    )
                )
                if n:
                    key = f"{table.name}.{column.name}"
                    found[key] = found.get(key, 0) + n
    return found


def text_columns_reflected() -> int:
    meta = MetaData()
    meta.reflect(bind=db.engine)
    return sum(
        isinstance(c.type, String | Text | JSON) for t in meta.sorted_tables for c in t.columns
    )


def _webhook_everything():
    db.session.add(
        WebhookEndpoint(
            url="https://hooks.example.com/in",
            secret="s" * 32,
            events=["feedback.created", "comment.created", "idea.created"],
        )
    )
    db.session.commit()


def _feedback_from_every_channel(app, client, staff, *, company="Quartermaine Ltd"):
    """The person's feedback by the widget, inbound email, the API, a CSV file and staff."""
    origin = {"Origin": "https://app.example.com"}
    widget = {
        "text": f"Widget: I am {NAME}, reach me at {EMAIL}",
        "email": EMAIL,
        "name": NAME,
        "page": f"https://app.example.com/settings?user={EMAIL}",
    }
    assert client.http.post("/widget/feedback", json=widget, headers=origin).status_code == 201
    mail = {
        "sender": f"{NAME} <{EMAIL.upper()}>",
        "subject": f"From {NAME}",
        "text": f"Calendar sync please.\n-- \n{NAME}\n{EMAIL}",
        "message_id": f"<{EMAIL}-1@mail.example.org>",
    }
    hook = {"X-Webhook-Secret": "privacy-hook"}
    assert client.http.post("/hooks/inbound-email", json=mail, headers=hook).status_code == 201
    _token, secret = api_ops.create_token(staff, "support desk", "write")
    db.session.commit()
    api = client.http.post(
        "/api/v1/feedback",
        json={
            "text": f"API: {NAME} wants SAML",
            "email": EMAIL,
            "name": NAME,
            "external_id": f"ticket-{EMAIL}",
        },
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert api.status_code == 201, api.get_data(as_text=True)
    feedback.create_feedback(
        text=f"CSV: {NAME} asked for an export",
        source=FeedbackSource.csv,
        email=EMAIL,
        name=NAME,
        company=company,
        external_id="row-7",
        payload={"note": f"called {NAME}", "contact": EMAIL},
    )
    feedback.create_feedback(
        text=f"Typed in by staff: {NAME} on the phone",
        source=FeedbackSource.portal,
        email=EMAIL,
        name=NAME,
        external_id="portal:1",
        payload={"entered_by": staff.id},
    )
    db.session.commit()


def _plant_everywhere(app, client, make_user, make_idea, *, contact: bool):
    """Put the person's email and name everywhere the portal keeps text; return their id
    and an idea others support, with its vote count."""
    staff = make_user(role="staff", name="Sam Staff")
    admin = make_user(role="admin", name="Ada Admin")
    other = make_user(name="Olga Other")
    _webhook_everything()
    person = None
    if not contact:
        person = make_user(email=EMAIL, name=NAME)
        shared = make_idea(title=f"Calendar sync ({NAME})", body=f"Mail {EMAIL}", author=person)
        support.vote(db.session.get(User, other.id), shared)
        alone = make_idea(title="My own little idea", body=f"Signed, {NAME}", author=person)
        support.vote(db.session.get(User, person.id), make_idea(title="Someone else's idea"))
        commenting.add_comment(db.session.get(User, person.id), shared, f"{NAME} here: {EMAIL}")
        db.session.add(
            SsoIdentity(
                user_id=person.id,
                provider="acme",
                issuer="https://id.acme.example",
                subject="zq-0001",
            )
        )
        api_ops.create_token(db.session.get(User, person.id), f"{NAME}'s script", "read")
        audit.record(
            db.session.get(User, person.id), "api_token.created", summary=f"{NAME} created a token"
        )
        db.session.commit()
        # A sign-in link and a password reset: jobs whose arguments hold the address.
        client.post("/password/forgot", {"email": EMAIL}, page="/password/forgot")
    else:
        shared = make_idea(title="Calendar sync", author=other)
        alone = None
    _feedback_from_every_channel(app, client, staff)
    person_id = db.session.scalar(select(User.id).where(User.email == EMAIL))
    item = db.session.scalar(select(FeedbackItem).where(FeedbackItem.author_id == person_id))
    feedback.link(db.session.get(User, staff.id), item, shared)
    db.session.commit()
    # Others mention them: a comment, a staff note, a status update told to every supporter.
    commenting.add_comment(db.session.get(User, other.id), shared, f"+1 to {NAME} ({EMAIL})")
    triage.add_note(db.session.get(User, staff.id), shared, f"Called {NAME} at {EMAIL}")
    ideas.change_status(
        db.session.get(User, staff.id),
        db.session.get(Idea, shared.id),
        IdeaStatus.planned,
        f"Thanks {NAME} for the idea!",
    )
    audit.record(
        db.session.get(User, admin.id),
        "user.role_changed",
        target_type="user",
        target_id=person_id,
        summary=f"{EMAIL} ({NAME}) looked at",
        details={"email": EMAIL, "name": NAME},
    )
    db.session.commit()
    run_worker(app, "notifications")
    return admin, person_id, shared.id, alone.id if alone else None


@pytest.mark.app_config(INBOUND_EMAIL_SECRET="privacy-hook")
@pytest.mark.parametrize("contact", [False, True], ids=["account", "contact"])
def test_erasure_leaves_the_email_and_name_in_no_text_column(
    app, client, make_user, make_idea, contact
):
    admin, person_id, shared_id, alone_id = _plant_everywhere(
        app, client, make_user, make_idea, contact=contact
    )
    before = mentions(EMAIL, NAME)
    # The scan sees them wherever they were put: it could fail.
    expected = {
        "users.email",
        "users.display_name",
        "feedback_items.text",
        "feedback_items.payload",
        "comments.body",
        "internal_notes.body",
        "notification_events.text",
        "webhook_deliveries.payload",
        "audit_entries.summary",
        "audit_entries.details",
    }
    assert expected <= set(before), sorted(before)
    assert text_columns_reflected() > 50
    sent = db.session.scalar(
        select(func.count())
        .select_from(Notification)
        .where(
            Notification.user_id == person_id,
            Notification.channel == Channel.email,
            Notification.state == DeliveryState.sent,
        )
    )
    assert sent >= 1  # an email reached them (MAIL_URL log://), and its row is kept
    votes_before = db.session.get(Idea, shared_id).vote_count

    def their_votes() -> int:
        return db.session.scalar(
            select(func.count()).select_from(Vote).where(Vote.user_id == person_id)
        )

    votes_of_person = their_votes()
    assert votes_of_person == (0 if contact else 3)  # their own two ideas and another

    client.login(admin.email)
    page = f"/admin/people/{person_id}/erase"
    confirm = client.get(page)
    assert confirm.status_code == 200
    html = confirm.get_data(as_text=True)
    assert 'data-testid="erase-plan"' in html and "5 feedback items" in html
    response = client.post(page, {"confirm_email": EMAIL.upper()}, page=page)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]

    db.session.expire_all()
    assert mentions(EMAIL, NAME) == {}
    # Demand keeps its numbers; the audit log keeps that it happened.
    shared = db.session.get(Idea, shared_id)
    assert shared.vote_count == votes_before
    assert shared.title == "Calendar sync" + ("" if contact else " (deleted user)")
    person = db.session.get(User, person_id)
    assert person.display_name == "deleted user" and person.blocked
    assert their_votes() == votes_of_person
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == ERASED_ACTION))
    assert entry.target_id == person_id and entry.actor_id == admin.id
    assert (
        db.session.scalar(
            select(func.count()).select_from(FeedbackItem).where(FeedbackItem.idea_id == shared_id)
        )
        == 1
    )
    if alone_id:
        alone = db.session.get(Idea, alone_id)
        assert alone.withdrawn_at is not None and alone.title == "Deleted idea"
    # The same address may write in again: it is a new contact, nothing joined to the old row.
    item, created = feedback.create_feedback(
        text="Hello again", source=FeedbackSource.api, email=EMAIL
    )
    db.session.commit()
    assert created and item.author_id != person_id


def test_export_is_everything_about_them_and_no_secret(app, client, make_user, make_idea):
    person = make_user(email=EMAIL, name=NAME)
    idea = make_idea(title="Dark mode", author=person)
    commenting.add_comment(db.session.get(User, person.id), idea, "Please, at night")
    feedback.create_feedback(
        text="Sent by email", source=FeedbackSource.email, email=EMAIL, payload={"subject": "Hi"}
    )
    db.session.add(
        SsoIdentity(
            user_id=person.id, provider="acme", issuer="https://id.example", subject="sub-42"
        )
    )
    secret = mfa.new_secret()
    mfa.enable(db.session.get(User, person.id), secret, pyotp.TOTP(secret).now())
    db.session.commit()
    client.login(EMAIL)
    # The login asks for the second factor now.
    client.post("/login/code", {"code": pyotp.TOTP(secret).at(time.time() + 30)}, page="/login")
    assert client.get("/account/privacy").status_code == 200
    assert client.get("/account/privacy/export").status_code == 405  # never on GET
    assert client.post("/account/privacy/export", csrf=False).status_code == 400
    response = client.post("/account/privacy/export", page="/account/privacy")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.get_data(as_text=True))
    assert data["profile"]["email"] == EMAIL and data["profile"]["display_name"] == NAME
    assert [i["title"] for i in data["ideas"]] == ["Dark mode"]
    assert data["comments"][0]["body"] == "Please, at night"
    assert data["feedback"][0]["payload"] == {"subject": "Hi"}
    assert data["sign_in"]["single_sign_on"][0]["subject"] == "sub-42"
    assert data["sign_in"]["two_factor"]["enabled"] is True
    assert {"votes", "follows", "notifications", "email_preference", "activity"} <= set(data)
    body = response.get_data(as_text=True)
    user = db.session.get(User, person.id)
    for secret_value in (user.password_hash, user.totp_secret, secret):
        assert secret_value not in body
    assert (
        db.session.scalar(select(AuditEntry.target_id).where(AuditEntry.action == EXPORTED_ACTION))
        == person.id
    )


def test_deleting_your_account_asks_for_your_address_and_password(app, client, make_user):
    person = make_user(email=EMAIL, name=NAME)
    client.login(EMAIL)
    page = "/account/privacy"
    assert 'data-testid="privacy-link"' in client.get("/profile").get_data(as_text=True)
    url = "/account/privacy/delete"
    good = {"confirm_email": EMAIL, "password": "correct horse battery"}
    assert client.post(url, good, csrf=False).status_code == 400
    wrong_email = client.post(url, {**good, "confirm_email": "other@example.org"}, page=page)
    assert wrong_email.status_code == 400
    assert "exactly as shown" in wrong_email.get_data(as_text=True)
    wrong_password = client.post(url, {**good, "password": "not my password"}, page=page)
    assert wrong_password.status_code == 400
    assert "not your password" in wrong_password.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, person.id).email == EMAIL
    done = client.post(url, good, page=page)
    assert done.status_code == 302
    assert client.get("/account/privacy").status_code in (302, 401)  # logged out
    db.session.expire_all()
    user = db.session.get(User, person.id)
    assert user.email.endswith("@erased.invalid") and user.display_name == "deleted user"
    assert mentions(EMAIL, NAME) == {}
    response = client.post(
        "/login", {"email": EMAIL, "password": "correct horse battery"}, page="/login"
    )
    assert response.status_code != 302


def test_staff_are_not_erased_and_only_admins_erase_others(app, client, make_user):
    staff = make_user(role="staff")
    customer = make_user()
    client.login(staff.email)
    own = "/account/privacy"
    assert 'data-testid="privacy-delete-refused"' in client.get(own).get_data(as_text=True)
    mine = {"confirm_email": staff.email, "password": "correct horse battery"}
    assert client.post(f"{own}/delete", mine, page=own).status_code == 400
    client.logout()
    client.login(customer.email)
    assert client.get(f"/admin/people/{staff.id}/erase").status_code == 403
    client.logout()
    admin = make_user(role="admin")
    client.login(admin.email)
    page = f"/admin/people/{staff.id}/erase"
    html = client.get(page).get_data(as_text=True)
    assert 'data-testid="erase-refused"' in html and "customer first" in html
    refused = client.post(
        page, {"confirm_email": staff.email}, page=f"/admin/people/{customer.id}/erase"
    )
    assert refused.status_code == 400
    page = f"/admin/people/{customer.id}/erase"
    typo = client.post(page, {"confirm_email": "someone@else.example"}, page=page)
    assert typo.status_code == 400
    db.session.expire_all()
    for person in (staff, customer):
        assert not db.session.get(User, person.id).email.endswith("erased.invalid")


def test_single_sign_on_people_delete_within_minutes_of_signing_in(app, make_user):
    person = make_user(email=EMAIL, name=NAME, password="a password nobody knows 123")
    db.session.add(
        SsoIdentity(user_id=person.id, provider="acme", issuer="https://id.example", subject="s1")
    )
    person.last_login_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    with pytest.raises(OperationError, match="not your password"):
        privacy.delete_own_account(person, EMAIL, "", "")
    db.session.rollback()
    person = db.session.get(User, person.id)
    person.last_login_at = utcnow() - timedelta(minutes=2)
    privacy.delete_own_account(person, EMAIL, "", "")
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(SsoIdentity)) == 0
    assert db.session.get(User, person.id).display_name == "deleted user"


def test_names_with_accents_and_ampersands_go_in_every_form_they_are_stored(
    app, make_user, make_idea
):
    name = "Émile Ørsted & Sons"
    forms = (name, name.upper(), html.escape(name, False), json.dumps(name)[1:-1])
    admin = make_user(role="admin")
    other = make_user()
    person = make_user(email="emile@orsted.example", name=name)
    idea = make_idea(title="Invoices in DKK", author=other)
    commenting.add_comment(db.session.get(User, other.id), idea, f"As {name} said; {name.upper()}!")
    feedback.create_feedback(
        text="Kroner please",
        source=FeedbackSource.api,
        email="emile@orsted.example",
        payload={"signature": name},
    )
    db.session.commit()
    assert set(mentions(*forms)) >= {"comments.body", "comments.body_html", "users.display_name"}
    assert any(key.startswith("feedback_items.payload") for key in mentions(*forms))
    privacy.erase_by_admin(db.session.get(User, admin.id), person, "emile@orsted.example")
    db.session.commit()
    db.session.expire_all()
    assert mentions(*forms, "emile@orsted.example") == {}
    body = db.session.scalar(select(Comment.body).where(Comment.author_id == other.id))
    assert body == "As deleted user said; deleted user!"


def test_an_admin_exports_a_contacts_data_on_request(app, client, make_user):
    feedback.create_feedback(
        text="Please call me", source=FeedbackSource.email, email=EMAIL, name=NAME
    )
    db.session.commit()
    contact_id = db.session.scalar(select(User.id).where(User.email == EMAIL))
    customer = make_user()
    client.login(customer.email)
    url = f"/admin/people/{contact_id}/export"
    assert client.post(url, page="/profile").status_code == 403
    client.logout()
    admin = make_user(role="admin")
    client.login(admin.email)
    response = client.post(url, page=f"/admin/people/{contact_id}/erase")
    assert response.status_code == 200 and response.mimetype == "application/json"
    data = response.get_json()
    assert data["profile"]["account"].startswith("contact")
    assert data["feedback"][0]["text"] == "Please call me"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == EXPORTED_ACTION))
    assert (entry.actor_id, entry.target_id) == (admin.id, contact_id)
    assert NAME not in entry.summary and EMAIL not in entry.summary
