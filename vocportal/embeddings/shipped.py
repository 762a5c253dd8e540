"""Shipped first: when what someone starts typing as a new idea matches an idea that has
already shipped, the new-idea form says so before the similar open ideas ("This shipped
in March: …", linking to the changelog entry that announced it, or to the idea's own
"shipped" update when no entry names it).

The matches are the similar-while-typing suggestions themselves (by meaning, or by
keywords while the model loads): the shipped ones are taken out of the list and shown
first, since voting is closed on them and there is nothing to post.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import func, select

from vocportal.embeddings.similar import Suggestions
from vocportal.extensions import db
from vocportal.ideas import page
from vocportal.ideas.models import Idea, IdeaStatus, StatusChange
from vocportal.ideas.operations import idea_path
from vocportal.timeutil import utcnow

#: Shipped matches shown at most (the best ones).
MAX_SHIPPED = 2


@dataclass(frozen=True)
class ShippedMatch:
    idea: Idea
    #: What the link shows and where it goes: the changelog entry, else the idea.
    title: str
    path: str
    shipped_at: datetime | None

    @property
    def when(self) -> str:
        """ "March", or "March 2025" for another year than this one ("" when unknown)."""
        if self.shipped_at is None:
            return ""
        if self.shipped_at.year == utcnow().year:
            return f"{self.shipped_at:%B}"
        return f"{self.shipped_at:%B %Y}"


def _shipped_updates(ideas: list[Idea]) -> dict[int, tuple[int, datetime]]:
    """Each idea's latest "shipped" status update: (its id, when)."""
    latest = (
        select(StatusChange.idea_id, func.max(StatusChange.id).label("change_id"))
        .where(
            StatusChange.idea_id.in_([i.id for i in ideas]),
            StatusChange.new_status == IdeaStatus.shipped,
        )
        .group_by(StatusChange.idea_id)
        .subquery()
    )
    rows = db.session.execute(
        select(StatusChange.idea_id, StatusChange.id, StatusChange.created_at).join(
            latest, latest.c.change_id == StatusChange.id
        )
    )
    return {idea_id: (change_id, at) for idea_id, change_id, at in rows}


def shipped_first(found: Suggestions) -> tuple[list[ShippedMatch], Suggestions]:
    """Split the suggestions: shipped matches (best first) to say first, and the rest."""
    shipped = [s.idea for s in found.ideas if s.idea.status is IdeaStatus.shipped]
    if not shipped:
        return [], found
    rest = replace(found, ideas=[s for s in found.ideas if s.idea.status is not IdeaStatus.shipped])
    shipped = shipped[:MAX_SHIPPED]
    announced = page.announcements(shipped)
    updates = _shipped_updates(shipped)
    matches = []
    for idea in shipped:
        entry = announced.get(idea.id)
        if entry is not None:
            matches.append(ShippedMatch(idea, entry.title, entry.path, entry.published_at))
            continue
        change_id, at = updates.get(idea.id, (None, None))
        anchor = f"status-{change_id}" if change_id is not None else ""
        matches.append(ShippedMatch(idea, idea.title, idea_path(idea.id, anchor), at))
    return matches, rest
