"""My activity: a person's ideas, votes, comments and feedback, each with what became of it.

Ideas are listed through the visibility rule (`ideas.visible_to`): an author keeps seeing
an idea they withdrew, not one staff hid; a vote or comment on an idea the person may no
longer see is left out. Their own feedback is always theirs to see; the idea it was linked
to shows only while `ideas.can_see` allows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, select

from vocportal.accounts.models import User
from vocportal.extensions import db
from vocportal.feedback.models import FeedbackItem
from vocportal.ideas import operations as ideas
from vocportal.ideas.models import Comment, Idea, StatusChange, Vote
from vocportal.pagination import Page, page_of

#: The sections of the page, in order, with their headings.
SECTIONS = {
    "ideas": "My ideas",
    "votes": "My votes",
    "comments": "My comments",
    "feedback": "My feedback",
}


@dataclass
class Entry:
    """One thing the person did, and what became of the idea it concerns."""

    #: When they did it (posted, voted, commented, sent).
    at: datetime
    #: The idea it concerns, when the person may see it (None: feedback not linked, or
    #: linked to an idea they may not see).
    idea: Idea | None = None
    #: Their words (a comment or feedback), for the list.
    text: str = ""
    #: Where it points on the idea's page ("c12" for a comment), if anywhere.
    anchor: str = ""
    #: The idea's latest public status update, if any.
    last_change: StatusChange | None = None
    #: The idea it was merged into, when it is a duplicate the person may follow there.
    merged_into: Idea | None = None
    #: A short word on its own state: "withdrawn", "hidden by the team", "not linked yet".
    note: str = ""
    #: For feedback: which channel it came through.
    channel: str = ""


def _query(section: str, user: User) -> Select:
    visible = ideas.visible_to(user)
    if section == "ideas":
        return (
            select(Idea)
            .where(Idea.author_id == user.id, visible)
            .order_by(Idea.created_at.desc(), Idea.id.desc())
        )
    if section == "votes":
        return (
            select(Vote)
            .join(Idea, Idea.id == Vote.idea_id)
            # Not their own ideas (authors vote for what they post): those are "My ideas".
            .where(Vote.user_id == user.id, Idea.author_id != user.id, visible)
            .order_by(Vote.created_at.desc(), Vote.id.desc())
        )
    if section == "comments":
        return (
            select(Comment)
            .join(Idea, Idea.id == Comment.idea_id)
            .where(Comment.author_id == user.id, visible)
            .order_by(Comment.created_at.desc(), Comment.id.desc())
        )
    if section == "feedback":
        return (
            select(FeedbackItem)
            .where(FeedbackItem.author_id == user.id)
            .order_by(FeedbackItem.received_at.desc(), FeedbackItem.id.desc())
        )
    raise KeyError(section)


def _latest_changes(idea_ids: set[int]) -> dict[int, StatusChange]:
    if not idea_ids:
        return {}
    latest = (
        select(func.max(StatusChange.id))
        .where(StatusChange.idea_id.in_(idea_ids))
        .group_by(StatusChange.idea_id)
    )
    return {
        c.idea_id: c
        for c in db.session.scalars(select(StatusChange).where(StatusChange.id.in_(latest)))
    }


def _ideas_by_id(idea_ids: set[int]) -> dict[int, Idea]:
    if not idea_ids:
        return {}
    return {i.id: i for i in db.session.scalars(select(Idea).where(Idea.id.in_(idea_ids)))}


def _entries(section: str, user: User, rows: list) -> list[Entry]:
    """Turn one page of rows into entries, with a few queries for the whole page."""
    if section == "ideas":
        entries = [Entry(at=i.created_at, idea=i) for i in rows]
    else:
        idea_ids = {r.idea_id for r in rows if r.idea_id is not None}
        by_id = _ideas_by_id(idea_ids)
        entries = []
        for r in rows:
            idea = by_id.get(r.idea_id) if r.idea_id is not None else None
            if idea is not None and not ideas.can_see(user, idea):
                idea = None
            if section == "votes":
                entries.append(Entry(at=r.created_at, idea=idea))
            elif section == "comments":
                hidden = r.hidden_at is not None
                entries.append(
                    Entry(
                        at=r.created_at,
                        idea=idea,
                        text=r.body,
                        anchor="" if hidden else f"c{r.id}",
                        note="hidden by the team" if hidden else "",
                    )
                )
            else:
                entries.append(
                    Entry(
                        at=r.received_at,
                        idea=idea,
                        text=r.text,
                        channel=r.source.label,
                        note="" if idea is not None else "not linked to an idea yet",
                    )
                )
    changes = _latest_changes({e.idea.id for e in entries if e.idea is not None})
    for e in entries:
        if e.idea is None:
            continue
        e.last_change = changes.get(e.idea.id)
        e.merged_into = ideas.merged_into(user, e.idea)
        if e.idea.withdrawn_at is not None and not e.note:
            e.note = "withdrawn"
    return entries


def section_page(user: User, section: str, page: int = 1, per_page: int = 20) -> Page:
    """One page of a section of `user`'s activity (its items are Entry), with its total."""
    result = page_of(_query(section, user), page, per_page, count=True)
    result.items = _entries(section, user, result.items)
    return result


def overview(user: User, per_section: int = 5) -> dict[str, Page]:
    """The first few entries of every section, each with its total."""
    return {s: section_page(user, s, 1, per_section) for s in SECTIONS}
