"""Jobs that exist only for the tests of the job machinery (records, retries, timeouts).

They run through the same `task` wrapper, RQ and Redis as the portal's own jobs; what they
do is trivial on purpose, because the tests are about what happens around them.
"""

from __future__ import annotations

import time

from flask import current_app

from jobs.runtime import task
from vocportal.extensions import db
from vocportal.ideas.models import Idea
from vocportal.redis_client import get_redis


@task
def touch_idea(idea_id: int, title: str, *, progress) -> str:
    """Rename an idea: proves the job saw a committed row and that its work is committed."""
    idea = db.session.get(Idea, idea_id)
    if idea is None:
        raise LookupError(f"idea {idea_id} is not there")
    progress(0.5, "renaming")
    idea.title = title
    return "ok"


@task
def flaky(key: str, failures: int, *, progress) -> int:
    """Fail the first `failures` attempts, then succeed; counts attempts in Redis."""
    attempt = get_redis(current_app).incr(f"test:flaky:{key}")
    if attempt <= failures:
        raise RuntimeError(f"attempt {attempt} failed on purpose")
    return attempt


@task
def sleepy(seconds: float, *, progress) -> str:
    time.sleep(seconds)
    return "woke up"
