"""Single sign-on pages: the redirect to a provider, its callback, and the switch that turns
password sign-in off."""

from __future__ import annotations

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from authlib.integrations.flask_client import OAuth
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user
from joserfc.errors import JoseError

from vocportal.accounts.login_views import sign_in
from vocportal.extensions import db
from vocportal.security import safe_next
from vocportal.sso import operations as ops

bp = Blueprint("sso", __name__)

#: What a portal without password sign-in refuses: everything that logs in, signs up or sets
#: a password by email. Confirming an address (and asking for a new link) stays, so an
#: account made from an unverified provider email can still prove it.
PASSWORD_ENDPOINTS = frozenset(
    {
        "accounts.login",
        "accounts.signup",
        "accounts.sign_in_link",
        "accounts.sign_in_by_link",
        "accounts.forgot_password",
        "accounts.reset_password",
    }
)


@bp.record_once
def _register_providers(state) -> None:
    app = state.app
    oauth = OAuth(app)
    for provider in app.config.get("OIDC_PROVIDERS", []):
        oauth.register(
            name=provider["name"],
            client_id=provider["client_id"],
            client_secret=provider["client_secret"],
            server_metadata_url=provider["discovery_url"],
            client_kwargs={
                "scope": "openid email profile",
                "code_challenge_method": "S256",  # PKCE
                "default_timeout": app.config.get("OIDC_TIMEOUT_SECONDS", 10),
            },
        )
    app.extensions["vocportal_sso"] = oauth


def _providers() -> list[dict]:
    return current_app.config.get("OIDC_PROVIDERS", [])


def _client(name: str):
    if not any(p["name"] == name for p in _providers()):
        abort(404)
    return current_app.extensions["vocportal_sso"].create_client(name)


@bp.app_context_processor
def _sso_context() -> dict:
    return {
        "sso_providers": [{"name": p["name"], "label": p["label"]} for p in _providers()],
        "password_login": current_app.config.get("PASSWORD_LOGIN", True),
    }


@bp.before_app_request
def _refuse_password_sign_in():
    """With PASSWORD_LOGIN off, the login page offers the providers only, and every way in
    by password or emailed link is refused."""
    if current_app.config.get("PASSWORD_LOGIN", True) or request.endpoint not in PASSWORD_ENDPOINTS:
        return None
    if request.method == "GET" and request.endpoint == "accounts.login":
        return render_template("sso/login.html")
    if request.method == "GET":
        return redirect(url_for("accounts.login"))
    return render_template("sso/login.html", refused=True), 403


@bp.get("/sso/<name>/login")
def login(name: str):
    client = _client(name)
    if current_user.is_authenticated:
        return redirect(url_for("ideas.index"))
    session["sso_next"] = safe_next(request.args.get("next"))
    try:
        # Authlib keeps state, nonce and the PKCE verifier in the session for the callback.
        return client.authorize_redirect(url_for("sso.callback", name=name, _external=True))
    except requests.RequestException:
        current_app.logger.warning("OIDC provider %s unreachable", name, exc_info=True)
        flash("That sign-in provider cannot be reached right now. Try again later.", "error")
        return redirect(url_for("accounts.login"))


@bp.get("/sso/<name>/callback")
def callback(name: str):
    client = _client(name)
    if request.args.get("error"):
        # The person said no at the provider (or it refused): nothing to see here.
        flash("Sign-in was cancelled at the provider.", "info")
        return redirect(url_for("accounts.login"))
    try:
        issuer = client.load_server_metadata()["issuer"]
        # The ID token must come from the issuer the discovery document names.
        token = client.authorize_access_token(
            claims_options={"iss": {"essential": True, "values": [issuer]}}
        )
    except MismatchingStateError:
        abort(400, "This sign-in was not started here, or it was already used.")
    except (OAuthError, AuthlibBaseError, JoseError, KeyError):
        current_app.logger.warning("OIDC sign-in with %s refused", name, exc_info=True)
        abort(400, "The sign-in provider's answer could not be verified.")
    except requests.RequestException:
        current_app.logger.warning("OIDC provider %s unreachable", name, exc_info=True)
        abort(502)
    claims = token.get("userinfo")
    if not claims:  # an OAuth-only answer, without an ID token to check
        abort(400, "The sign-in provider sent no ID token.")
    try:
        user = ops.sign_in(name, issuer, dict(claims))
    except ops.SignInRefused as refused:
        db.session.rollback()
        flash(refused.message, "error")
        return redirect(url_for("accounts.login"))
    db.session.commit()
    # A fresh session (nothing from before login carries over), after the second step when
    # the person has MFA on: the provider stands in for the password, not for the code.
    return sign_in(user, next_url=session.get("sso_next"))
