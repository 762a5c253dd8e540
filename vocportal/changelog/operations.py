"""Changelog rules: publishing an entry ships the ideas it names."""

from __future__ import annotations

from sqlalchemy import case, select

from vocportal.accounts.models import User
from vocportal.changelog.models import ChangelogEntry
from vocportal.errors import OperationError, PermissionDenied
from vocportal.extensions import db
from vocportal.ideas import operations as ideas
from vocportal.ideas.board_access import may_see_board
from vocportal.ideas.models import Idea, IdeaStatus
from vocportal.markdown import render_markdown

#: Ideas staff can pick when writing an entry: the ones being worked on.
SHIPPABLE = (IdeaStatus.planned, IdeaStatus.in_progress, IdeaStatus.under_review, IdeaStatus.open)


def shippable_ideas(limit: int = 300) -> list[Idea]:
    """The ideas an entry can ship: in progress, then planned, then the rest; most votes first."""
    closest = case(
        (Idea.status == IdeaStatus.in_progress, 0), (Idea.status == IdeaStatus.planned, 1), else_=2
    )
    return list(
        db.session.scalars(
            select(Idea)
            .where(
                Idea.status.in_(SHIPPABLE),
                Idea.withdrawn_at.is_(None),
                Idea.hidden_at.is_(None),
                Idea.moderation.is_(None),
            )
            .order_by(closest, Idea.vote_count.desc(), Idea.id.desc())
            .limit(limit)
        )
    )


def publish_entry(
    actor: User, title: str, body: str, idea_ids: list[int], entry_url: str
) -> ChangelogEntry:
    """Publish an entry; every linked idea becomes shipped with a status update that links
    back to it (`entry_url`, the entry's public address)."""
    if not actor.is_staff:
        raise PermissionDenied()
    linked = list(db.session.scalars(select(Idea).where(Idea.id.in_(idea_ids)))) if idea_ids else []
    if len(linked) != len(set(idea_ids)):
        raise OperationError("Some of those ideas do not exist.", field="ideas")
    entry = ChangelogEntry(
        title=title.strip(),
        body=body.strip(),
        body_html=render_markdown(body),
        author_id=actor.id,
        ideas=linked,
    )
    db.session.add(entry)
    db.session.flush()
    for idea in linked:
        if idea.status is not IdeaStatus.shipped:
            ideas.change_status(
                actor,
                idea,
                IdeaStatus.shipped,
                f"Shipped in [{entry.title}]({entry_url}#entry-{entry.id}).",
            )
    return entry


def entries(limit: int = 50) -> list[ChangelogEntry]:
    return list(
        db.session.scalars(
            select(ChangelogEntry)
            .order_by(ChangelogEntry.published_at.desc(), ChangelogEntry.id.desc())
            .limit(limit)
        )
    )


def entries_for(viewer: User | None, limit: int = 50) -> list[tuple[ChangelogEntry, list[Idea]]]:
    """The entries `viewer` may read, each with the shipped ideas it may see (published ones
    on boards it may see). An entry that shipped only ideas on boards `viewer` may not see
    (private boards) is left out: it is about them."""
    shown = []
    for entry in entries(limit):
        if entry.ideas and not any(may_see_board(viewer, i.board) for i in entry.ideas):
            continue
        shown.append((entry, [i for i in entry.ideas if i.is_public and ideas.can_see(viewer, i)]))
    return shown
