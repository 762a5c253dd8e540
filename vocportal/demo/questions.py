"""Demo questions to customers and their answers, made through the real operations and
back-dated like the rest of the demo's history (no email about the past is sent)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import func, select

from vocportal import audience
from vocportal.accounts.models import User
from vocportal.demo import history
from vocportal.extensions import db
from vocportal.feedback.models import FeedbackItem
from vocportal.ideas.models import Idea, IdeaStatus
from vocportal.notifications import delivery
from vocportal.notifications.models import EventKind, NotificationEvent
from vocportal.questions import operations as questions
from vocportal.questions.models import Addressees, AnswerChannel
from vocportal.queue.operations import withhold_deferred

#: (question, whom, answer or None, channel, days ago asked, hours to the answer).
QUESTIONS = [
    (
        "Which devices does your team clock in from: phones, a shared tablet, or both?",
        Addressees.supporters,
        None,
        AnswerChannel.page,
        10,
        0,
    ),
    (
        "Which payroll or accounting tool would you export to first, and how often?",
        Addressees.supporters,
        "Xero, every Friday: we close the week there.",
        AnswerChannel.email,
        20,
        5,
    ),
    (
        "Do you need this per project, per client, or both?",
        Addressees.author,
        "Per client. Projects change too often to be useful here.",
        AnswerChannel.link,
        12,
        30,
    ),
    (
        "Would a read-only view for your clients be enough, or do they need to comment?",
        Addressees.supporters,
        "Read-only is fine for a start.",
        AnswerChannel.page,
        6,
        2,
    ),
    (
        "How many people would use this every day?",
        Addressees.author,
        None,
        AnswerChannel.page,
        2,
        0,
    ),
]
FEEDBACK_QUESTION = (
    "Thanks for writing. Is the export you mention for your accountant or for payroll?",
    "For our accountant, once a month.",
    AnswerChannel.email,
    8,
    20,
)


def seed(rng: random.Random, staff: list[User], demo_customer: User, now: datetime) -> dict:
    """Ask the demo's questions (one to the demo customer's supporters), answer some; commit."""
    after = db.session.scalar(select(func.max(NotificationEvent.id))) or 0
    open_ideas = list(
        db.session.scalars(
            select(Idea)
            .where(
                Idea.status.in_([IdeaStatus.open, IdeaStatus.under_review]),
                Idea.vote_count >= 3,
                Idea.hidden_at.is_(None),
                Idea.withdrawn_at.is_(None),
                Idea.moderation.is_(None),
            )
            .order_by(Idea.id)
        )
    )
    theirs = audience.relations(audience.DEMAND, user_ids=[demo_customer.id]).subquery()
    supported = set(db.session.scalars(select(theirs.c.idea_id)))
    # The demo customer is asked too: the first question (open) goes to the supporters of an
    # idea they support, so their page has a question to answer.
    theirs = [i for i in open_ideas if i.id in supported]
    chosen = theirs[:1] + rng.sample([i for i in open_ideas if i not in theirs[:1]], 4)
    made = answered = 0
    for idea, (text, whom, reply, channel, days, hours) in zip(chosen, QUESTIONS, strict=True):
        asker = staff[made % len(staff)]
        untriaged = idea.triaged_at is None
        question = questions.ask(asker, text, whom, idea=idea)
        asked_at = now - timedelta(days=days, hours=rng.uniform(0, 8))
        if untriaged:  # asking was the first staff action, back then
            idea.triaged_at = asked_at
        made += 1
        if reply is not None:
            person = idea.author if whom is Addressees.author else _a_supporter(rng, question)
            answer, _ = questions.answer(question, person, reply, channel)
            answer.created_at = question.answered_at = asked_at + timedelta(hours=hours)
            answered += 1
        question.created_at = asked_at
    item = db.session.scalars(select(FeedbackItem).order_by(FeedbackItem.id)).first()
    if item is not None:
        text, reply, channel, days, hours = FEEDBACK_QUESTION
        question = questions.ask(staff[0], text, Addressees.author, feedback_item=item)
        question.created_at = now - timedelta(days=days)
        answer, _ = questions.answer(question, item.author, reply, channel)
        answer.created_at = question.answered_at = question.created_at + timedelta(hours=hours)
        made, answered = made + 1, answered + 1
    db.session.flush()
    _publish(after)
    return {"questions": made, "answers": answered}


def _a_supporter(rng: random.Random, question) -> User:
    ids = sorted(set(db.session.scalars(questions.addressee_ids(question))))
    return db.session.get(User, rng.choice(ids))


def _publish(after: int) -> None:
    """Fan the new outbox rows out as the worker would have then; no email leaves now."""
    for event in db.session.scalars(
        select(NotificationEvent).where(NotificationEvent.id > after).order_by(NotificationEvent.id)
    ):
        question = questions.get(event.question_id)
        answer = question.answers[-1] if event.kind is EventKind.answer else None
        event.created_at = answer.created_at if answer is not None else question.created_at
    jobs = withhold_deferred()
    db.session.commit()
    for event_id in list(
        db.session.scalars(
            select(NotificationEvent.id)
            .where(NotificationEvent.id > after)
            .order_by(NotificationEvent.id)
        )
    ):
        delivery.fan_out(event_id)
        jobs += withhold_deferred()
    history._backdate_deliveries(after, jobs)  # the demo history's own back-dating
    db.session.commit()
