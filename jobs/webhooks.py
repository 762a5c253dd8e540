"""Webhook jobs: send one delivery, and let RQ retry it while the receiver fails."""

from __future__ import annotations

from jobs.runtime import retries_left, task
from vocportal.extensions import db
from vocportal.webhooks import operations as webhooks


class DeliveryFailed(Exception):
    """A delivery attempt failed; raised so that RQ retries the job (or fails it)."""


@task
def deliver(delivery_id: int, *, progress) -> str:
    """POST a signed delivery to its endpoint; raise on failure so that RQ retries it."""
    # The same test the @task wrapper uses to mark its record retrying or failed, so the
    # delivery's row and the job's record agree.
    attempt = webhooks.attempt_delivery(delivery_id, last_attempt=retries_left() == 0)
    # The attempt's log must outlive the exception below (the wrapper rolls back on one).
    db.session.commit()
    if attempt.retry:
        raise DeliveryFailed(attempt.error)
    return attempt.status.value if attempt.status else "gone"
