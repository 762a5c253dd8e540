"""What supporters hear about, in answer to the ideas' domain events.

A status update reaches everyone the audience says hears about the idea; a staff comment
reaches them too. A staff question reaches the people it is put to, and a customer's answer
the asker and the idea's owner (`vocportal.questions`). Nothing is announced about an idea
that is not public (hidden or withdrawn): its supporters could not open it, and its title
may be why staff hid it.
The outbox row is written in the caller's transaction (see `vocportal.ideas.events`).
"""

from __future__ import annotations

from vocportal.accounts.models import User
from vocportal.feedback import events as feedback_events
from vocportal.feedback.models import FeedbackItem
from vocportal.ideas import events, statuses
from vocportal.ideas.models import Comment, Idea, StatusChange
from vocportal.ideas.operations import idea_path, portal_team
from vocportal.ideas.support import VOTE_RETURNING
from vocportal.notifications import linked
from vocportal.notifications.models import EventKind
from vocportal.notifications.outbox import record_event
from vocportal.notifications.preferences import skip_waiting_emails
from vocportal.questions import events as question_events
from vocportal.questions.models import Question


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
    # Named as customers see the statuses (a staff-only status shows its kind's default).
    new = statuses.shown(change.new_status, change.new_status_id)
    old = statuses.shown(change.old_status, change.old_status_id)
    title = (
        f"{idea.title}: now {new.name.lower()}" if old != new else f"{idea.title}: a status update"
    )
    text = change.message if announcement is None else announcement.strip()
    record_event(
        EventKind.status_update,
        title=title,
        text=(text + _vote_back(idea, change)).strip(),
        link=idea_path(idea.id, f"status-{change.id}"),
        actor=actor,
        idea_id=idea.id,
        status_change_id=change.id,
    )


def _vote_back(idea: Idea, change: StatusChange) -> str:
    """On a board with a vote budget, an idea that ships or is declined gives its voters their
    vote back: the update says so (to everyone it reaches; the voters are among them)."""
    if idea.board.vote_budget is None or change.new_status not in VOTE_RETURNING:
        return ""
    if change.old_status in VOTE_RETURNING:
        return ""  # already given back when it first closed
    return (
        f"\n\nIf you voted for this idea, your vote on {idea.board.name} is yours again: "
        "give it to another idea."
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


def _subject_title(idea: Idea | None, feedback_item: FeedbackItem | None) -> str:
    return idea.title if idea is not None else f"your feedback #{feedback_item.id}"


def _question_link(question: Question) -> str:
    if question.idea_id is not None:
        return idea_path(question.idea_id, f"question-{question.id}")
    return f"/questions/{question.id}"


def on_question_asked(question: Question, *, actor: User, idea, feedback_item, **_: object):
    """A question reaches the people it is put to (`questions.addressee_ids`)."""
    record_event(
        EventKind.question,
        title=f"{actor.display_name} ({portal_team()}) asks about "
        f"{_subject_title(idea, feedback_item)}",
        text=question.body,
        link=_question_link(question),
        actor=actor,
        idea_id=question.idea_id,
        question_id=question.id,
    )


def on_answer_received(question: Question, *, actor: User, answer, idea, feedback_item, **_):
    """An answer reaches the asker and the idea's owner (`questions.answer_recipient_ids`)."""
    subject = idea.title if idea is not None else f"feedback #{feedback_item.id}"
    record_event(
        EventKind.answer,
        title=f"{actor.display_name} answered a question about {subject} ({answer.channel.label})",
        text=answer.body,
        link=_question_link(question),
        actor=actor,
        idea_id=question.idea_id,
        question_id=question.id,
    )


def connect() -> None:
    question_events.question_asked.connect(on_question_asked)
    question_events.answer_received.connect(on_answer_received)
    events.status_changed.connect(on_status_changed)
    events.comment_added.connect(on_comment_added)
    events.idea_muted.connect(on_idea_muted)
    feedback_events.feedback_linked.connect(linked.on_feedback_linked)
