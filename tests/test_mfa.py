"""MFA for staff and admins: TOTP enrolment with a server-rendered QR code, the second login
step (after a password or an emailed link), recovery codes, replay protection, the per-account
limit on codes, REQUIRE_STAFF_MFA and an admin's reset. Codes are computed here with pyotp."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from sqlalchemy import func, select

from tests.conftest import PortalClient
from tests.factories import PASSWORD
from vocportal.accounts import operations as account_ops
from vocportal.accounts.models import RecoveryCode, Role, User
from vocportal.api import operations as api_ops
from vocportal.audit.models import AuditEntry
from vocportal.extensions import db

STAFF_PAGE = "/staff/inbox"


@pytest.fixture(autouse=True)
def _away_from_a_step_boundary():
    """Codes here are computed for the steps around now (30 s each); start each test with
    at least 8 s left in the current step, so "now" is the same step for the test and the
    app. This only waits; it asserts nothing about time."""
    left = 30 - time.time() % 30
    if left < 8:
        time.sleep(left + 0.2)


def code(secret: str, steps: int = 0) -> str:
    """The code of the step `steps` away from now (the app takes one step either side)."""
    return pyotp.TOTP(secret).at(time.time() + 30 * steps)


def row(user: User) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


def logged_in(client: PortalClient) -> bool:
    return client.get("/profile").status_code == 200


def enrol(client: PortalClient, steps: int = -1) -> tuple[str, list[str]]:
    """Enrol the client's account through the pages; return the secret and recovery codes."""
    html = client.get("/profile/mfa").get_data(as_text=True)
    secret = re.search(r'data-testid="mfa-secret">([A-Z2-7 ]+)<', html).group(1).replace(" ", "")
    response = client.post("/profile/mfa", {"code": code(secret, steps)}, page="/profile/mfa")
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    codes = re.findall(r"<li><code>([a-z2-7-]+)</code></li>", response.get_data(as_text=True))
    return secret, codes


def password_step(client: PortalClient, email: str, password: str = PASSWORD):
    return client.post("/login", {"email": email, "password": password}, page="/login")


def code_step(client: PortalClient, value: str):
    return client.post("/login/code", {"code": value}, page="/login")


@pytest.fixture
def enrolled(app, make_user):
    """A staff member enrolled through the pages: (user, secret, recovery codes), logged out.
    Enrolment used the previous step's code, so now and the next step are still unused."""

    def make(role: Role = Role.staff):
        user = make_user(role)
        client = PortalClient(app)
        client.login(user.email)
        secret, codes = enrol(client, steps=-1)
        return user, secret, codes

    return make


def test_enrolment_page_shows_an_inline_svg_qr_under_a_strict_csp(app, make_user, client):
    user = make_user(Role.staff)
    client.login(user.email)
    page = client.get("/profile/mfa")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    qr = re.search(r'data-testid="mfa-qr">\s*(<svg[^>]*>)', html)
    assert qr and "<path" in html
    secret = re.search(r'data-testid="mfa-secret">([A-Z2-7 ]+)<', html).group(1).replace(" ", "")
    assert len(secret) == 32
    csp = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "img-src 'self' data:" in csp
    # No inline script and no inline style the CSP would block: every script has a src.
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag, tag
    assert " style=" not in html and "<style" not in html
    # The page keeps the same secret until it is confirmed (a reload does not re-key).
    again = client.get("/profile/mfa").get_data(as_text=True)
    assert secret.upper() in again.replace(" ", "")


def test_enrolment_needs_a_current_code_and_shows_ten_recovery_codes_once(app, make_user, client):
    user = make_user(Role.staff)
    client.login(user.email)
    html = client.get("/profile/mfa").get_data(as_text=True)
    secret = re.search(r'data-testid="mfa-secret">([A-Z2-7 ]+)<', html).group(1).replace(" ", "")

    wrong = client.post("/profile/mfa", {"code": "000000"}, page="/profile/mfa")
    assert wrong.status_code == 400 and "does not match" in wrong.get_data(as_text=True)
    assert not row(user).mfa_enabled

    done = client.post("/profile/mfa", {"code": code(secret)}, page="/profile/mfa")
    assert done.status_code == 200
    codes = re.findall(r"<li><code>([a-z2-7-]+)</code></li>", done.get_data(as_text=True))
    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(re.fullmatch(r"[a-z2-7]{4}(-[a-z2-7]{4}){3}", c) for c in codes)

    stored = row(user)
    assert stored.mfa_enabled and stored.totp_secret and secret not in stored.totp_secret
    hashes = db.session.scalars(
        select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user.id)
    )
    hashes = list(hashes)
    assert len(hashes) == 10 and not any(
        c in h or c.replace("-", "") in h for c in codes for h in hashes
    )

    # Still logged in here (enrolment ended the other sessions, not this one); the secret and
    # the codes are never shown again.
    after = client.get("/profile/mfa").get_data(as_text=True)
    assert 'data-testid="mfa-on"' in after and "10 of your recovery codes are left" in after
    assert secret not in after.replace(" ", "") and not any(c in after for c in codes)


def test_enrolment_ends_other_sessions(app, make_user, new_client):
    user = make_user(Role.staff)
    elsewhere, here = new_client(), new_client()
    elsewhere.login(user.email)
    here.login(user.email)
    enrol(here)
    assert logged_in(here) and not logged_in(elsewhere)


def test_login_asks_for_the_code_after_the_password(app, enrolled):
    user, secret, _ = enrolled()
    client = PortalClient(app)
    step_one = password_step(client, user.email)
    assert step_one.status_code == 302 and step_one.headers["Location"] == "/login/code"
    assert not logged_in(client)  # not logged in until the code is right
    page = client.get("/login/code")
    assert page.status_code == 200 and "authenticator app" in page.get_data(as_text=True)

    wrong = code_step(client, "123456" if code(secret) != "123456" else "654321")
    assert wrong.status_code == 400 and not logged_in(client)
    right = code_step(client, code(secret))
    assert right.status_code == 302 and right.headers["Location"] == "/"
    assert logged_in(client)
    assert client.get(STAFF_PAGE).status_code == 200


def test_login_keeps_one_answer_for_unknown_email_and_wrong_password(app, enrolled):
    user, _, _ = enrolled()
    answers = []
    for email, password in (("ghost@example.com", PASSWORD), (user.email, "wrong password 1")):
        response = password_step(PortalClient(app), email, password)
        answers.append((response.status_code, "Email or password is incorrect" in response.text))
    assert answers == [(400, True), (400, True)]


def test_the_code_step_needs_the_password_step_first(app, enrolled):
    user, secret, _ = enrolled()
    client = PortalClient(app)
    response = client.post("/login/code", {"code": code(secret)}, page="/login")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert not logged_in(client)


@pytest.mark.app_config(MFA_LOGIN_MAX_AGE=-1)
def test_a_login_waiting_too_long_for_its_code_starts_over(app, enrolled):
    user, secret, _ = enrolled()
    client = PortalClient(app)
    password_step(client, user.email)
    response = code_step(client, code(secret))
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert not logged_in(client)


def test_a_code_is_taken_once(app, enrolled):
    user, secret, _ = enrolled()
    first = PortalClient(app)
    password_step(first, user.email)
    used = code(secret)
    assert code_step(first, used).status_code == 302 and logged_in(first)

    second = PortalClient(app)
    password_step(second, user.email)
    replay = code_step(second, used)
    assert replay.status_code == 400 and "used already" in replay.get_data(as_text=True)
    assert not logged_in(second)
    # An older code than the last one taken is refused too (the enrolment's step is past).
    assert code_step(second, code(secret, -1)).status_code == 400
    # The next step's code still works.
    assert code_step(second, code(secret, 1)).status_code == 302 and logged_in(second)


@pytest.mark.app_config(LIMIT_MFA="3/hour")
def test_wrong_codes_are_rate_limited_per_account(app, enrolled):
    user, secret, _ = enrolled()
    right = code(secret)
    wrong = "111111" if right != "111111" else "222222"
    statuses = []
    for _ in range(4):  # new browsers (addresses are the same here): the limit is per account
        client = PortalClient(app)
        password_step(client, user.email)
        statuses.append(code_step(client, wrong).status_code)
    assert statuses == [400, 400, 400, 429]
    client = PortalClient(app)
    password_step(client, user.email)
    assert code_step(client, right).status_code == 429 and not logged_in(client)


@pytest.mark.app_config(LIMIT_MFA="2/hour")
def test_right_codes_do_not_count_against_the_limit(app, enrolled):
    user, secret, codes = enrolled()
    for value in (code(secret), code(secret, 1), codes[0]):
        client = PortalClient(app)
        password_step(client, user.email)
        assert code_step(client, value).status_code == 302 and logged_in(client)


def test_a_recovery_code_logs_in_once(app, enrolled):
    user, _, codes = enrolled()
    client = PortalClient(app)
    password_step(client, user.email)
    # Typed with capitals and spaces instead of dashes, as people copy them.
    response = code_step(client, codes[3].upper().replace("-", " "))
    assert response.status_code == 302
    assert "9 left" in client.get("/").get_data(as_text=True) and logged_in(client)

    again = PortalClient(app)
    password_step(again, user.email)
    assert code_step(again, codes[3]).status_code == 400 and not logged_in(again)
    assert code_step(again, codes[4]).status_code == 302 and logged_in(again)
    used = db.session.scalar(
        select(func.count())
        .select_from(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_not(None))
    )
    assert used == 2


def test_a_sign_in_link_asks_for_the_code_too(app, enrolled):
    user, secret, _ = enrolled()
    token = account_ops.make_sign_in_token(row(user))
    db.session.commit()
    client = PortalClient(app)
    path = f"/login/link/{token}"
    response = client.post(path, page=path)
    assert response.status_code == 302 and response.headers["Location"] == "/login/code"
    assert not logged_in(client)
    # The link is used up: it cannot start another login.
    other = PortalClient(app)
    assert other.post(path, page="/login").headers["Location"] == "/login/link"
    assert code_step(client, code(secret)).status_code == 302 and logged_in(client)


def test_a_password_reset_does_not_log_in_so_the_code_is_still_asked(app, enrolled):
    user, secret, _ = enrolled()
    token = account_ops.make_reset_token(row(user))
    client = PortalClient(app)
    path = f"/password/reset/{token}"
    new = "quiet meadow lantern 7"
    response = client.post(path, {"password": new, "confirm": new}, page=path)
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert not logged_in(client) and row(user).mfa_enabled
    assert password_step(client, user.email, new).headers["Location"] == "/login/code"
    assert not logged_in(client)
    assert code_step(client, code(secret)).status_code == 302 and logged_in(client)


def test_customers_without_mfa_log_in_with_the_password_alone(app, make_user):
    customer = make_user()
    client = PortalClient(app)
    response = password_step(client, customer.email)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert logged_in(client)


@pytest.mark.app_config(REQUIRE_STAFF_MFA=True)
def test_required_mfa_sends_unenrolled_staff_to_enrolment_from_staff_pages(
    app, make_user, make_idea
):
    idea = make_idea()
    staff, admin = make_user(Role.staff), make_user(Role.admin)
    for user, page in ((staff, STAFF_PAGE), (admin, "/admin/users"), (admin, STAFF_PAGE)):
        client = PortalClient(app)
        client.login(user.email)  # the password alone still logs in...
        response = client.get(page)  # ...but no staff page opens
        assert response.status_code == 302, page
        assert response.headers["Location"].startswith("/profile/mfa?next=")
        assert page in response.headers["Location"].replace("%2F", "/")
        # The staff panels of public pages and staff actions are held back as well.
        assert client.get(f"/ideas/{idea.id}").status_code == 302
        status = client.post(
            f"/ideas/{idea.id}/status", {"status": "planned", "message": ""}, page="/profile"
        )
        assert status.status_code == 302 and status.headers["Location"].startswith("/profile/mfa")
        db.session.expire_all()
        assert idea.status.value != "planned"
        # Their account pages stay open, with enrolment saying why.
        enrolment = client.get("/profile/mfa")
        assert enrolment.status_code == 200
        assert 'data-testid="mfa-required"' in enrolment.get_data(as_text=True)
        assert client.get("/profile").status_code == 200

    client = PortalClient(app)
    client.login(staff.email)
    enrol(client)
    assert client.get(STAFF_PAGE).status_code == 200
    assert client.get(f"/ideas/{idea.id}").status_code == 200


@pytest.mark.app_config(REQUIRE_STAFF_MFA=True)
def test_required_mfa_leaves_customers_alone(app, make_user, make_idea):
    idea = make_idea()
    client = PortalClient(app)
    client.login(make_user().email)
    assert client.get("/").status_code == 200
    assert client.get(f"/ideas/{idea.id}").status_code == 200
    assert client.get("/profile").status_code == 200
    assert 'data-testid="mfa-required"' not in client.get("/profile/mfa").get_data(as_text=True)


@pytest.mark.app_config(REQUIRE_STAFF_MFA=True)
def test_required_mfa_keeps_unenrolled_staff_tokens_off_staff_endpoints(app, make_user, enrolled):
    unenrolled = make_user(Role.staff)
    user, _, _ = enrolled()
    client = PortalClient(app)
    results = {}
    for name, who in (("without", unenrolled), ("with", row(user))):
        _token, secret = api_ops.create_token(who, "script", "read")
        db.session.commit()
        results[name] = client.get(
            "/api/v1/themes", headers={"Authorization": f"Bearer {secret}"}
        ).status_code
    assert results == {"without": 403, "with": 200}


@pytest.mark.app_config(REQUIRE_STAFF_MFA=True)
def test_required_mfa_cannot_be_turned_off_by_staff(app, enrolled):
    user, secret, _ = enrolled()
    client = PortalClient(app)
    password_step(client, user.email)
    code_step(client, code(secret))
    client.post("/profile/mfa/off", {"code": code(secret, 1)}, page="/profile/mfa")
    assert row(user).mfa_enabled


def test_a_customer_may_turn_their_own_mfa_off_with_a_code(app, enrolled):
    user, secret, _ = enrolled(Role.customer)
    client = PortalClient(app)
    password_step(client, user.email)
    code_step(client, code(secret))
    assert (
        client.post("/profile/mfa/off", {"code": "000000"}, page="/profile/mfa").status_code == 302
    )
    assert row(user).mfa_enabled
    client.post("/profile/mfa/off", {"code": code(secret, 1)}, page="/profile/mfa")
    assert not row(user).mfa_enabled and logged_in(client)
    assert password_step(PortalClient(app), user.email).headers["Location"] == "/"


def test_an_admin_resets_anothers_mfa_and_it_is_recorded(app, enrolled, make_user):
    user, secret, _ = enrolled()
    their_session = PortalClient(app)
    password_step(their_session, user.email)
    code_step(their_session, code(secret))
    admin = make_user(Role.admin, email="boss@example.com")
    client = PortalClient(app)
    client.login(admin.email)
    people = client.get("/admin/users").get_data(as_text=True)
    assert f'data-testid="mfa-reset-{user.id}"' in people

    response = client.post(
        f"/admin/users/{user.id}/mfa-reset", page="/admin/users", headers={"User-Agent": "UA/1"}
    )
    assert response.status_code == 302
    stored = row(user)
    assert not stored.mfa_enabled and stored.totp_secret is None
    assert (
        db.session.scalar(
            select(func.count()).select_from(RecoveryCode).where(RecoveryCode.user_id == user.id)
        )
        == 0
    )
    [entry] = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "user.mfa_reset")
    ).all()
    assert (entry.actor_id, entry.actor_email) == (admin.id, "boss@example.com")
    assert (entry.target_type, entry.target_id) == ("user", user.id)
    assert user.email in entry.summary
    assert (entry.origin, entry.ip, entry.user_agent) == ("web", "127.0.0.1", "UA/1")
    # Their sessions ended; the password alone logs them in again (and they enrol anew).
    assert not logged_in(their_session)
    assert password_step(PortalClient(app), user.email).headers["Location"] == "/"


def test_only_admins_reset_mfa(app, enrolled, make_user):
    user, _, _ = enrolled()
    client = PortalClient(app)
    client.login(make_user(Role.staff).email)
    response = client.post(f"/admin/users/{user.id}/mfa-reset", page="/profile")
    assert response.status_code == 403 and row(user).mfa_enabled
