"""The rules of questions: who may ask, who may answer, what an answer does; the lists and
figures staff read. Plain values and the acting person; flush only, never commit."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import Select, exists, select

from vocportal import audience
from vocportal.accounts.models import User
from vocportal.audit import operations as audit
from vocportal.errors import OperationError, PermissionDenied
from vocportal.extensions import db
from vocportal.feedback.models import FeedbackItem
from vocportal.ideas import operations as ideas
from vocportal.ideas.models import Idea
from vocportal.markdown import render_markdown
from vocportal.questions import events
from vocportal.questions.models import Addressees, Answer, AnswerChannel, Question
from vocportal.timeutil import utcnow

#: Longest question or answer, in characters.
MAX_LENGTH = 10_000

#: The audience (vocportal.audience) a question to an idea's people reaches.
AUDIENCE = {
    Addressees.author: audience.Audience.question_author,
    Addressees.supporters: audience.Audience.question_supporters,
}


def _text(body: str, what: str) -> str:
    body = (body or "").strip()
    if not body:
        raise OperationError(f"Write the {what} first.", field="body")
    if len(body) > MAX_LENGTH:
        raise OperationError(f"Keep the {what} under {MAX_LENGTH:,} characters.", field="body")
    return body


def ask(
    actor: User,
    body: str,
    addressees: Addressees,
    *,
    idea: Idea | None = None,
    feedback_item: FeedbackItem | None = None,
) -> Question:
    """Put a question about an idea (to its author or every supporter) or a feedback item
    (to its sender): staff only. Announces `question_asked`."""
    if not actor.is_staff:
        raise PermissionDenied()
    if (idea is None) == (feedback_item is None):
        raise ValueError("a question is about one idea or one feedback item")
    body = _text(body, "question")
    if idea is not None and not idea.is_public:
        raise OperationError(
            "This idea is not public: nobody could read the question.", field="body"
        )
    if feedback_item is not None and addressees is not Addressees.author:
        raise OperationError("A feedback item has one sender: ask its author.", field="addressees")
    question = Question(
        idea_id=idea.id if idea else None,
        feedback_item_id=feedback_item.id if feedback_item else None,
        asker_id=actor.id,
        addressees=addressees,
        body=body,
        body_html=render_markdown(body),
    )
    db.session.add(question)
    if idea is not None:
        ideas.mark_triaged(actor, idea)
    db.session.flush()
    about = f"idea #{idea.id}" if idea is not None else f"feedback #{feedback_item.id}"
    audit.record(
        actor,
        "question.asked",
        target_type="idea" if idea is not None else "feedback",
        target_id=idea.id if idea is not None else feedback_item.id,
        summary=f"Question #{question.id} about {about} to {addressees.label}",
        details={"question_id": question.id, "addressees": addressees.value},
    )
    events.question_asked.send(question, actor=actor, idea=idea, feedback_item=feedback_item)
    return question


def addressee_ids(question: Question) -> Select:
    """The ids of the people a question is put to, as a one-column SELECT: for an idea, its
    audience (`vocportal.audience`: minus people who opted out of it, and blocked people);
    for a feedback item, its sender."""
    if question.idea_id is None:
        return select(FeedbackItem.author_id).where(FeedbackItem.id == question.feedback_item_id)
    pairs = audience.hearing(AUDIENCE[question.addressees], [question.idea_id]).subquery()
    return select(pairs.c.user_id)


def is_addressee(question: Question, person: User | None) -> bool:
    """Whether `person` may answer `question` (it was put to them)."""
    if person is None or not person.is_authenticated or person.blocked:
        return False
    if question.idea_id is not None:
        idea = db.session.get(Idea, question.idea_id)
        if idea is None or not ideas.can_see(person, idea):
            return False
    ids = addressee_ids(question).subquery()
    return bool(db.session.scalar(select(exists().where(ids.c[0] == person.id))))


def answer(
    question: Question,
    person: User,
    body: str,
    channel: AnswerChannel,
    *,
    external_id: str | None = None,
) -> tuple[Answer, bool]:
    """Record `person`'s answer (and whether it is new: an email with a Message-ID already
    stored is not stored twice). Announces `answer_received` for a new answer."""
    if not is_addressee(question, person):
        raise PermissionDenied()
    if question.closed_at is not None:
        raise OperationError("This question is closed.", field="body")
    if external_id:
        external_id = external_id[:200]
        existing = db.session.scalar(
            select(Answer).where(
                Answer.question_id == question.id, Answer.external_id == external_id
            )
        )
        if existing is not None:
            return existing, False
    body = _text(body, "answer")
    now = utcnow()
    row = Answer(
        question_id=question.id,
        author_id=person.id,
        channel=channel,
        body=body,
        body_html=render_markdown(body),
        external_id=external_id or None,
        created_at=now,
    )
    db.session.add(row)
    if question.answered_at is None:
        question.answered_at = now
    db.session.flush()
    events.answer_received.send(
        question,
        actor=person,
        answer=row,
        idea=db.session.get(Idea, question.idea_id) if question.idea_id else None,
        feedback_item=(
            db.session.get(FeedbackItem, question.feedback_item_id)
            if question.feedback_item_id
            else None
        ),
    )
    return row, True


def close(actor: User, question: Question) -> None:
    """Staff close a question without waiting for an answer (the idea no longer needs info)."""
    if not actor.is_staff:
        raise PermissionDenied()
    if question.closed_at is None:
        question.closed_at = utcnow()
        audit.record(
            actor,
            "question.closed",
            target_type="question",
            target_id=question.id,
            summary=f"Question #{question.id} closed without an answer",
        )
    db.session.flush()


def answer_recipient_ids(question: Question) -> Select:
    """The ids of the people an answer reaches: the asker and the idea's owner."""
    asker = select(Question.asker_id.label("user_id")).where(Question.id == question.id)
    if question.idea_id is None:
        return asker
    owner = select(Idea.owner_id.label("user_id")).where(
        Idea.id == question.idea_id, Idea.owner_id.is_not(None)
    )
    return asker.union(owner)


# --- reading -------------------------------------------------------------------------------


def get(question_id: int) -> Question | None:
    return db.session.get(Question, question_id)


def on_idea(idea: Idea) -> list[Question]:
    return list(
        db.session.scalars(
            select(Question).where(Question.idea_id == idea.id).order_by(Question.id)
        )
    )


def on_feedback(item: FeedbackItem) -> list[Question]:
    return list(
        db.session.scalars(
            select(Question).where(Question.feedback_item_id == item.id).order_by(Question.id)
        )
    )


def needs_info(questions: list[Question]) -> bool:
    """An idea needs info while one of its questions is unanswered and not closed."""
    return any(q.is_open for q in questions)


def visible_answers(question: Question, viewer: User | None) -> list[Answer]:
    """Staff read every answer; a customer only their own."""
    if viewer is None or not viewer.is_authenticated:
        return []
    if viewer.is_staff:
        return list(question.answers)
    return [a for a in question.answers if a.author_id == viewer.id]


def unanswered(now: datetime | None = None) -> list[Question]:
    """Open questions with no answer after QUESTIONS_UNANSWERED_DAYS, oldest first."""
    now = now or utcnow()
    days = current_app.config["QUESTIONS_UNANSWERED_DAYS"]
    return list(
        db.session.scalars(
            select(Question)
            .where(
                Question.answered_at.is_(None),
                Question.closed_at.is_(None),
                Question.created_at <= now - timedelta(days=days),
            )
            .order_by(Question.created_at, Question.id)
        )
    )


def open_questions() -> list[Question]:
    """Every open question, oldest first."""
    return list(
        db.session.scalars(
            select(Question)
            .where(Question.answered_at.is_(None), Question.closed_at.is_(None))
            .order_by(Question.created_at, Question.id)
        )
    )


@dataclass
class Figures:
    """Questions asked, answered, and the median hours from asking to the first answer."""

    asked: int = 0
    answered: int = 0
    median_hours_to_answer: float | None = None


def figures_by_owner() -> dict[int | None, Figures]:
    """Question figures per owner of the idea asked about (None: no owner, and questions
    about feedback items); the key "all" holds everyone's."""
    rows = db.session.execute(
        select(Question.created_at, Question.answered_at, Idea.owner_id).outerjoin(
            Idea, Idea.id == Question.idea_id
        )
    ).all()
    groups: dict = {"all": []}
    for row in rows:
        groups["all"].append(row)
        groups.setdefault(row.owner_id, []).append(row)
    result = {}
    for key, group in groups.items():
        hours = [
            (r.answered_at - r.created_at).total_seconds() / 3600
            for r in group
            if r.answered_at is not None
        ]
        result[key] = Figures(
            asked=len(group),
            answered=len(hours),
            median_hours_to_answer=statistics.median(hours) if hours else None,
        )
    return result
