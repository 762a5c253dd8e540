"""The reply a customer gets when staff link their feedback to an idea.

It says what the idea is and, first, whether it is already coming: planned, in progress
or shipped (with the latest public status message), so that nobody who asked for
something already on the roadmap is left thinking they asked into the void. From then on
the sender hears the idea's status updates like any supporter (`vocportal.audience`).
"""

from __future__ import annotations

from sqlalchemy import select

from vocportal.accounts.models import User
from vocportal.extensions import db
from vocportal.feedback.models import FeedbackItem
from vocportal.ideas.models import Idea, IdeaStatus, StatusChange
from vocportal.ideas.operations import idea_path
from vocportal.notifications.models import EventKind
from vocportal.notifications.outbox import record_event

#: What the reply says first about an idea that is already coming.
ALREADY = {
    IdeaStatus.planned: ("is already planned", "It is on our roadmap."),
    IdeaStatus.in_progress: ("is already in progress", "We are working on it now."),
    IdeaStatus.shipped: ("has already shipped", "You can use it today."),
}


def _latest_change(idea: Idea) -> StatusChange | None:
    return db.session.scalar(
        select(StatusChange)
        .where(StatusChange.idea_id == idea.id, StatusChange.new_status == idea.status)
        .order_by(StatusChange.created_at.desc(), StatusChange.id.desc())
        .limit(1)
    )


def link_reply(item: FeedbackItem, idea: Idea) -> tuple[str, str]:
    """The title (bell and subject) and Markdown text of the reply to the feedback's sender.

    The feedback is named by its date and never quoted: the event's text is kept after an
    erasure blanks the feedback (vocportal.privacy)."""
    # Their feedback by its date, not quoted: the event's text outlives an erasure of it.
    opening = f"Thank you for your feedback of {item.received_at:%d %B %Y}. "
    already = ALREADY.get(idea.status)
    if already is None:
        title = f"Your feedback is now linked to “{idea.title}”"
        text = (
            f"{opening}We have linked it to the idea “{idea.title}” "
            f"({idea.status.label.lower()}), so it counts towards it. You will hear from us "
            "when its status changes."
        )
        return title, text
    state, meaning = already
    title = f"“{idea.title}” {state}: your feedback is linked to it"
    change = _latest_change(idea)
    when = f" (since {change.created_at:%d %B %Y})" if change is not None else ""
    text = f"{opening}Good news: it matches the idea “{idea.title}”, which {state}{when}. {meaning}"
    if change is not None and change.message.strip():
        text += f"\n\nThe latest update:\n\n{change.message.strip()}"
    if idea.status is not IdeaStatus.shipped:
        text += "\n\nYou will hear from us when its status changes."
    return title, text


def on_feedback_linked(item: FeedbackItem, *, actor: User, idea: Idea, **_: object) -> None:
    """Tell the feedback's sender (and only them) what it was linked to."""
    if not idea.is_public:  # they could not open it; its title may be why staff hid it
        return
    title, text = link_reply(item, idea)
    record_event(
        EventKind.feedback_linked,
        title=title,
        text=text,
        link=idea_path(idea.id),
        actor=actor,
        idea_id=idea.id,
        feedback_item_id=item.id,
    )
