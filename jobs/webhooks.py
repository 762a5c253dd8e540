"""Webhook jobs: send one delivery, and let RQ retry it while the receiver fails."""

from __future__ import annotations

from rq import get_current_job

from jobs.runtime import task
from vocportal.extensions import db
from vocportal.webhooks import operations as webhooks


class DeliveryFailed(Exception):
    """A delivery attempt failed; raised so that RQ retries the job (or fails it)."""


def _last_attempt() -> bool:
    """Whether RQ will not run this job again if it fails (the same test the @task
    wrapper uses to mark its record retrying or failed, so both rows agree)."""
    job = get_current_job()
    return job is None or not (job.retries_left or 0) > 0


@task
def deliver(delivery_id: int, *, progress) -> str:
    """POST a signed delivery to its endpoint; raise on failure so that RQ retries it."""
    attempt = webhooks.attempt_delivery(delivery_id, last_attempt=_last_attempt())
    # The attempt's log must outlive the exception below (the wrapper rolls back on one).
    db.session.commit()
    if attempt.retry:
        raise DeliveryFailed(attempt.error)
    return attempt.status.value if attempt.status else "gone"
