"""What the trackers feature adds to an idea's page: its linked issues, for staff."""

from __future__ import annotations

from vocportal.accounts.models import User
from vocportal.ideas import page
from vocportal.ideas.models import Idea
from vocportal.trackers import operations as ops


def linked_issues(idea: Idea, *, viewer: User | None, **_: object) -> dict | None:
    if viewer is None or not viewer.is_staff:
        return None
    return {"tracker_links": ops.links_of(idea)}


def connect() -> None:
    page.idea_page.connect(linked_issues)
