"""Single sign-on against a real OpenID provider: oidc-provider-mock, an Authlib
authorization server, serves discovery, the authorization form, tokens and signed ID tokens
over HTTP from a thread. Nothing is mocked: the portal fetches its discovery document,
exchanges the code and checks the ID token's signature, issuer, audience and nonce."""

from __future__ import annotations

from urllib.parse import parse_qs, quote, urlsplit

import httpx
import oidc_provider_mock
import pyotp
import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.test_browser import TIMEOUT_MS, Problems, browser, serving  # noqa: F401  (fixture)
from vocportal.accounts import mfa
from vocportal.accounts import operations as account_ops
from vocportal.accounts.models import User
from vocportal.extensions import db, limiter
from vocportal.sso.models import SsoIdentity
from vocportal.timeutil import utcnow

# The provider (a test tool, not the portal) calls an Authlib API that Authlib deprecates;
# with warnings as errors, its token endpoint would answer 500.
pytestmark = pytest.mark.filterwarnings(
    "ignore:get_jwt_config\\(self, grant\\) is deprecated:DeprecationWarning"
)


@pytest.fixture(scope="module")
def oidc_server():
    """A live OpenID provider; it refuses an authorization request without a nonce."""
    with oidc_provider_mock.run_server_in_thread(require_nonce=True) as server:
        yield f"http://localhost:{server.server_port}"


def providers(oidc_server: str) -> list[dict]:
    return [
        {
            "name": "acme",
            "label": "Acme ID",
            "discovery_url": f"{oidc_server}/.well-known/openid-configuration",
            "client_id": "portal",
            "client_secret": "portal-secret",
        }
    ]


@pytest.fixture
def app(app_factory, oidc_server, request):
    """The test's app with the local provider configured (overrides conftest's `app`)."""
    overrides = {}
    for marker in request.node.iter_markers("app_config"):
        overrides = {**marker.kwargs, **overrides}
    app = app_factory(OIDC_PROVIDERS=providers(oidc_server), **overrides)
    limiter.reset()
    with app.app_context():
        yield app
        db.session.remove()


def set_claims(oidc_server: str, sub: str, **claims) -> None:
    """Tell the provider who `sub` is: the claims its ID tokens will carry."""
    response = httpx.put(f"{oidc_server}/users/{quote(sub, safe='')}", json=claims)
    assert response.status_code == 204, response.text


def start(client, oidc_server: str) -> str:
    """Press the provider's button; return the provider's authorization URL."""
    response = client.get("/sso/acme/login")
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith(f"{oidc_server}/oauth2/authorize?")
    return location


def authorize(authorization_url: str, sub: str) -> str:
    """Complete the provider's form as `sub`; return the callback path it sends back to."""
    response = httpx.post(authorization_url, data={"sub": sub})
    assert response.status_code == 302, response.text
    callback = urlsplit(response.headers["location"])
    assert callback.netloc == "portal.test" and callback.path == "/sso/acme/callback"
    return f"{callback.path}?{callback.query}"


def sso_login(client, oidc_server: str, sub: str):
    """The whole round trip, as a browser would make it; returns the callback's response."""
    return client.get(authorize(start(client, oidc_server), sub))


def logged_in_as(client) -> str | None:
    response = client.get("/profile")
    if response.status_code != 200:
        return None
    return response.get_data(as_text=True)


def identities() -> list[SsoIdentity]:
    db.session.expire_all()
    return list(db.session.scalars(select(SsoIdentity)))


def user_by_email(email: str) -> User | None:
    db.session.expire_all()
    return account_ops.find_user_by_email(email)


# --- the flow without a browser ----------------------------------------------------------


def test_the_authorization_request_carries_state_nonce_and_pkce(client, oidc_server):
    query = parse_qs(urlsplit(start(client, oidc_server)).query)
    assert query["response_type"] == ["code"]
    assert query["client_id"] == ["portal"]
    assert set(query["scope"][0].split()) == {"openid", "email", "profile"}
    assert query["redirect_uri"] == ["http://portal.test/sso/acme/callback"]
    assert len(query["state"][0]) >= 20 and len(query["nonce"][0]) >= 20
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) >= 43


def test_a_first_sign_in_with_a_verified_email_creates_a_verified_account(client, oidc_server):
    set_claims(oidc_server, "sub-ada", email="Ada@Example.com", email_verified=True, name="Ada L")
    response = sso_login(client, oidc_server, "sub-ada")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "ada@example.com" in logged_in_as(client)
    user = user_by_email("ada@example.com")
    assert user.display_name == "Ada L" and user.is_verified and not user.is_contact
    [link] = identities()
    assert (link.user_id, link.issuer, link.subject) == (user.id, oidc_server, "sub-ada")
    # Its password is one nobody knows: no password logs in.
    assert account_ops.authenticate("ada@example.com", "") is None


def test_a_verified_email_links_the_existing_account(client, oidc_server, make_user):
    user = make_user(email="bo@example.com", name="Bo")
    set_claims(oidc_server, "sub-bo", email="bo@example.com", email_verified=True)
    sso_login(client, oidc_server, "sub-bo")
    assert "bo@example.com" in logged_in_as(client)
    [link] = identities()
    assert link.user_id == user.id


def test_an_unverified_email_is_not_linked_to_an_existing_account(client, oidc_server, make_user):
    user = make_user(email="cy@example.com", name="Cy")
    set_claims(oidc_server, "sub-mallory", email="cy@example.com", email_verified=False)
    response = sso_login(client, oidc_server, "sub-mallory")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    page = client.get("/login").get_data(as_text=True)
    assert "has not verified your email address" in page
    assert logged_in_as(client) is None
    assert identities() == []
    # Nor is an email the provider does not vouch for at all (no email_verified claim).
    set_claims(oidc_server, "sub-mallory2", email="cy@example.com")
    sso_login(client, oidc_server, "sub-mallory2")
    assert logged_in_as(client) is None and identities() == []
    assert user_by_email("cy@example.com").id == user.id


def test_an_unverified_email_makes_an_unverified_account(client, oidc_server):
    set_claims(oidc_server, "sub-dee", email="dee@example.com", email_verified=False)
    sso_login(client, oidc_server, "sub-dee")
    assert "dee@example.com" in logged_in_as(client)
    user = user_by_email("dee@example.com")
    assert user.email_verified_at is None and not user.is_verified
    # The portal's own rules apply: unverified people may not post.
    assert client.post("/ideas/new", {"title": "x"}, page="/profile").status_code in (302, 403)


def test_an_unverified_email_does_not_claim_a_contacts_history(client, oidc_server, app):
    contact = User(email="flo@example.com", display_name="Flo", password_hash="")
    db.session.add(contact)
    db.session.commit()
    set_claims(oidc_server, "sub-flo", email="flo@example.com", email_verified=False)
    sso_login(client, oidc_server, "sub-flo")
    assert logged_in_as(client) is None
    assert user_by_email("flo@example.com").is_contact
    # With the email verified, the contact's row (and its history) becomes the account.
    set_claims(oidc_server, "sub-flo", email="flo@example.com", email_verified=True)
    sso_login(client, oidc_server, "sub-flo")
    assert "flo@example.com" in logged_in_as(client)
    user = user_by_email("flo@example.com")
    assert user.id == contact.id and not user.is_contact and user.is_verified


def test_a_later_sign_in_matches_by_subject_even_after_the_email_changed(
    client, new_client, oidc_server, make_user
):
    set_claims(oidc_server, "sub-eve", email="eve@example.com", email_verified=True)
    sso_login(client, oidc_server, "sub-eve")
    eve = user_by_email("eve@example.com")
    # The provider now says this person's (verified) email is another account's address.
    other = make_user(email="other@example.com")
    set_claims(oidc_server, "sub-eve", email="other@example.com", email_verified=True)
    second = new_client()
    sso_login(second, oidc_server, "sub-eve")
    page = logged_in_as(second)
    assert "eve@example.com" in page and "other@example.com" not in page
    assert [link.user_id for link in identities()] == [eve.id]
    assert other.id != eve.id


def test_a_blocked_person_cannot_sign_in(client, new_client, oidc_server, make_user):
    set_claims(oidc_server, "sub-gus", email="gus@example.com", email_verified=True)
    sso_login(client, oidc_server, "sub-gus")
    admin = make_user(role="admin")
    account_ops.set_blocked(admin, user_by_email("gus@example.com"), True)
    db.session.commit()
    again = new_client()
    response = sso_login(again, oidc_server, "sub-gus")
    assert response.headers["Location"] == "/login"
    assert logged_in_as(again) is None
    # Nor by email, before any link.
    blocked = make_user(email="hal@example.com")
    account_ops.set_blocked(admin, blocked, True)
    db.session.commit()
    set_claims(oidc_server, "sub-hal", email="hal@example.com", email_verified=True)
    sso_login(again, oidc_server, "sub-hal")
    assert logged_in_as(again) is None
    assert [link.subject for link in identities()] == ["sub-gus"]


def test_a_person_with_mfa_still_types_a_code_after_the_provider(client, oidc_server, make_user):
    user = make_user(role="staff", email="max@example.com")
    secret = mfa.new_secret()
    # Enrolled with the previous time step's code, so the current one is still unused.
    mfa.enable(user, secret, pyotp.TOTP(secret).at(utcnow(), counter_offset=-1))
    db.session.commit()
    set_claims(oidc_server, "sub-max", email="max@example.com", email_verified=True)
    response = sso_login(client, oidc_server, "sub-max")
    assert response.headers["Location"] == "/login/code"
    assert logged_in_as(client) is None
    code = {"code": pyotp.TOTP(secret).now()}
    assert client.post("/login/code", code, page="/login/code").status_code == 302
    assert "max@example.com" in logged_in_as(client)


def test_a_callback_with_a_state_this_browser_did_not_start_is_refused(
    client, new_client, oidc_server
):
    set_claims(oidc_server, "sub-ivy", email="ivy@example.com", email_verified=True)
    callback = authorize(start(client, oidc_server), "sub-ivy")
    # Another browser (an attacker's code planted in a victim's browser): 400, no session.
    victim = new_client()
    assert victim.get(callback).status_code == 400
    assert logged_in_as(victim) is None
    # A forged state in the browser that started: 400 too.
    forged = callback.replace("state=", "state=x")
    assert client.get(forged).status_code == 400
    assert logged_in_as(client) is None
    assert identities() == []


def test_a_used_callback_cannot_be_replayed(client, oidc_server):
    set_claims(oidc_server, "sub-jo", email="jo@example.com", email_verified=True)
    callback = authorize(start(client, oidc_server), "sub-jo")
    assert client.get(callback).status_code == 302
    assert client.get(callback).status_code == 400


def test_denying_at_the_provider_returns_to_the_login_page(client, oidc_server):
    response = httpx.post(start(client, oidc_server), data={"action": "deny"})
    callback = urlsplit(response.headers["location"])
    response = client.get(f"{callback.path}?{callback.query}")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert logged_in_as(client) is None


def test_the_login_page_shows_a_button_per_provider(client):
    page = client.get("/login").get_data(as_text=True)
    assert 'data-testid="sso-acme"' in page and "Log in with Acme ID" in page
    assert 'href="/sso/acme/login' in page
    assert 'name="password"' in page  # PASSWORD_LOGIN is on by default
    assert client.get("/sso/nobody/login").status_code == 404


@pytest.mark.app_config(PASSWORD_LOGIN=False, WTF_CSRF_ENABLED=False)
def test_password_login_off_offers_providers_only_and_refuses_passwords(
    client, oidc_server, make_user
):
    make_user(email="kim@example.com")
    page = client.get("/login").get_data(as_text=True)
    assert "Log in with Acme ID" in page and 'name="password"' not in page
    response = client.post(
        "/login", {"email": "kim@example.com", "password": "correct horse battery"}, csrf=False
    )
    assert response.status_code == 403
    assert logged_in_as(client) is None
    signup = {"email": "new@example.com", "display_name": "New", "password": "x" * 20}
    assert client.post("/signup", signup, csrf=False).status_code == 403
    assert user_by_email("new@example.com") is None
    assert client.post("/login/link", {"email": "kim@example.com"}, csrf=False).status_code == 403
    assert client.get("/signup").headers["Location"] == "/login"
    assert client.get("/password/forgot").headers["Location"] == "/login"
    # Single sign-on still works.
    set_claims(oidc_server, "sub-kim", email="kim@example.com", email_verified=True)
    sso_login(client, oidc_server, "sub-kim")
    assert "kim@example.com" in logged_in_as(client)


# --- in Chromium --------------------------------------------------------------------------


@pytest.fixture
def sso_live_server(app_factory, oidc_server):
    app = app_factory(SERVER_NAME=None, OIDC_PROVIDERS=providers(oidc_server))
    with serving(app) as url:
        yield url


@pytest.mark.browser
def test_in_chromium_a_person_signs_in_through_the_provider(
    browser,  # noqa: F811
    sso_live_server,
    oidc_server,
    app,
):
    set_claims(oidc_server, "sub-lu", email="lu@example.com", email_verified=True, name="Lu Chen")
    expect.set_options(timeout=TIMEOUT_MS)
    context = browser.new_context(base_url=sso_live_server)
    try:
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        problems = Problems()
        problems.watch(context, page)
        page.goto("/login")
        page.get_by_role("button", name="Log in with Acme ID").click()
        # The provider's own page, on its own origin.
        page.wait_for_url(f"{oidc_server}/oauth2/authorize?**")
        page.get_by_placeholder("sub").fill("sub-lu")
        page.get_by_role("button", name="Authorize").click()
        page.wait_for_url(f"{sso_live_server}/")
        expect(page.get_by_test_id("profile-link")).to_be_visible()
        page.get_by_test_id("profile-link").click()
        expect(page.locator("main")).to_contain_text("lu@example.com")
        # The portal's pages only: the provider's own page asks for a CDN stylesheet (no
        # network here) and a favicon it does not have.
        ours = [i for i in problems.items if i.startswith("CSP") or sso_live_server in i]
        assert ours == []
    finally:
        context.close()
    user = user_by_email("lu@example.com")
    assert user.display_name == "Lu Chen" and user.is_verified
