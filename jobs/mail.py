"""Email jobs: mail goes out from a worker, never inside a web request."""

from __future__ import annotations

from flask import current_app, url_for

from jobs.runtime import give_up_retries, task
from vocportal.accounts import operations as accounts
from vocportal.mail import MessageBuildError, render_email, send_email


def external_url(endpoint: str, **values) -> str:
    """An absolute link to the portal, built outside any request (BASE_URL)."""
    with current_app.test_request_context(base_url=current_app.config["BASE_URL"]):
        return url_for(endpoint, _external=True, **values)


def _send(to: str, subject: str, template: str, **context) -> None:
    """Send the email templates/email/`template`.txt/.html (text with an HTML alternative)."""
    text, html = render_email(template, subject=subject, **context)
    send_email(to, subject, text, html=html)


@task
def send_password_reset(email: str, *, progress) -> str:
    """Email a reset link if `email` has an account; do nothing otherwise.

    The web request queues this job for any address, so its answer and timing say nothing
    about which addresses have accounts.
    """
    user = accounts.find_user_by_email(email)
    if user is None or user.blocked:
        return "no account"
    link = external_url("accounts.reset_password", token=accounts.make_reset_token(user))
    try:
        _send(
            user.email,
            f"Reset your {current_app.config['PORTAL_NAME']} password",
            "password_reset",
            name=user.display_name,
            url=link,
        )
    except MessageBuildError:
        # The stored address cannot be a recipient: no retry can help. The job fails now,
        # its record saying why, instead of being tried again.
        give_up_retries()
        raise
    return "sent"


def _lifetime(seconds: int) -> str:
    """900 -> "15 minutes"; 172800 -> "2 days" (how long an emailed link works)."""
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            n = seconds // size
            return f"{n} {unit}{'s' if n != 1 else ''}"
    return f"{seconds} seconds"


@task
def send_sign_up_email(user_id: int, outcome: str, display_name: str | None, *, progress) -> str:
    """Email what a sign-up calls for: a link confirming the address (a new address, a
    contact's, or an unconfirmed account's), or, to an account that already has the address,
    a note that someone tried to sign up with it.

    The sign-up page answered the same in every case; only the owner of the address learns
    which one it was.
    """
    user = accounts.user_by_id(user_id)
    if user is None or user.blocked:
        return "no account"
    portal = current_app.config["PORTAL_NAME"]
    if accounts.SignupOutcome(outcome) is accounts.SignupOutcome.taken:
        _send(
            user.email,
            f"Someone tried to sign up to {portal} with your address",
            "sign_up_taken",
            name=user.display_name,
            login_url=external_url("accounts.login"),
            sign_in_link_url=external_url("accounts.sign_in_link"),
            forgot_url=external_url("accounts.forgot_password"),
        )
        return "sent: account exists"
    if user.is_verified or (user.is_contact and not user.pending_password_hash):
        return "nothing to confirm"
    link = external_url(
        "accounts.confirm_email", token=accounts.make_verify_token(user, display_name)
    )
    lifetime = _lifetime(current_app.config["EMAIL_VERIFY_MAX_AGE"])
    how = (
        "you will be asked for the password you chose when you signed up"
        if user.pending_password_hash
        else "then you can vote, post and comment"
    )
    _send(
        user.email,
        f"Confirm your email address for {portal}",
        "confirm_email",
        name=display_name or user.display_name,
        url=link,
        lifetime=lifetime,
        how=how,
    )
    return "sent: confirm"


@task
def send_sign_in_link(email: str, *, progress) -> str:
    """Email a one-time sign-in link if `email` has an account; do nothing otherwise.

    The web request queues this job for any address, so its answer and timing say nothing
    about which addresses have accounts.
    """
    user = accounts.find_user_by_email(email)
    if not accounts.can_sign_in_by_link(user):
        return "no account"
    link = external_url("accounts.sign_in_by_link", token=accounts.make_sign_in_token(user))
    lifetime = _lifetime(current_app.config["MAGIC_LINK_MAX_AGE"])
    _send(
        user.email,
        f"Your {current_app.config['PORTAL_NAME']} sign-in link",
        "sign_in_link",
        name=user.display_name,
        url=link,
        lifetime=lifetime,
    )
    return "sent"
