"""The worker side, fan-out: who hears about an event, their rows, and the sweeper.

The fan-out job (`fan_out`) inserts one Notification per recipient and channel under a
unique constraint (INSERT .. ON CONFLICT DO NOTHING), in chunks it commits one by one: a
second run (re-driven after a crash) adds only what is missing. Web rows are delivered by
existing. Email rows wait as `pending` (or `digest`), and the job then defers the send jobs
(`sending`).

`sweep` (every minute, from the scheduler) re-drives events not fanned out, pending rows no
job holds, and claims gone stale (a worker killed mid-send); a row claimed
MAX_EMAIL_ATTEMPTS times without finishing is marked failed instead, so no email is
re-driven forever.

This module and `sending` are the only ones in notifications that commit; they run in jobs
(`jobs/notify.py`, `jobs/maintenance.py`), never in a request.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import current_app
from sqlalchemy import Select, exists, func, select, update

from vocportal import audience
from vocportal.accounts.models import EmailPref, Role, User
from vocportal.extensions import db
from vocportal.feedback.models import FeedbackItem
from vocportal.ideas.models import Comment, Idea
from vocportal.notifications import events
from vocportal.notifications.models import (
    Channel,
    DeliveryState,
    EventKind,
    Notification,
    NotificationEvent,
)
from vocportal.notifications.outbox import defer_fan_out
from vocportal.notifications.sending import MAX_EMAIL_ATTEMPTS, defer_sends
from vocportal.questions import operations as questions
from vocportal.questions.models import Question
from vocportal.queue.models import ACTIVE_STATES, JobRecord
from vocportal.sqlutil import insert_ignore
from vocportal.timeutil import utcnow

log = logging.getLogger("vocportal.notifications")


def recipients_of(event: NotificationEvent) -> Select:
    """The users who get `event`, as a SELECT of User (the one rule of who hears).

    - status update and staff comment: `vocportal.audience` (`Audience.status_update`:
      demand, commenters and followers; `Audience.staff_comment`: author and followers;
      minus people who opted out of the idea, and blocked people);
    - theme alert: every staff member and admin;
    - moderation (staff rejected a post): its author only, even if they muted the idea;
    - question: the people it is put to (`vocportal.questions.operations.addressee_ids`:
      the idea's audience, or the feedback item's sender); answer: the asker and the
      idea's owner;
    - feedback linked to an idea: the feedback's sender only (an account or a contact);
    otherwise minus people who opted out of that idea (a muted follow); always minus blocked
    people and the event's actor.
    """
    if event.kind is EventKind.theme_alert:
        people = select(User.id.label("user_id")).where(User.role.in_([Role.staff, Role.admin]))
    elif event.kind is EventKind.moderation:
        people = (
            select(Comment.author_id).where(Comment.id == event.comment_id)
            if event.comment_id is not None
            else select(Idea.author_id).where(Idea.id == event.idea_id)
        )
    elif event.kind is EventKind.question:
        people = questions.addressee_ids(db.session.get(Question, event.question_id))
    elif event.kind is EventKind.answer:
        people = questions.answer_recipient_ids(db.session.get(Question, event.question_id))
    elif event.kind is EventKind.feedback_linked:
        people = select(FeedbackItem.author_id).where(FeedbackItem.id == event.feedback_item_id)
    else:
        # Who hears about an idea is `vocportal.audience`'s to say, for every feature.
        heard = audience.Audience.status_update
        if event.kind is not EventKind.status_update:
            heard = audience.Audience.staff_comment
        pairs = audience.hearing(heard, [event.idea_id]).subquery()
        people = select(pairs.c.user_id)
    ids = people.subquery()
    stmt = select(User).join(ids, ids.c[0] == User.id).where(User.blocked.is_(False))
    if event.actor_id is not None:
        stmt = stmt.where(User.id != event.actor_id)
    return stmt


def fan_out(event_id: int, progress=None) -> int:
    """Give every recipient of `event_id` its rows (idempotent); return how many people.

    Commits after each chunk, so a run that dies part-way keeps what it did and the re-run
    skips it; then defers the send jobs and marks the event fanned out.
    """
    progress = progress or (lambda *_: None)
    event = db.session.get(NotificationEvent, event_id)
    if event is None:
        raise LookupError(f"notification event {event_id} does not exist")
    total = db.session.scalar(select(func.count()).select_from(recipients_of(event).subquery()))
    done, last_id = 0, 0
    while True:
        users = list(
            db.session.execute(
                recipients_of(event)
                .with_only_columns(User.id, User.email_pref)
                .where(User.id > last_id)
                .order_by(User.id)
                .limit(current_app.config["NOTIFY_FANOUT_CHUNK"])
            )
        )
        if not users:
            break
        now = utcnow()
        rows = []
        for user_id, pref in users:
            rows.append(_row(event_id, user_id, Channel.web, DeliveryState.sent, now, sent=now))
            if pref is EmailPref.immediate:
                rows.append(_row(event_id, user_id, Channel.email, DeliveryState.pending, now))
            elif pref is EmailPref.digest:
                rows.append(_row(event_id, user_id, Channel.email, DeliveryState.digest, now))
        # One batched statement per chunk: the ORM's bulk insert would split rows whose None
        # values differ (web rows have sent_at, email rows not) into single-row INSERTs.
        db.session.execute(insert_ignore(Notification).execution_options(render_nulls=True), rows)
        events.bell_changed.send(None, user_ids=[user_id for user_id, _pref in users])
        db.session.commit()
        done += len(users)
        last_id = users[-1][0]
        progress(done / max(total, 1), f"{done} of {total} recipients")
    event = db.session.get(NotificationEvent, event_id)
    event.recipient_count = done
    event.fanned_out_at = utcnow()
    defer_sends(event_id)
    db.session.flush()
    return done


def _row(event_id, user_id, channel, state, now, sent=None) -> dict:
    return {
        "event_id": event_id,
        "user_id": user_id,
        "channel": channel,
        "state": state,
        "created_at": now,
        "sent_at": sent,
        "attempts": 0,
        "error": "",
    }


# --- the sweeper ---------------------------------------------------------------------------


def _active_job(prefix: str):
    return exists().where(
        JobRecord.dedupe_key.like(prefix + "%"), JobRecord.state.in_(ACTIVE_STATES)
    )


def sweep(now=None) -> dict[str, int]:
    """Re-drive what a lost Redis or a killed worker left unfinished; return counts."""
    now = now or utcnow()
    config = current_app.config
    grace = timedelta(seconds=config["JOB_SWEEP_GRACE_SECONDS"])
    stale = timedelta(seconds=config["NOTIFY_CLAIM_STALE_SECONDS"])
    counts = {"fan_outs": 0, "stale_claims": 0, "given_up": 0, "send_jobs": 0}
    # Claims that never finished as often as an email may be tried: something about the
    # email itself kills the worker or the job, so trying again would never end.
    result = db.session.execute(
        update(Notification)
        .where(
            Notification.state == DeliveryState.sending,
            Notification.claimed_at < now - stale,
            Notification.attempts >= MAX_EMAIL_ATTEMPTS,
        )
        .values(
            state=DeliveryState.failed,
            error=f"claimed {MAX_EMAIL_ATTEMPTS} times and never finished (the worker died or "
            "the job failed while sending it); given up",
        )
        .execution_options(synchronize_session=False)
    )
    counts["given_up"] = result.rowcount or 0
    if counts["given_up"]:
        log.error("gave up on %s emails whose sending never finished", counts["given_up"])
    # Claims a dead worker left: back to waiting (digest people to their digest).
    for state, prefs in (
        (DeliveryState.pending, [EmailPref.immediate, EmailPref.never]),
        (DeliveryState.digest, [EmailPref.digest]),
    ):
        result = db.session.execute(
            update(Notification)
            .where(
                Notification.state == DeliveryState.sending,
                Notification.claimed_at < now - stale,
                Notification.user_id.in_(select(User.id).where(User.email_pref.in_(prefs))),
            )
            .values(state=state)
            .execution_options(synchronize_session=False)
        )
        counts["stale_claims"] += result.rowcount or 0
    # Events whose fan-out never finished and that no job is working on.
    for event_id in db.session.scalars(
        select(NotificationEvent.id).where(
            NotificationEvent.fanned_out_at.is_(None),
            NotificationEvent.created_at < now - grace,
        )
    ):
        if not db.session.scalar(select(_active_job(f"notify:fanout:{event_id}"))):
            defer_fan_out(event_id)
            counts["fan_outs"] += 1
    # Emails waiting with no send job to take them.
    waiting = db.session.scalars(
        select(Notification.event_id)
        .where(
            Notification.channel == Channel.email,
            Notification.state == DeliveryState.pending,
            Notification.created_at < now - grace,
        )
        .distinct()
    )
    for event_id in list(waiting):
        if not db.session.scalar(select(_active_job(f"notify:send:{event_id}:"))):
            counts["send_jobs"] += defer_sends(event_id)
    db.session.flush()
    return counts
