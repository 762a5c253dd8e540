"""The changelog answers where shipped ideas were announced (`vocportal.ideas.page`)."""

from __future__ import annotations

from sqlalchemy import select

from vocportal.changelog.models import ChangelogEntry, changelog_ideas
from vocportal.extensions import db
from vocportal.ideas import page
from vocportal.ideas.models import Idea


def shipped_in(ideas: list[Idea], **_: object) -> dict[int, page.ShippedIn]:
    """The first changelog entry that names each idea."""
    rows = db.session.execute(
        select(changelog_ideas.c.idea_id, ChangelogEntry)
        .join(ChangelogEntry, ChangelogEntry.id == changelog_ideas.c.entry_id)
        .where(changelog_ideas.c.idea_id.in_([i.id for i in ideas]))
        .order_by(ChangelogEntry.published_at, ChangelogEntry.id)
    )
    found: dict[int, page.ShippedIn] = {}
    for idea_id, entry in rows:
        found.setdefault(
            idea_id,
            page.ShippedIn(entry.title, f"/changelog#entry-{entry.id}", entry.published_at),
        )
    return found


def connect() -> None:
    page.shipped_in.connect(shipped_in)
