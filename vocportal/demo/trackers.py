"""The demo's linked issues: the ideas staff are working on point at their tracker issues.

Linked the way staff link them (`trackers.link_issue`), so the audit log has the entries;
the demo configures no tracker token, so each link says that nothing was posted on the
issue, which is what a new portal shows until an admin adds one.
"""

from __future__ import annotations

from sqlalchemy import select

from vocportal.accounts.models import User
from vocportal.extensions import db
from vocportal.ideas.models import Idea, IdeaStatus
from vocportal.trackers import operations as trackers

#: Where the demo product's work is tracked, by the status of the idea.
ISSUE_URLS = {
    IdeaStatus.in_progress: "https://github.com/tallyhive/tallyhive/issues/{n}",
    IdeaStatus.planned: "https://tallyhive.atlassian.net/browse/TH-{n}",
}


def add(staff: User) -> dict[str, int]:
    """Link the two most-voted in-progress ideas and the most-voted planned one."""
    linked = 0
    for status, url in ISSUE_URLS.items():
        count = 2 if status is IdeaStatus.in_progress else 1
        ideas = db.session.scalars(
            select(Idea)
            .where(Idea.status == status, Idea.duplicate_of_id.is_(None))
            .order_by(Idea.vote_count.desc(), Idea.id)
            .limit(count)
        ).all()
        for idea in ideas:
            trackers.link_issue(staff, idea, url.format(n=400 + idea.id))
            linked += 1
    return {"linked issues": linked}
