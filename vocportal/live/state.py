"""What a page may be told: the snapshot a stream starts with and a poll returns.

Only what the pages already show the viewer: for the ideas the page names and the viewer
may see (`ideas.operations.visible_to`), the vote count and the id of the newest status
update (the idea's page shows them all); for a logged-in person,
their own bell (unread count and the newest unread notification's title, as the
notifications page shows it). Ids the viewer may not see are left out silently, so a
snapshot tells nothing about whether they exist.
"""

from __future__ import annotations

from sqlalchemy import select

from vocportal.accounts.models import User
from vocportal.extensions import db
from vocportal.ideas.models import Idea
from vocportal.ideas.operations import visible_to
from vocportal.live.publish import latest_update
from vocportal.notifications import bell

#: The most idea ids one page may watch (a list page shows 20; the rest are ignored).
MAX_IDEAS = 100


def parse_ids(raw: str | None) -> list[int]:
    """Idea ids from a comma-separated query parameter; junk is ignored, at most MAX_IDEAS."""
    ids: list[int] = []
    for part in (raw or "").split(",")[:MAX_IDEAS]:
        part = part.strip()
        if part.isdigit() and len(part) <= 18:
            ids.append(int(part))
    return sorted(set(ids))


def visible_ids(viewer: User | None, idea_ids: list[int]) -> list[int]:
    """The ids among `idea_ids` of ideas `viewer` may see."""
    if not idea_ids:
        return []
    return list(
        db.session.scalars(select(Idea.id).where(Idea.id.in_(idea_ids), visible_to(viewer)))
    )


def ideas_state(viewer: User | None, idea_ids: list[int]) -> dict[str, dict]:
    """Vote count and newest status update's id of each idea the viewer may see, by id."""
    if not idea_ids:
        return {}
    rows = db.session.execute(
        select(Idea.id, Idea.vote_count, latest_update()).where(
            Idea.id.in_(idea_ids), visible_to(viewer)
        )
    )
    return {str(id_): {"votes": votes, "update": update} for id_, votes, update in rows}


def bell_state(user: User) -> dict:
    """The person's unread count and their newest unread notification's title."""
    unread = bell.unread_count(user)
    latest = None
    if unread:
        rows, _more = bell.inbox(user, per_page=1)
        if rows and rows[0].read_at is None:
            latest = rows[0].event.title
    return {"unread": unread, "latest": latest}


def snapshot(viewer: User | None, idea_ids: list[int]) -> dict:
    """Everything a page watching `idea_ids` may be told now."""
    result: dict = {"ideas": ideas_state(viewer, idea_ids)}
    if viewer is not None and viewer.is_authenticated:
        result["bell"] = bell_state(viewer)
    return result
