"""Verified email: sign-up proves the address by an emailed link before anything is joined to
it, answers the same whatever the address, and gates voting, posting and commenting; sign-in
by an emailed link. Links are single use, expire, and change nothing when only opened."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from jobs.runtime import set_app
from tests.conftest import PortalClient
from tests.test_api import api, make_token  # noqa: F401  (fixtures)
from tests.test_jobs import run_worker
from vocportal.accounts import operations as account_ops
from vocportal.accounts.models import User
from vocportal.companies.models import Company
from vocportal.extensions import db, limiter
from vocportal.feedback import operations as feedback_ops
from vocportal.ideas import operations as idea_ops
from vocportal.ideas.models import Board, Comment, Idea, Vote
from vocportal.security import verify_password

from .smtp import smtp_server, text_of  # noqa: F401  (fixture)

PASSWORD = "lantern orchard 42"
VERIFY_FIRST = "Confirm your email address first"


@pytest.fixture
def portal(app_factory, smtp_server, embedded_redis_url, request):  # noqa: F811
    """An app whose mail goes to a local SMTP server; `portal.mail(n)` runs the worker and
    returns the messages received so far."""
    mail_url, inbox = smtp_server
    overrides = {}
    for marker in request.node.iter_markers("app_config"):
        overrides = {**marker.kwargs, **overrides}
    app = app_factory(
        MAIL_URL=mail_url, BASE_URL="http://portal.test", REDIS_URL=embedded_redis_url, **overrides
    )
    set_app(app)
    limiter.reset()

    def mail(count: int):
        run_worker(app, "notifications")
        return inbox.wait_for(count)

    with app.app_context():
        yield SimpleNamespace(app=app, inbox=inbox, mail=mail, client=lambda: PortalClient(app))
        db.session.remove()


def body_of(message) -> str:
    return text_of(message)


def link_in(message, path: str) -> str:
    """The path of the portal link to `path` in an email."""
    match = re.search(rf"http://portal\.test({path}/\S+)", body_of(message))
    assert match, body_of(message)
    return match.group(1)


def to(messages, address: str):
    found = [m for m in messages if m["To"] == address]
    assert len(found) == 1, [m["To"] for m in messages]
    return found[0]


def signup(client, email: str, name: str = "Newcomer", password: str = PASSWORD):
    return client.post("/signup", {"email": email, "display_name": name, "password": password})


def user_at(email: str) -> User | None:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.email == email))


def logged_in_as(client) -> str | None:
    """The display name in the header, or None for a visitor."""
    html = client.get("/").get_data(as_text=True)
    match = re.search(r'data-testid="profile-link"[^>]*>([^<]+)<', html)
    return match.group(1).strip() if match else None


def make_contact(email: str, name: str = "Known Customer") -> User:
    """A customer known only from feedback, with a company and a feedback item."""
    company = Company(name="Acme")
    db.session.add(company)
    db.session.flush()
    contact = feedback_ops.contact_for(email, name)
    contact.company_id = company.id
    db.session.commit()
    return contact


# --- sign-up ------------------------------------------------------------------------------


def test_sign_up_answers_the_same_and_sends_the_right_email(portal):
    account_ops.create_user("taken@example.com", "Taken", "an old phrase here")
    make_contact("contact@example.com")
    answers = []
    for email in ("new@example.com", "contact@example.com", "taken@example.com"):
        response = signup(portal.client(), email)
        answers.append(
            (response.status_code, response.headers.get("Location"), response.get_data())
        )
    assert answers[0] == answers[1] == answers[2]
    assert answers[0][:2] == (302, "/signup/sent")
    page = portal.client().get("/signup/sent").get_data(as_text=True)
    assert "Check your email" in page

    messages = portal.mail(3)
    assert len(messages) == 3
    new = to(messages, "new@example.com")
    assert "Confirm your email address" in new["Subject"]
    link_in(new, "/verify")
    contact = to(messages, "contact@example.com")
    assert "Confirm your email address" in contact["Subject"]
    link_in(contact, "/verify")
    taken = to(messages, "taken@example.com")
    assert "tried to sign up" in taken["Subject"]
    assert "/verify/" not in body_of(taken) and "/password/forgot" in body_of(taken)

    # Nobody can log in with the new password yet, at either unconfirmed address.
    for email in ("new@example.com", "contact@example.com", "taken@example.com"):
        response = portal.client().post(
            "/login", {"email": email, "password": PASSWORD}, page="/login"
        )
        assert response.status_code == 400
    assert verify_password(user_at("taken@example.com").password_hash, "an old phrase here")


def test_a_contacts_history_is_joined_only_when_the_link_is_opened_with_the_password(portal):
    contact = make_contact("dana@example.com", "Dana from feedback")
    contact_id, company_id = contact.id, contact.company_id
    client = portal.client()
    assert signup(client, "dana@example.com", name="Dana").status_code == 302
    (message,) = portal.mail(1)
    path = link_in(message, "/verify")

    def unchanged():
        row = user_at("dana@example.com")
        assert row.id == contact_id and row.is_contact and not row.is_verified
        assert row.display_name == "Dana from feedback" and row.company_id == company_id
        assert logged_in_as(client) is None

    unchanged()
    # Opening the link (as a mail scanner does) changes nothing.
    page = client.get(path)
    assert page.status_code == 200 and "Confirm and log in" in page.get_data(as_text=True)
    unchanged()
    # A click in the real owner's mailbox on a stranger's sign-up gives the stranger nothing.
    for wrong in ("", "not the password"):
        refused = client.post(path, {"password": wrong}, page=path)
        assert refused.status_code == 400
        assert "not the password you chose" in refused.get_data(as_text=True)
        unchanged()

    done = client.post(path, {"password": PASSWORD}, page=path)
    assert done.status_code == 302
    row = user_at("dana@example.com")
    assert row.id == contact_id and row.company_id == company_id  # the history is theirs
    assert row.is_verified and not row.is_contact and row.pending_password_hash is None
    assert verify_password(row.password_hash, PASSWORD) and row.display_name == "Dana"
    assert logged_in_as(client) == "Dana"

    # The link is used up.
    again = portal.client()
    assert again.get(path).status_code == 302
    reused = again.post(path, {"password": PASSWORD}, page="/signup")
    assert reused.status_code == 302 and reused.headers["Location"] == "/login"
    assert logged_in_as(again) is None


def test_new_address_confirmed_then_logs_in_with_its_password(portal):
    client = portal.client()
    signup(client, "mia@example.com", name="Mia")
    (message,) = portal.mail(1)
    path = link_in(message, "/verify")
    assert client.post(path, {"password": PASSWORD}, page=path).status_code == 302
    assert logged_in_as(client) == "Mia"
    portal.client().login("mia@example.com", PASSWORD)


def test_a_later_sign_up_replaces_the_earlier_one(portal):
    signup(portal.client(), "twice@example.com", password="first phrase here")
    signup(portal.client(), "twice@example.com", password="second phrase here")
    first, second = portal.mail(2)
    # Each job signs with what is waiting when it runs: the newest password only.
    for message in (first, second):
        path = link_in(message, "/verify")
        client = portal.client()
        assert client.post(path, {"password": "first phrase here"}, page=path).status_code == 400
    path = link_in(second, "/verify")
    client = portal.client()
    assert client.post(path, {"password": "second phrase here"}, page=path).status_code == 302
    assert user_at("twice@example.com").is_verified


@pytest.mark.app_config(EMAIL_VERIFY_MAX_AGE=-1)
def test_confirm_link_expires(portal):
    client = portal.client()
    signup(client, "late@example.com")
    (message,) = portal.mail(1)
    path = link_in(message, "/verify")
    assert client.get(path).status_code == 302
    response = client.post(path, {"password": PASSWORD}, page="/signup")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    row = user_at("late@example.com")
    assert row.is_contact and not row.is_verified and logged_in_as(client) is None


# --- gates ----------------------------------------------------------------------------------


@pytest.fixture
def idea(app, make_user):
    board = Board(slug="general", name="General", description="", position=1)
    db.session.add(board)
    db.session.flush()
    made = idea_ops.create_idea(make_user(), board, "Export timesheets", "Monthly, please.")
    db.session.commit()
    return made


def counts(idea_id: int) -> tuple[int, int, int]:
    return (
        db.session.scalar(select(func.count()).select_from(Idea)),
        db.session.scalar(select(func.count()).where(Vote.idea_id == idea_id)),
        db.session.scalar(select(func.count()).where(Comment.idea_id == idea_id)),
    )


def web_actions(client, idea) -> list:
    new = {"title": "Dark mode please", "body": "Eyes.", "board": str(idea.board_id)}
    return [
        client.post(f"/ideas/{idea.id}/vote", page="/"),
        client.post(f"/ideas/{idea.id}/comments", {"body": "Me too"}, page=f"/ideas/{idea.id}"),
        client.post("/ideas/new", new, page=f"/ideas/{idea.id}"),
    ]


def test_unverified_person_cannot_vote_post_or_comment_until_confirmed(client, make_user, idea):
    user = make_user(verified=False, name="Unsure")
    client.login(user.email)
    before = counts(idea.id)
    for response in [*web_actions(client, idea), client.get("/ideas/new")]:
        assert response.status_code == 403
        html = response.get_data(as_text=True)
        assert VERIFY_FIRST in html and "/verify/resend" in html
    assert counts(idea.id) == before

    # The link from the resend email (the same token the job signs) proves the address.
    path = f"/verify/{account_ops.make_verify_token(user)}"
    assert client.get(path).status_code == 200
    assert not user_at(user.email).is_verified  # GET changes nothing
    assert client.post(path, {}, page=path).status_code == 302
    assert user_at(user.email).is_verified
    codes = [r.status_code for r in web_actions(client, idea)]
    assert codes == [302, 302, 302]
    assert counts(idea.id) == (before[0] + 1, before[1] + 1, before[2] + 1)


def test_unverified_token_owner_gets_403_from_api_writes(api, make_user, make_token, idea):  # noqa: F811
    user = make_user(verified=False)
    secret = make_token(user, "write")
    before = counts(idea.id)
    refused = [
        api.post(f"/ideas/{idea.id}/vote", token=secret),
        api.post(f"/ideas/{idea.id}/comments", token=secret, json={"body": "Me too"}),
        api.post(
            "/ideas",
            token=secret,
            json={"title": "Dark mode please", "body": "Eyes.", "board": "general"},
        ),
    ]
    for response in refused:
        assert response.status_code == 403, response.get_data(as_text=True)
        assert VERIFY_FIRST in response.get_json()["error"]["message"]
    assert counts(idea.id) == before
    assert api.get(f"/ideas/{idea.id}", token=secret).status_code == 200  # reading is fine

    account_ops.mark_verified(db.session.get(User, user.id))
    db.session.commit()
    assert api.post(f"/ideas/{idea.id}/vote", token=secret).status_code in (200, 201)
    assert counts(idea.id)[1] == before[1] + 1


def test_resend_emails_a_new_confirm_link(portal):
    user = account_ops.create_user("later@example.com", "Later", PASSWORD, verified=False)
    db.session.commit()
    client = portal.client()
    client.login(user.email, PASSWORD)
    assert client.post("/verify/resend", page="/profile").status_code == 302
    (message,) = portal.mail(1)
    path = link_in(message, "/verify")
    assert client.post(path, page=path).status_code == 302
    assert user_at("later@example.com").is_verified
    assert client.post(path, page="/profile").status_code == 302  # used: nothing to confirm


def test_existing_users_are_verified_and_contacts_not_by_default(app, make_user):
    assert make_user().is_verified
    assert not feedback_ops.contact_for("someone@example.com").is_verified


# --- sign-in by emailed link ------------------------------------------------------------------


def test_sign_in_link_is_single_use_and_answers_the_same_for_unknown_addresses(portal):
    user = account_ops.create_user("linky@example.com", "Linky", PASSWORD, verified=False)
    feedback_ops.contact_for("contact@example.com")
    db.session.commit()
    login = portal.client().get("/login").get_data(as_text=True)
    assert "Email me a sign-in link" in login
    answers = []
    for email in ("ghost@example.com", "contact@example.com", "linky@example.com"):
        response = portal.client().post("/login/link", {"email": email}, page="/login/link")
        answers.append((response.status_code, response.headers["Location"], response.data))
    assert answers[0] == answers[1] == answers[2] and answers[0][0] == 302
    messages = portal.mail(1)
    assert [m["To"] for m in messages] == ["linky@example.com"]
    path = link_in(messages[0], "/login/link")

    client = portal.client()
    page = client.get(path)
    assert page.status_code == 200 and "Log in as" in page.get_data(as_text=True)
    row = user_at(user.email)
    assert row.last_login_at is None and not row.is_verified and logged_in_as(client) is None

    assert client.post(path, page=path).status_code == 302
    assert logged_in_as(client) == "Linky"
    assert user_at(user.email).is_verified  # the link proved the address

    other = portal.client()
    assert other.get(path).status_code == 302
    reused = other.post(path, page="/login")
    assert reused.status_code == 302 and reused.headers["Location"] == "/login/link"
    assert logged_in_as(other) is None
    assert len(portal.inbox.messages) == 1


@pytest.mark.app_config(MAGIC_LINK_MAX_AGE=-1)
def test_sign_in_link_expires(portal):
    account_ops.create_user("slow@example.com", "Slow", PASSWORD)
    db.session.commit()
    portal.client().post("/login/link", {"email": "slow@example.com"}, page="/login/link")
    (message,) = portal.mail(1)
    path = link_in(message, "/login/link")
    client = portal.client()
    assert client.get(path).status_code == 302
    assert client.post(path, page="/login").status_code == 302
    assert logged_in_as(client) is None and user_at("slow@example.com").last_login_at is None


@pytest.mark.app_config(LIMIT_MAGIC_LINK="2/hour")
def test_sign_in_link_requests_are_rate_limited(app):
    client = PortalClient(app)
    codes = [
        client.post("/login/link", {"email": "a@example.com"}, page="/login").status_code
        for _ in range(3)
    ]
    assert codes == [302, 302, 429]


def test_migration_marks_password_holders_verified_and_leaves_contacts(app):
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import text

    downgrade(revision="0009_merge_notes_without_titles")
    for email, password_hash in (("old@example.com", "$argon2id$x"), ("fb@example.com", "")):
        db.session.execute(
            text(
                "INSERT INTO users (email, display_name, password_hash, role, blocked,"
                " session_version, email_pref, created_at)"
                " VALUES (:e, 'X', :h, 'customer', false, 1, 'immediate', :t)"
            ),
            {"e": email, "h": password_hash, "t": "2025-01-02 03:04:05"},
        )
    db.session.commit()
    upgrade()
    assert user_at("old@example.com").is_verified
    assert not user_at("fb@example.com").is_verified
