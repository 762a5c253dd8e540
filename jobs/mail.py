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
