"""Account recovery revokes API tokens; rate limits are shared by every web process and
hold back a guesser per account without locking the owner out; pages for a logged-in
person are private to caches; secrets stay out of URLs (issue 9, items 7, 8 and 9)."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from tests.conftest import PortalClient
from vocportal.accounts import operations as accounts
from vocportal.api import operations as api_ops
from vocportal.api.models import ApiToken, TokenRevocation
from vocportal.extensions import db
from vocportal.feedback.models import FeedbackItem

PASSWORD = "correct horse battery"
NEW_PASSWORD = "a brand new passphrase"


def _ideas_with(client: PortalClient, secret: str) -> int:
    return client.http.get(
        "/api/v1/ideas", headers={"Authorization": f"Bearer {secret}"}
    ).status_code


# --- item 7: tokens and account recovery ------------------------------------------------------


@pytest.mark.usefixtures("embedded_redis_url")
def test_changing_the_password_revokes_api_tokens_and_the_token_page_says_so(client, make_user):
    user = make_user()
    other = make_user()
    _token, secret = api_ops.create_token(user, "laptop script", "write")
    _token, others = api_ops.create_token(other, "their script", "read")
    db.session.commit()
    assert _ideas_with(client, secret) == 200

    client.login(user.email)
    changed = client.post(
        "/profile/password",
        {"current_password": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
        page="/profile",
    )
    assert changed.status_code == 302, changed.get_data(as_text=True)[:3000]
    assert _ideas_with(client, secret) == 401
    assert _ideas_with(client, others) == 200  # someone else's token lives on
    token = db.session.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    assert token.revoked_reason is TokenRevocation.password_changed

    page = client.get("/account/tokens").get_data(as_text=True)
    assert 'data-testid="tokens-revoked"' in page
    assert "revoked when your password changed on" in page
    assert token.revoked_at.strftime("%Y-%m-%d") in page

    # A new token works, and once there is one the notice has done its job.
    created = client.post(
        "/account/tokens", {"name": "new", "scope": "read"}, page="/account/tokens"
    )
    assert created.status_code == 200
    assert 'data-testid="tokens-revoked"' not in created.get_data(as_text=True)
    fresh = re.search(r'data-testid="token-secret">([^<]+)<', created.get_data(as_text=True))
    assert _ideas_with(client, fresh.group(1)) == 200


@pytest.mark.usefixtures("embedded_redis_url")
def test_a_password_reset_revokes_api_tokens(client, make_user):
    user = make_user()
    _token, secret = api_ops.create_token(user, "ci", "read")
    db.session.commit()
    assert _ideas_with(client, secret) == 200
    link = f"/password/reset/{accounts.make_reset_token(user)}"
    reset = client.post(link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}, page=link)
    assert reset.status_code == 302, reset.get_data(as_text=True)[:3000]
    assert _ideas_with(client, secret) == 401
    client.login(user.email, NEW_PASSWORD)
    page = client.get("/account/tokens").get_data(as_text=True)
    assert "revoked when your password was reset on" in page


@pytest.mark.usefixtures("embedded_redis_url")
def test_a_refused_password_change_keeps_the_tokens(client, make_user):
    user = make_user()
    _token, secret = api_ops.create_token(user, "ci", "read")
    db.session.commit()
    client.login(user.email)
    refused = client.post(
        "/profile/password",
        {"current_password": "wrong guess here", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
        page="/profile",
    )
    assert refused.status_code == 400
    assert _ideas_with(client, secret) == 200


# --- item 8: login throttle per account --------------------------------------------------------


def _login(client: PortalClient, email: str, password: str, address: str) -> int:
    return client.post(
        "/login",
        {"email": email, "password": password},
        page="/login",
        environ_base={"REMOTE_ADDR": address},
    ).status_code


@pytest.mark.app_config(LIMIT_LOGIN="1000/hour", LIMIT_LOGIN_ACCOUNT="3/hour")
def test_failed_logins_from_many_addresses_are_held_back_per_account(new_client, make_user):
    victim = make_user(email="victim@example.com")
    home = "10.0.0.1"
    assert _login(new_client(), victim.email, PASSWORD, home) == 302  # an address of theirs

    # A guesser spread over addresses: each is under the per-address limit.
    for n in range(3):
        assert _login(new_client(), victim.email, "guess", f"10.9.0.{n}") == 400
    assert _login(new_client(), victim.email, "guess", "10.9.1.1") == 429
    # Even the right password is held back from a new address for a while...
    assert _login(new_client(), victim.email, PASSWORD, "10.9.1.2") == 429
    # ...but never from the victim's own address, whatever the guesser did.
    assert _login(new_client(), victim.email, "typo", home) == 400
    assert _login(new_client(), victim.email, PASSWORD, home) == 302
    # Other accounts are not affected.
    other = make_user()
    assert _login(new_client(), other.email, PASSWORD, "10.9.1.1") == 302


@pytest.mark.app_config(LIMIT_LOGIN="1000/hour", LIMIT_LOGIN_ACCOUNT="2/hour")
def test_the_account_limit_does_not_tell_which_emails_have_accounts(new_client):
    statuses = [
        _login(new_client(), "nobody@example.com", "guess", f"10.8.0.{n}") for n in range(3)
    ]
    assert statuses == [400, 400, 429]


@pytest.mark.app_config(LIMIT_LOGIN="1000/hour", LIMIT_LOGIN_ACCOUNT="2/hour")
def test_a_password_reset_makes_the_address_the_accounts_own(new_client, make_user):
    user = make_user()
    for n in range(2):
        _login(new_client(), user.email, "guess", f"10.7.0.{n}")
    laptop = "10.7.1.1"
    assert _login(new_client(), user.email, PASSWORD, laptop) == 429
    link = f"/password/reset/{accounts.make_reset_token(user)}"
    browser = new_client()
    reset = browser.post(
        link,
        {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
        page=link,
        environ_base={"REMOTE_ADDR": laptop},
    )
    assert reset.status_code == 302
    assert _login(new_client(), user.email, NEW_PASSWORD, laptop) == 302


# --- item 8: behind a proxy --------------------------------------------------------------------


def _login_via(client: PortalClient, forwarded_for: str) -> int:
    return client.post(
        "/login",
        {"email": "someone@example.com", "password": "guess"},
        page="/login",
        headers={"X-Forwarded-For": forwarded_for},
    ).status_code


@pytest.mark.app_config(PROXY_FIX_HOPS=1, LIMIT_LOGIN="2/hour", LIMIT_LOGIN_ACCOUNT="1000/hour")
def test_behind_a_proxy_limits_count_per_forwarded_address(client):
    assert [_login_via(client, "203.0.113.7") for _ in range(3)] == [400, 400, 429]
    assert _login_via(client, "203.0.113.8") == 400  # another client behind the same proxy
    # A client cannot pick its own address: the proxy appends the real one last.
    assert _login_via(client, "198.51.100.1, 203.0.113.7") == 429


@pytest.mark.app_config(LIMIT_LOGIN="2/hour", LIMIT_LOGIN_ACCOUNT="1000/hour")
def test_without_a_proxy_forwarded_headers_are_ignored(client):
    statuses = [_login_via(client, f"203.0.113.{n}") for n in range(3)]
    assert statuses == [400, 400, 429]


# --- item 8: limits shared by every web process -----------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(env: dict, instance: Path) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "--workers=1",
            f"--bind=127.0.0.1:{port}",
            "--log-level=warning",
            "vocportal:create_app()",
        ],
        env={**os.environ, **env, "VOCPORTAL_INSTANCE_PATH": str(instance)},
        cwd=Path(__file__).resolve().parent.parent,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    return process, f"http://127.0.0.1:{port}"


def _wait_until_up(process: subprocess.Popen, url: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(process.stderr.read().decode()[-3000:])
        try:
            requests.get(url + "/login", timeout=30)
            return
        except requests.ConnectionError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not start")


@pytest.mark.parametrize("storage", ["default", "memory"])
def test_two_web_processes_share_one_login_limit(app, embedded_redis_url, tmp_path, storage):
    """Two gunicorn processes (as `gunicorn -w 2` runs) on one database and one Redis:
    wrong passwords sent to both in turn are limited once, not once per process. With
    RATELIMIT_STORAGE_URI=memory:// (the old default) each process counts alone."""
    env = {
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "REDIS_URL": embedded_redis_url,
        "SECRET_KEY": app.config["SECRET_KEY"],
        "LIMIT_LOGIN": "4/hour",
        "LIMIT_LOGIN_ACCOUNT": "1000/hour",
        **({"RATELIMIT_STORAGE_URI": "memory://"} if storage == "memory" else {}),
    }
    servers = [_serve(env, tmp_path / f"instance-{n}") for n in range(2)]
    try:
        for process, url in servers:
            _wait_until_up(process, url)
        session = requests.Session()
        page = session.get(servers[0][1] + "/login", timeout=10).text
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        statuses = []
        for n in range(8):
            url = servers[n % 2][1]
            response = session.post(
                url + "/login",
                data={"csrf_token": token, "email": "someone@example.com", "password": "x"},
                allow_redirects=False,
                timeout=10,
            )
            statuses.append(response.status_code)
    finally:
        for process, _url in servers:
            os.killpg(process.pid, signal.SIGTERM)
        for process, _url in servers:
            process.wait(timeout=30)
            process.stderr.close()
    if storage == "default":
        assert statuses == [400] * 4 + [429] * 4
    else:
        assert statuses == [400] * 8  # what `memory://` did under two workers


def test_rate_limits_count_in_the_apps_redis_unless_told_otherwise(app_factory):
    app = app_factory(REDIS_URL="redis://127.0.0.1:6399/3")
    assert app.config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6399/3"
    app = app_factory(REDIS_URL="")
    socket_path = Path(app.instance_path) / "redis.sock"
    assert app.config["RATELIMIT_STORAGE_URI"] == f"redis+unix://{socket_path}"
    # Last: the shared limiter is left on a storage the fixture can reset.
    app = app_factory(RATELIMIT_STORAGE_URI="memory://")
    assert app.config["RATELIMIT_STORAGE_URI"] == "memory://"


# --- item 9: caches and secrets ---------------------------------------------------------------


def test_pages_for_a_logged_in_person_are_private_to_caches(client, make_user):
    anonymous = client.get("/")
    assert "private" not in anonymous.headers.get("Cache-Control", "")
    staff = make_user(role="staff")
    client.login(staff.email)
    for path in ("/", "/profile", "/staff/inbox", "/staff/export/ideas.csv"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == "private, no-store", path
        assert "Cookie" in response.headers.get("Vary", ""), path
    # A page that chose its own caching keeps it.
    assert client.get("/account/tokens").headers["Cache-Control"] == "no-store"


@pytest.mark.app_config(INBOUND_EMAIL_SECRET="s3cret-hook")
def test_inbound_email_secret_is_not_taken_from_the_url(client):
    body = {"sender": "a@example.com", "subject": "Hi", "text": "Hello there"}
    response = client.http.post("/hooks/inbound-email?secret=s3cret-hook", json=body)
    assert response.status_code == 401
    assert db.session.scalar(select(FeedbackItem)) is None
    ok = client.http.post(
        "/hooks/inbound-email", json=body, headers={"X-Webhook-Secret": "s3cret-hook"}
    )
    assert ok.status_code == 201


def test_with_redis_down_limits_count_per_process_instead_of_failing(app_factory):
    down = app_factory(
        REDIS_URL="unix:///nonexistent/vocportal/redis.sock",
        LIMIT_LOGIN="2/hour",
        LIMIT_LOGIN_ACCOUNT="1000/hour",
    )
    client = PortalClient(down)
    statuses = [_login(client, "someone@example.com", "guess", "10.6.0.1") for _ in range(3)]
    assert statuses == [400, 400, 429]
    app_factory()  # the shared limiter back on a storage the fixtures can reset
