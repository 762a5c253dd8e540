"""Sign-up, login, logout, password reset and change, profile."""

from __future__ import annotations

import re
from urllib.parse import urlencode

from jobs.runtime import set_app
from tests.test_jobs import run_worker
from vocportal.accounts.models import User
from vocportal.extensions import db
from vocportal.security import hash_password, verify_password

from .smtp import smtp_server, text_of  # noqa: F401  (fixture)


def test_signup_waits_for_the_emailed_link(client, app):
    response = client.post(
        "/signup",
        {"email": "Mia@Example.com", "display_name": "Mia", "password": "lantern orchard 42"},
    )
    assert response.status_code == 302 and response.headers["Location"] == "/signup/sent"
    user = db.session.scalar(db.select(User).where(User.email == "mia@example.com"))
    # The password waits, hashed, until the address is confirmed (tests/test_verification.py).
    assert user is not None and user.pending_password_hash.startswith("$argon2id$")
    assert user.password_hash == "" and not user.is_verified
    page = client.get("/").get_data(as_text=True)
    assert "Log out" not in page


def test_signup_errors_rerender_with_input_kept(client):
    response = client.post(
        "/signup", {"email": "not-an-email", "display_name": "Keep Me", "password": "short"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'value="Keep Me"' in html and 'value="not-an-email"' in html
    assert "Invalid email address" in html
    assert "at least 8 characters" in html


def test_signup_refuses_common_password_and_keeps_quiet_about_taken_email(client, make_user):
    make_user(email="taken@example.com")
    common = client.post(
        "/signup", {"email": "new@example.com", "display_name": "N", "password": "password123"}
    )
    assert common.status_code == 400
    assert "too common" in common.get_data(as_text=True)
    taken = client.post(
        "/signup",
        {"email": "taken@example.com", "display_name": "T", "password": "lantern orchard 42"},
    )
    # The same answer as for a new address: nobody learns which addresses have accounts.
    assert taken.status_code == 302 and taken.headers["Location"] == "/signup/sent"


def test_long_passwords_up_to_128_are_accepted(client):
    password = "x7" * 64
    response = client.post(
        "/signup", {"email": "long@example.com", "display_name": "L", "password": password}
    )
    assert response.status_code == 302


def test_login_same_message_for_unknown_email_and_wrong_password(client, make_user):
    make_user(email="known@example.com")
    wrong = client.post(
        "/login", {"email": "known@example.com", "password": "nope nope nope"}, page="/login"
    )
    unknown = client.post(
        "/login", {"email": "ghost@example.com", "password": "nope nope nope"}, page="/login"
    )
    assert wrong.status_code == unknown.status_code == 400
    message = "Email or password is incorrect."
    assert message in wrong.get_data(as_text=True)
    assert message in unknown.get_data(as_text=True)
    assert 'value="known@example.com"' in wrong.get_data(as_text=True)


def test_blocked_user_cannot_log_in(client, make_user):
    user = make_user()
    user.blocked = True
    db.session.commit()
    response = client.post(
        "/login", {"email": user.email, "password": "correct horse battery"}, page="/login"
    )
    assert response.status_code == 400


def test_login_redirects_only_to_local_next(client, make_user):
    user = make_user()
    good = client.post(
        "/login?next=/ideas/new",
        {"email": user.email, "password": "correct horse battery"},
        page="/login",
    )
    assert good.headers["Location"] == "/ideas/new"
    for evil in ["https://evil.example/", "//evil.example/", "/\\evil.example", "\\\\evil"]:
        other = client.__class__(client.app)
        response = other.post(
            "/login?" + urlencode({"next": evil}),
            {"email": user.email, "password": "correct horse battery"},
            page="/login",
        )
        assert response.status_code == 302, (
            evil,
            response.get_data(as_text=True).split("<h1>")[1][:300],
        )
        assert response.headers["Location"] == "/", evil


def test_profile_edit(client, make_user):
    user = make_user(name="Old Name")
    client.login(user.email)
    response = client.post("/profile", {"display_name": "New Name"}, page="/profile")
    assert response.status_code == 302
    db.session.refresh(user)
    assert user.display_name == "New Name"


def test_password_change_needs_current_password(client, make_user):
    user = make_user()
    client.login(user.email)
    response = client.post(
        "/profile/password",
        {"current_password": "wrong wrong wrong", "password": "a brand new phrase"},
        page="/profile",
    )
    assert response.status_code == 400
    assert "not your current password" in response.get_data(as_text=True)
    ok = client.post(
        "/profile/password",
        {"current_password": "correct horse battery", "password": "a brand new phrase"},
        page="/profile",
    )
    assert ok.status_code == 302
    db.session.refresh(user)
    assert verify_password(user.password_hash, "a brand new phrase")


def test_password_reset_by_emailed_link(app_factory, smtp_server, embedded_redis_url):  # noqa: F811
    mail_url, inbox = smtp_server
    app = app_factory(MAIL_URL=mail_url, BASE_URL="http://portal.test")
    set_app(app)
    from tests.conftest import PortalClient

    with app.app_context():
        db.session.add(
            User(
                email="forgetful@example.com",
                display_name="Forgetful",
                password_hash=hash_password("old phrase that works"),
            )
        )
        db.session.commit()
    client = PortalClient(app)
    response = client.post("/password/forgot", {"email": "forgetful@example.com"})
    assert response.status_code == 302
    # An unknown address gets the same answer and no email.
    unknown = client.post("/password/forgot", {"email": "nobody@example.com"})
    assert unknown.status_code == 302
    assert inbox.messages == []  # mail goes out from a worker, not the request
    run_worker(app, "notifications")
    messages = inbox.wait_for(1)
    assert len(messages) == 1
    assert messages[0]["To"] == "forgetful@example.com"
    body = text_of(messages[0])
    link = re.search(r"https?://\S+/password/reset/\S+", body).group(0)
    path = link.split("portal.test", 1)[1]

    bad = client.post(path, {"password": "new phrase here", "confirm": "different"}, page=path)
    assert bad.status_code == 400 and "The passwords differ." in bad.get_data(as_text=True)
    done = client.post(
        path, {"password": "new phrase here", "confirm": "new phrase here"}, page=path
    )
    assert done.status_code == 302 and done.headers["Location"] == "/login"
    client.login("forgetful@example.com", "new phrase here")
    # The link is single-use: the password it was bound to is gone.
    again = client.http.get(path)
    assert again.status_code == 302 and "/password/forgot" in again.headers["Location"]
    assert len(inbox.messages) == 1


def test_reset_token_tampered_is_refused(client):
    response = client.get("/password/reset/not-a-real-token")
    assert response.status_code == 302
