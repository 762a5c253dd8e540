"""What supporters hear about, in answer to the ideas' domain events.

A status update reaches everyone the audience says hears about the idea; a staff comment
reaches them too. Nothing is announced about an idea that is not public (hidden or
withdrawn): its supporters could not open it, and its title may be why staff hid it.
The outbox row is written in the caller's transaction (see `vocportal.ideas.events`).
"""

from __future__ import annotations

from vocportal.accounts.models import User
from vocportal.ideas import events
from vocportal.ideas.models import Comment, Idea, StatusChange
from vocportal.ideas.operations import idea_path, portal_team
from vocportal.notifications.models import EventKind
from vocportal.notifications.outbox import record_event
from vocportal.notifications.preferences import skip_waiting_emails


def on_status_changed(
    idea: Idea,
    *,
    actor: User,
    change: StatusChange,
    notify: bool,
    announcement: str | None,
    **_: object,
) -> None:
    if not (notify and idea.is_public):
        return
    title = (
        f"{idea.title}: now {change.new_status.label.lower()}"
        if change.old_status is not change.new_status
        else f"{idea.title}: a status update"
    )
    record_event(
        EventKind.status_update,
        title=title,
        text=change.message if announcement is None else announcement.strip(),
        link=idea_path(idea.id, f"status-{change.id}"),
        actor=actor,
        idea_id=idea.id,
        status_change_id=change.id,
    )


def on_comment_added(idea: Idea, *, actor: User, comment: Comment, **_: object) -> None:
    """A staff answer or question reaches the author and followers."""
    if not (actor.is_staff and idea.is_public):
        return
    record_event(
        EventKind.comment,
        title=f"{actor.display_name} ({portal_team()}) commented on {idea.title}",
        text=comment.body,
        link=idea_path(idea.id, f"c{comment.id}"),
        actor=actor,
        idea_id=idea.id,
        comment_id=comment.id,
    )


def on_idea_muted(idea: Idea, *, actor: User, muted: bool, **_: object) -> None:
    """Emails about a muted idea that have not gone yet will not go."""
    if muted:
        skip_waiting_emails(actor, idea.id)


def connect() -> None:
    events.status_changed.connect(on_status_changed)
    events.comment_added.connect(on_comment_added)
    events.idea_muted.connect(on_idea_muted)
