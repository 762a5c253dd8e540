"""Email jobs: mail goes out from a worker, never inside a web request."""

from __future__ import annotations

from flask import current_app, url_for
from rq import get_current_job

from jobs.runtime import task
from vocportal.accounts import operations as accounts
from vocportal.mail import MessageBuildError, send_email


def external_url(endpoint: str, **values) -> str:
    """An absolute link to the portal, built outside any request (BASE_URL)."""
    with current_app.test_request_context(base_url=current_app.config["BASE_URL"]):
        return url_for(endpoint, _external=True, **values)


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
        send_email(
            user.email,
            f"Reset your {current_app.config['PORTAL_NAME']} password",
            f"Hello {user.display_name},\n\nSomeone (hopefully you) asked to reset your "
            f"password. Open this link within an hour to choose a new one:\n\n{link}\n\n"
            "If it was not you, ignore this email; your password stays as it is.\n",
        )
    except MessageBuildError:
        # The stored address cannot be a recipient: no retry can help. The job fails now,
        # its record saying why, instead of being tried again.
        _no_retries()
        raise
    return "sent"


def _no_retries() -> None:
    """Let the running job fail without being retried (RQ reads this when it fails)."""
    job = get_current_job()
    if job is not None:
        job.retries_left = 0


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
        send_email(
            user.email,
            f"Someone tried to sign up to {portal} with your address",
            f"Hello {user.display_name},\n\nSomeone (perhaps you) tried to create a new "
            f"{portal} account with this address, which already has one. Nothing was "
            "changed.\n\n"
            f"To get in, log in: {external_url('accounts.login')}\n"
            f"or have a sign-in link emailed to you: {external_url('accounts.sign_in_link')}\n"
            f"Forgot your password? Reset it: {external_url('accounts.forgot_password')}\n\n"
            "If it was not you, ignore this email.\n",
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
    send_email(
        user.email,
        f"Confirm your email address for {portal}",
        f"Hello {display_name or user.display_name},\n\nOpen this link within {lifetime} to "
        f"confirm that this address is yours ({how}):\n\n{link}\n\n"
        "If you did not sign up, ignore this email: nothing happens without the link and "
        "the password.\n",
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
    send_email(
        user.email,
        f"Your {current_app.config['PORTAL_NAME']} sign-in link",
        f"Hello {user.display_name},\n\nOpen this link within {lifetime} to log in. It "
        f"works once:\n\n{link}\n\n"
        "If you did not ask for it, ignore this email: nobody can use it but you.\n",
    )
    return "sent"
