"""Staff answering in public (a status update or a comment) takes an idea out of the inbox
and counts as its first response; a customer's answer to a staff question puts it back;
staff see the triage panel on an idea's page."""

from __future__ import annotations

from flask import url_for

from vocportal.accounts.models import User
from vocportal.customers import operations as customers
from vocportal.feedback import operations as feedback
from vocportal.ideas import events, page
from vocportal.ideas.merge import active_merge
from vocportal.ideas.models import Idea
from vocportal.ideas.operations import mark_triaged
from vocportal.questions import events as question_events
from vocportal.triage import operations as triage
from vocportal.triage.forms import DuplicateForm, NoteForm, PostForm
from vocportal.triage.views import owner_form


def on_public_answer(idea: Idea, *, actor: User, **_: object) -> None:
    mark_triaged(actor, idea, responded=True)


def on_answer(question, *, idea: Idea | None, **_: object) -> None:
    """A customer's answer puts the idea back in the inbox, for staff to act on."""
    if idea is not None:
        idea.triaged_at = None


def staff_panel(idea: Idea, *, viewer: User | None, **_: object) -> dict | None:
    """For staff: owner, notes, merge, who is asking, linked feedback, who an update reaches."""
    if viewer is None or not viewer.is_staff:
        return None
    here = url_for("ideas.show", idea_id=idea.id)
    askers = customers.who_is_asking(idea.id)
    return {
        "staff": {
            "notes": triage.notes(idea),
            "owner_form": owner_form(idea, formdata=None, next=here),
            "note_form": NoteForm(formdata=None, next=here),
            "duplicate_form": DuplicateForm(formdata=None, next=here),
            "post_form": PostForm(formdata=None, next=here),
            "merge": active_merge(idea),
            "demand": customers.demand_of(askers),
            "askers": askers,
            "feedback": feedback.for_idea(idea),
            "audience": triage.status_audience(viewer, [idea]),
        }
    }


def connect() -> None:
    events.status_changed.connect(on_public_answer)
    events.comment_added.connect(on_public_answer)
    page.idea_page.connect(staff_panel)
    question_events.answer_received.connect(on_answer)
