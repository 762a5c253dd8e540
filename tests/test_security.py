"""The security points of the foundation: CSRF, XSS, authorization, sessions, limits, headers."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from vocportal.extensions import db
from vocportal.ideas import commenting
from vocportal.ideas import operations as ops
from vocportal.ideas.boards import save_board
from vocportal.ideas.models import Comment, Idea, IdeaStatus

XSS = "<script>alert(1)</script><img src=x onerror=alert(2)>[c](javascript:alert(3))"


def post_routes(app):
    """Every URL rule that changes state (POST), with its parameters filled in."""
    routes = []
    for rule in app.url_map.iter_rules():
        if "POST" in rule.methods:
            routes.append(re.sub(r"<(?:int:)?(\w+)>", "1", rule.rule))
    return sorted(set(routes))


def test_every_post_route_rejects_missing_csrf_token(client, make_idea, make_user):
    user = make_user(role="admin")
    make_idea()
    client.login(user.email)
    routes = post_routes(client.app)
    assert "/ideas/1/vote" in routes and "/logout" in routes and len(routes) >= 15
    # RFC 8058 one-click unsubscribe is posted by mail clients: its signed token is the
    # authority, and a bad token changes nothing.
    # The inbound-email webhook checks its shared secret instead, an issue tracker's webhook
    # its signature (and a name that is no tracker is a 404), and the widget takes only
    # JSON (which a cross-site form cannot send) from allowed origins.
    exempt = {
        "/unsubscribe/1/one-click": 404,
        "/reports/unsubscribe/1/one-click": 404,
        "/hooks/inbound-email": 401,
        "/hooks/trackers/1": 404,
        "/widget/feedback": 415,
    }
    for route, refused in exempt.items():
        assert client.post(route, csrf=False).status_code == refused, route
    for route in sorted(set(routes) - set(exempt)):
        response = client.post(route, {"title": "x", "body": "y"}, csrf=False)
        assert response.status_code == 400, route
        assert "CSRF" in response.get_data(as_text=True), route
    # And a forged token is no better.
    forged = client.post("/ideas/1/vote", {"csrf_token": "forged"}, csrf=False)
    assert forged.status_code == 400
    db.session.expire_all()
    assert db.session.get(Idea, 1).vote_count == 1


def test_state_never_changes_on_get(client, make_idea, make_user):
    user = make_user()
    idea = make_idea()
    client.login(user.email)
    for route in (f"/ideas/{idea.id}/vote", f"/ideas/{idea.id}/withdraw", "/logout"):
        assert client.get(route).status_code == 405
    db.session.refresh(idea)
    assert idea.vote_count == 1 and idea.withdrawn_at is None


def test_xss_in_title_body_comment_is_inert(client, make_user, make_board):
    user = make_user(name='<b onmouseover="x">Mallory</b>')
    board = make_board()
    client.login(user.email)
    client.post("/ideas/new", {"title": XSS, "body": XSS, "board": board.id}, page="/ideas/new")
    idea = db.session.scalar(select(Idea))
    client.post(f"/ideas/{idea.id}/comments", {"body": XSS}, page=f"/ideas/{idea.id}")
    for page in ("/", f"/ideas/{idea.id}", "/?q=script"):
        html = client.get(page).get_data(as_text=True)
        assert "<script>alert(1)" not in html, page
        assert "onerror=" not in html.replace("onerror=alert(2)&gt;", ""), page
        assert 'href="javascript:' not in html, page
        assert "<b onmouseover" not in html, page
    html = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # the title, escaped
    comment = db.session.scalar(select(Comment))
    assert "<script" not in comment.body_html and 'href="javascript:' not in comment.body_html


def test_customer_cannot_edit_or_withdraw_another_users_idea(client, make_idea, make_user):
    idea = make_idea(title="Not yours")
    intruder = make_user()
    client.login(intruder.email)
    assert client.get(f"/ideas/{idea.id}/edit").status_code == 403
    crafted = client.post(
        f"/ideas/{idea.id}/edit",
        {"title": "Hijacked", "body": "", "board": idea.board_id},
        page="/",
    )
    assert crafted.status_code == 403
    withdraw = client.post(f"/ideas/{idea.id}/withdraw", page="/")
    assert withdraw.status_code == 403
    db.session.refresh(idea)
    assert idea.title == "Not yours" and idea.withdrawn_at is None


def test_customer_cannot_edit_another_users_comment(client, make_idea, make_user):
    idea = make_idea()
    comment = commenting.add_comment(idea.author, idea, "original")
    db.session.commit()
    client.login(make_user().email)
    assert (
        client.post(f"/comments/{comment.id}/edit", {"body": "changed"}, page="/").status_code
        == 403
    )
    assert (
        client.post(f"/comments/{comment.id}/moderate", {"action": "hide"}, page="/").status_code
        == 403
    )
    db.session.refresh(comment)
    assert comment.body == "original" and comment.hidden_at is None


def test_customer_cannot_change_status_or_hide_even_by_crafted_post(client, make_idea):
    idea = make_idea()
    client.login(idea.author.email)  # even the idea's own author
    response = client.post(
        f"/ideas/{idea.id}/status", {"status": "shipped", "message": ""}, page="/"
    )
    assert response.status_code == 403
    assert client.post(f"/ideas/{idea.id}/hide", {"hidden": "1"}, page="/").status_code == 403
    db.session.refresh(idea)
    assert idea.status is IdeaStatus.open and idea.hidden_at is None


def test_admin_pages_are_for_admins(client, make_user):
    staff = make_user(role="staff")
    client.login(staff.email)
    assert client.get("/admin/users").status_code == 403
    target = make_user()
    assert client.post(f"/admin/users/{target.id}", {"role": "admin"}, page="/").status_code == 403
    db.session.refresh(target)
    assert target.role.value == "customer"


def _session_cookie(client) -> str:
    return client.http.get_cookie("session", domain="portal.test").value


def test_session_dead_after_logout_even_if_cookie_replayed(client, new_client, make_user):
    user = make_user()
    client.login(user.email)
    stolen = _session_cookie(client)
    client.logout()
    attacker = new_client()
    attacker.http.set_cookie("session", stolen, domain="portal.test")
    page = attacker.get("/ideas/new")
    assert page.status_code == 302 and "/login" in page.headers["Location"]


def test_password_change_kills_other_sessions_but_keeps_this_one(client, new_client, make_user):
    user = make_user()
    laptop, phone = client, new_client()
    laptop.login(user.email)
    phone.login(user.email)
    assert phone.get("/ideas/new").status_code == 200
    response = laptop.post(
        "/profile/password",
        {"current_password": "correct horse battery", "password": "fresh phrase for me"},
        page="/profile",
    )
    assert response.status_code == 302
    assert laptop.get("/ideas/new").status_code == 200
    assert phone.get("/ideas/new").status_code == 302


def test_blocking_a_user_ends_their_session(client, new_client, make_user):
    admin = make_user(role="admin")
    victim = make_user()
    session = new_client()
    session.login(victim.email)
    client.login(admin.email)
    client.post(
        f"/admin/users/{victim.id}", {"role": "customer", "blocked": "y"}, page="/admin/users"
    )
    assert session.get("/ideas/new").status_code == 302


def test_remember_me_cookie_dies_with_logout(client, new_client, make_user):
    user = make_user()
    client.post(
        "/login",
        {"email": user.email, "password": "correct horse battery", "remember": "y"},
        page="/login",
    )
    remember = client.http.get_cookie("remember_token", domain="portal.test").value
    client.logout()
    thief = new_client()
    thief.http.set_cookie("remember_token", remember, domain="portal.test")
    assert thief.get("/ideas/new").status_code == 302


@pytest.fixture
def tight_limits(app_factory):
    return app_factory(
        LIMIT_LOGIN="3/minute",
        LIMIT_VOTE="2/minute",
        LIMIT_SIGNUP="2/hour",
        LIMIT_COMMENT="2/minute",
        LIMIT_POST="1/minute",
        LIMIT_RESET="2/hour",
    )


def test_rate_limits_answer_429(tight_limits):
    from tests.conftest import PortalClient
    from vocportal.accounts import operations as account_ops

    app = tight_limits
    with app.app_context():
        user = account_ops.create_user("limited@example.com", "L", "correct horse battery")
        board = save_board(
            account_ops.create_user(
                "adm@example.com",
                "A",
                "correct horse battery",
                role=__import__("vocportal.accounts.models", fromlist=["Role"]).Role.admin,
            ),
            None,
            "B",
            "",
        )
        idea = ops.create_idea(user, board, "Limited idea", "")
        db.session.commit()
        idea_id = idea.id
    client = PortalClient(app)
    codes = [
        client.post(
            "/login", {"email": "limited@example.com", "password": "wrong one!"}, page="/login"
        ).status_code
        for _ in range(4)
    ]
    assert codes == [400, 400, 400, 429]
    page = client.post("/login", {"email": "x@example.com", "password": "y"}, page="/login")
    assert "Too many requests" in page.get_data(as_text=True)

    voter = PortalClient(app)
    voter.http.environ_base["REMOTE_ADDR"] = "10.9.9.9"
    voter.login("limited@example.com")
    codes = [
        voter.post(f"/ideas/{idea_id}/{action}", page="/").status_code
        for action in ("unvote", "vote", "unvote")
    ]
    assert codes == [302, 302, 429]
    codes = [
        voter.post(f"/ideas/{idea_id}/comments", {"body": "hi"}, page="/").status_code
        for _ in range(3)
    ]
    assert codes == [302, 302, 429]
    signups = PortalClient(app)
    signups.http.environ_base["REMOTE_ADDR"] = "10.9.9.10"
    codes = [
        signups.post(
            "/signup", {"email": f"s{i}@example.com", "display_name": "S", "password": "short"}
        ).status_code
        for i in range(3)
    ]
    assert codes == [400, 400, 429]
    resets = [
        signups.post(
            "/password/forgot", {"email": "a@example.com"}, page="/password/forgot"
        ).status_code
        for _ in range(3)
    ]
    assert resets == [302, 302, 429]


def test_security_headers_and_csp_nonce(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "object-src 'none'" in csp and "frame-ancestors 'none'" in csp
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
    html = response.get_data(as_text=True)
    scripts = re.findall(r"<script[^>]*>", html)
    assert scripts and all(f'nonce="{nonce}"' in tag for tag in scripts)
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    login_page = client.get("/login")
    cookie = login_page.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_error_pages_say_what_happened(client, make_user):
    missing = client.get("/no/such/page")
    assert missing.status_code == 404 and "There is nothing at this address." in missing.get_data(
        as_text=True
    )
    client.login(make_user().email)
    forbidden = client.get("/admin/boards")
    assert forbidden.status_code == 403 and "permission" in forbidden.get_data(as_text=True)


def test_secret_key_is_generated_once_and_kept(tmp_path, monkeypatch):
    from vocportal.config import load_config

    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = load_config(tmp_path)["SECRET_KEY"]
    second = load_config(tmp_path)["SECRET_KEY"]
    assert first == second and len(first) > 40
    assert (tmp_path / "secret_key").read_text() == first
    assert load_config(tmp_path / "other")["SECRET_KEY"] != first


def test_huge_ids_and_pages_are_not_found_not_errors(client, make_user):
    assert client.get("/ideas/99999999999999999999").status_code == 404
    # Above a 32-bit INTEGER: PostgreSQL would refuse the comparison; it is a plain 404.
    for path in ("/ideas/2147483648", "/api/v1/ideas/1099511627777", "/changelog/2147483648"):
        assert client.get(path).status_code == 404, path
    assert client.get("/?page=99999999999999999999").status_code == 200
    client.login(make_user(role="admin").email)
    assert client.get("/admin/users?page=99999999999999999999").status_code == 200
