"""Question pages: staff ask and close, people answer on the page or by a signed link,
and the staff list of unanswered questions."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from vocportal.accounts.models import User
from vocportal.errors import OperationError, PermissionDenied
from vocportal.extensions import db
from vocportal.feedback.models import FeedbackItem
from vocportal.forms import attach_error, commit_and_go, valid_or_400
from vocportal.ideas.models import Idea
from vocportal.permissions import staff_required
from vocportal.questions import operations as ops
from vocportal.questions import replies
from vocportal.questions.forms import AnswerForm, AskForm
from vocportal.questions.models import Addressees, AnswerChannel, Question
from vocportal.security import safe_next

bp = Blueprint("questions", __name__)


def question_path(question: Question) -> str:
    """Where a question is read and answered: its idea's page, or its own page."""
    if question.idea_id is not None:
        return url_for("ideas.show", idea_id=question.idea_id, _anchor=f"question-{question.id}")
    return url_for("questions.show", question_id=question.id)


def _ask(title: str, form: AskForm, subject: dict, back: str):
    """Ask (staff): done, or the form again with what was typed and what was wrong."""
    if form.validate_on_submit():
        try:
            question = ops.ask(
                current_user, form.body.data, Addressees(form.addressees.data), **subject
            )
        except OperationError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            people = "its author" if question.addressees is Addressees.author else "its supporters"
            return commit_and_go(f"Question sent to {people}.", safe_next(form.next.data) or back)
    return render_template("questions/ask.html", title=title, form=form, back=back, **subject), 400


@bp.post("/staff/ideas/<int:idea_id>/ask")
@staff_required
def ask_idea(idea_id: int):
    idea = db.session.get(Idea, idea_id) or abort(404)
    back = url_for("ideas.show", idea_id=idea.id, _anchor="questions")
    return _ask("Ask a question", AskForm(), {"idea": idea}, back)


@bp.post("/staff/feedback/<int:item_id>/ask")
@staff_required
def ask_feedback(item_id: int):
    item = db.session.get(FeedbackItem, item_id) or abort(404)
    back = url_for("feedback.show", item_id=item.id, _anchor="questions")
    return _ask("Ask a question", AskForm(), {"feedback_item": item}, back)


@bp.post("/staff/questions/<int:question_id>/close")
@staff_required
def close(question_id: int):
    question = ops.get(question_id) or abort(404)
    valid_or_400()
    ops.close(current_user, question)
    back = safe_next(request.form.get("next")) or question_path(question)
    return commit_and_go("Question closed.", back)


@bp.get("/staff/questions")
@staff_required
def unanswered():
    return render_template(
        "questions/unanswered.html",
        late=ops.unanswered(),
        waiting=ops.open_questions(),
    )


@bp.route("/questions/<int:question_id>", methods=["GET", "POST"])
@login_required
def show(question_id: int):
    """A question and, for the people it was put to, the answer form (page channel)."""
    question = ops.get(question_id) or abort(404)
    if not (current_user.is_staff or ops.is_addressee(question, current_user)):
        abort(404)
    form = AnswerForm()
    if request.method == "POST":
        done = _answer(question, form, current_user, AnswerChannel.page)
        if done:
            return done
    elif question.idea_id is not None:
        return redirect(question_path(question))
    return render_template(
        "questions/show.html",
        question=question,
        form=form,
        answers=ops.visible_answers(question, current_user),
        can_answer=question.closed_at is None and ops.is_addressee(question, current_user),
        action=url_for("questions.show", question_id=question.id),
    ), 400 if form.errors else 200


def _answer(question: Question, form: AnswerForm, person, channel: AnswerChannel):
    """Store an answer from a form; a redirect when done, None to show the form again."""
    if not form.validate_on_submit():
        return None
    try:
        ops.answer(question, person, form.body.data, channel)
    except PermissionDenied:
        abort(404)
    except OperationError as error:
        db.session.rollback()
        attach_error(form, error)
        return None
    db.session.commit()
    flash("Thank you: your answer reached the team.", "success")
    if channel is AnswerChannel.link:
        return redirect(request.path)
    return redirect(safe_next(form.next.data) or question_path(question))


@bp.route("/questions/reply/<token>", methods=["GET", "POST"])
def reply(token: str):
    """The signed reply link from the question's email: answer without logging in. Opening
    it changes nothing; the form's button does."""
    found = replies.read_link_token(token)
    if isinstance(found, str):
        return render_template("questions/link_invalid.html", reason=found), 404
    question, person = ops.get(found[0]), db.session.get(User, found[1])
    if question is None or person is None or not ops.is_addressee(question, person):
        return render_template("questions/link_invalid.html", reason="invalid"), 404
    form = AnswerForm()
    if request.method == "POST":
        done = _answer(question, form, person, AnswerChannel.link)
        if done:
            return done
    return render_template(
        "questions/show.html",
        question=question,
        form=form,
        answers=ops.visible_answers(question, person),
        can_answer=question.closed_at is None,
        action=request.path,
        via_link=True,
        person=person,
    ), 400 if form.errors else 200
