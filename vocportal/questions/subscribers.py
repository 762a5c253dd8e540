"""Questions on the pages of ideas and feedback items, and email replies that answer them."""

from __future__ import annotations

from email.utils import getaddresses

from flask import current_app, url_for

from vocportal.accounts.models import User
from vocportal.errors import OperationError, PermissionDenied
from vocportal.extensions import db
from vocportal.feedback import events as feedback_events
from vocportal.feedback.models import FeedbackItem
from vocportal.ideas import page
from vocportal.ideas.models import Idea
from vocportal.questions import operations as ops
from vocportal.questions import replies
from vocportal.questions.forms import AnswerForm, AskForm
from vocportal.questions.models import AnswerChannel
from vocportal.timeutil import utcnow


def _panel(questions, viewer: User | None, here: str) -> list[dict]:
    """Each question the viewer may read, with its answers and answer form."""
    shown = []
    for question in questions:
        addressed = ops.is_addressee(question, viewer)
        if not (addressed or (viewer is not None and viewer.is_staff)):
            continue
        shown.append(
            {
                "question": question,
                "answers": ops.visible_answers(question, viewer),
                "form": (
                    AnswerForm(formdata=None, next=here)
                    if addressed and question.closed_at is None
                    else None
                ),
            }
        )
    return shown


def idea_questions(idea: Idea, *, viewer: User | None, **_: object) -> dict:
    """The "Needs info" mark for everyone; questions for staff and the people asked."""
    questions = ops.on_idea(idea)
    here = url_for("ideas.show", idea_id=idea.id)
    staff = viewer is not None and viewer.is_authenticated and viewer.is_staff
    return {
        "needs_info": ops.needs_info(questions),
        "question_threads": _panel(questions, viewer, here) if viewer is not None else [],
        "ask_form": AskForm(formdata=None, next=here) if staff and idea.is_public else None,
    }


def feedback_questions(item: FeedbackItem, *, viewer: User, **_: object) -> dict:
    """A feedback item's questions and the form to ask its sender (staff pages)."""
    here = url_for("feedback.show", item_id=item.id)
    return {
        "question_threads": _panel(ops.on_feedback(item), viewer, here),
        "ask_form": AskForm(formdata=None, next=here),
    }


def on_inbound_email(
    _sender, *, address: str, recipient: str, subject: str, text: str, message_id: str, **_
):
    """An email reply to a question: find its token (reply address or subject), check that
    the person it names sent it, and store the reply's new text as their answer."""
    token = replies.find_token(recipient, subject)
    if token is None:
        return None
    found = replies.read_address_token(token)
    if found is None:
        return 403, {"error": "This reply token is not valid."}
    question, person = ops.get(found[0]), db.session.get(User, found[1])
    if question is None or person is None:
        return 404, {"error": "The question this reply answers no longer exists."}
    age = (utcnow() - question.created_at).total_seconds()
    if age > current_app.config["QUESTION_REPLY_MAX_AGE"]:
        return 410, {"error": "This question no longer takes replies by email."}
    senders = {a.casefold() for _, a in getaddresses([address]) if a}
    if person.email.casefold() not in senders:
        return 403, {"error": "This reply token does not belong to the sender."}
    body = replies.reply_text(text)
    try:
        answer, created = ops.answer(
            question, person, body, AnswerChannel.email, external_id=message_id or None
        )
    except PermissionDenied:
        return 403, {"error": "This question was not put to the sender."}
    except OperationError as error:
        return 422, {"error": error.message, "field": error.field}
    return (201 if created else 200), {"question": question.id, "answer": answer.id}


def connect() -> None:
    page.idea_page.connect(idea_questions)
    feedback_events.feedback_page.connect(feedback_questions)
    feedback_events.inbound_email.connect(on_inbound_email)
