"""Issue-tracker jobs: post a new link's comment on the issue, retried like a webhook."""

from __future__ import annotations

from jobs.runtime import retries_left, task
from vocportal.extensions import db
from vocportal.trackers import operations as trackers


class CommentFailed(Exception):
    """A comment attempt failed; raised so that RQ retries the job (or fails it)."""


@task
def post_comment(link_id: int, *, progress) -> str:
    """POST the link's comment to the tracker's API; raise on failure so that RQ retries."""
    attempt = trackers.attempt_comment(link_id, last_attempt=retries_left() == 0)
    db.session.commit()  # the attempt's log outlives the exception below
    if attempt.retry:
        raise CommentFailed(attempt.error)
    return attempt.state.value if attempt.state else "gone"
