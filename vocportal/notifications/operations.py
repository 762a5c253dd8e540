"""Closing the loop: who hears about what, and exactly once per (event, person, channel).

The flow (see ENGINEERING-NOTES, "outbox"):

1. `record_event` writes a NotificationEvent in the transaction of what caused it (a
   status update, a staff comment, a theme alert) and defers a fan-out job, which RQ gets
   only after that transaction commits.
2. The fan-out job (`fan_out`) inserts one Notification per recipient and channel under a
   unique constraint (INSERT .. ON CONFLICT DO NOTHING), in chunks it commits one by one: a
   second run (re-driven after a crash) adds only what is missing. Web rows are delivered
   by existing. Email rows wait as `pending` (or `digest`), and the job then defers the
   send jobs.
3. A send job (`send_emails`) claims rows with a conditional UPDATE (pending -> sending),
   sends each over one SMTP connection and marks it sent in its own commit. A message that
   cannot be built (an address no To header can carry) is marked failed with the reason,
   and the job goes on with the rest.
4. `sweep` (every minute, from the scheduler) re-drives events not fanned out, pending rows
   no job holds, and claims gone stale (a worker killed mid-send); a row claimed
   MAX_EMAIL_ATTEMPTS times without finishing is marked failed instead, so no email is
   re-driven forever.

The only window for a repeat is a worker dying between the SMTP server's "250 OK" and the
commit that marks the row sent (a few milliseconds); the repeat carries the same
Message-ID, which mail systems use to drop duplicates.
"""

from __future__ import annotations

import logging
import smtplib
from datetime import timedelta
from email.errors import MessageError
from urllib.parse import urlsplit

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import ColumnElement, Select, and_, exists, func, or_, select, true, union, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import contains_eager, selectinload

from vocportal.accounts.models import EmailPref, Role, User
from vocportal.extensions import db
from vocportal.feedback.models import FeedbackItem
from vocportal.ideas import operations as ideas  # the visibility rule (imported both ways)
from vocportal.ideas.models import Comment, Follow, Idea, Vote
from vocportal.mail import (
    MessageBuildError,
    absolute_links,
    build_message,
    email_markdown,
    render_email,
    smtp_connection,
)
from vocportal.notifications.models import (
    Channel,
    DeliveryState,
    EventKind,
    Notification,
    NotificationEvent,
)
from vocportal.queue.models import ACTIVE_STATES, JobRecord
from vocportal.queue.operations import defer
from vocportal.text import one_line
from vocportal.timeutil import utcnow

log = logging.getLogger("vocportal.notifications")

#: Emails a send job claims at a time.
SEND_BATCH = 50
#: One send job per this many emails, up to MAX_SEND_JOBS, so several workers share them.
EMAILS_PER_SEND_JOB = 500
MAX_SEND_JOBS = 8
#: Attempts (claims) per email before it is marked failed: SMTP refusals, and claims a
#: worker never finished (the sweeper gives up on those too, so nothing is re-driven forever).
MAX_EMAIL_ATTEMPTS = 5


# --- recording -----------------------------------------------------------------------------


def record_event(
    kind: EventKind,
    *,
    title: str,
    text: str,
    link: str,
    actor: User | None = None,
    idea_id: int | None = None,
    status_change_id: int | None = None,
    comment_id: int | None = None,
    theme_id: int | None = None,
) -> NotificationEvent:
    """Write the outbox row for something people must hear about and defer its fan-out."""
    event = NotificationEvent(
        kind=kind,
        title=one_line(title)[:300],
        text=text,
        link=link[:300],
        actor_id=actor.id if actor is not None else None,
        idea_id=idea_id,
        status_change_id=status_change_id,
        comment_id=comment_id,
        theme_id=theme_id,
    )
    db.session.add(event)
    db.session.flush()
    defer_fan_out(event.id)
    return event


def defer_fan_out(event_id: int) -> JobRecord:
    return defer(
        "notify: fan out",
        "jobs.notify.fan_out",
        event_id,
        queue="notifications",
        dedupe_key=f"notify:fanout:{event_id}",
        timeout=900,
        attempts=5,
    )


# --- recipients ----------------------------------------------------------------------------


def _muted(idea_id: int) -> Select:
    return select(Follow.user_id).where(Follow.idea_id == idea_id, Follow.muted.is_(True))


def recipient_ids(event: NotificationEvent) -> Select:
    """The users `event` goes to, as a SELECT of ids (not yet minus actor/blocked).

    - status update: the idea's author, voters, commenters, followers and the authors of
      feedback linked to it;
    - staff comment: the idea's author and followers;
    - theme alert: every staff member and admin;
    in every case minus people who opted out of that idea (a muted follow).
    """
    if event.kind is EventKind.theme_alert:
        return select(User.id).where(User.role.in_([Role.staff, Role.admin]))
    idea_id = event.idea_id
    parts = [
        select(Idea.author_id.label("user_id")).where(Idea.id == idea_id),
        select(Follow.user_id).where(Follow.idea_id == idea_id, Follow.muted.is_(False)),
    ]
    if event.kind is EventKind.status_update:
        parts += [
            select(Vote.user_id).where(Vote.idea_id == idea_id),
            select(Comment.author_id).where(Comment.idea_id == idea_id),
            # Customers whose feedback staff linked to the idea, with or without an account.
            select(FeedbackItem.author_id).where(FeedbackItem.idea_id == idea_id),
        ]
    people = union(*parts).subquery()
    return select(people.c.user_id).where(people.c.user_id.not_in(_muted(idea_id)))


def recipients(event: NotificationEvent) -> Select:
    """Users who get `event`: `recipient_ids` minus its actor and blocked people."""
    ids = recipient_ids(event).subquery()
    stmt = select(User).join(ids, ids.c[0] == User.id).where(User.blocked.is_(False))
    if event.actor_id is not None:
        stmt = stmt.where(User.id != event.actor_id)
    return stmt


def _insert_ignore(model):
    dialect = db.engine.dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(model).on_conflict_do_nothing()


def fan_out(event_id: int, progress=None) -> int:
    """Give every recipient of `event_id` its rows (idempotent); return how many people.

    Commits after each chunk, so a run that dies part-way keeps what it did and the re-run
    skips it; then defers the send jobs and marks the event fanned out.
    """
    progress = progress or (lambda *_: None)
    event = db.session.get(NotificationEvent, event_id)
    if event is None:
        raise LookupError(f"notification event {event_id} does not exist")
    total = db.session.scalar(select(func.count()).select_from(recipients(event).subquery()))
    done, last_id = 0, 0
    while True:
        users = list(
            db.session.execute(
                recipients(event)
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
        db.session.execute(_insert_ignore(Notification).execution_options(render_nulls=True), rows)
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


def _pending_email(event_id: int):
    return and_(
        Notification.event_id == event_id,
        Notification.channel == Channel.email,
        Notification.state == DeliveryState.pending,
    )


def defer_sends(event_id: int) -> int:
    """Defer enough send jobs for the event's pending emails; return how many."""
    pending = db.session.scalar(
        select(func.count()).select_from(Notification).where(_pending_email(event_id))
    )
    if not pending:
        return 0
    shards = min(MAX_SEND_JOBS, -(-pending // EMAILS_PER_SEND_JOB))
    for shard in range(shards):
        defer(
            "notify: send emails",
            "jobs.notify.send_emails",
            event_id,
            shard,
            shards,
            queue="notifications",
            dedupe_key=f"notify:send:{event_id}:{shard}/{shards}",
            timeout=1800,
            attempts=MAX_EMAIL_ATTEMPTS,
        )
    return shards


# --- who may still read it ----------------------------------------------------------------

# An event is recorded while its idea (and a staff comment) is public, but staff may hide
# either, or the author withdraw the idea, before the person reads or is emailed about it.
# Whatever names it then reaches only people who may still see it (the one rule in
# `ideas.can_see` / `can_see_comment`): the bell filters when it reads, and a send job
# skips the email (with the reason) instead of sending it.

#: The `error` of an email row skipped because its idea or comment is no longer visible.
CONCEALED = "not sent: the idea or comment it is about is no longer visible to this person"


def readable_by(user: User) -> ColumnElement[bool]:
    """The events `user` may still read, as a WHERE clause over NotificationEvent."""
    if user.is_staff:
        return true()
    idea_ok = or_(
        NotificationEvent.idea_id.is_(None),
        exists().where(Idea.id == NotificationEvent.idea_id, ideas.visible_to(user)),
    )
    comment_ok = or_(  # `can_see_comment`: a hidden comment only for its author (or staff)
        NotificationEvent.comment_id.is_(None),
        exists().where(
            Comment.id == NotificationEvent.comment_id,
            or_(Comment.hidden_at.is_(None), Comment.author_id == user.id),
        ),
    )
    return and_(idea_ok, comment_ok)


def can_read(user: User, event: NotificationEvent) -> bool:
    """`readable_by` for one loaded event (at send time)."""
    if event.comment_id is not None:
        comment = db.session.get(Comment, event.comment_id)
        return comment is not None and ideas.can_see_comment(user, comment)
    if event.idea_id is not None:
        idea = db.session.get(Idea, event.idea_id)
        return idea is not None and ideas.can_see(user, idea)
    return True


# --- sending -------------------------------------------------------------------------------


def _claim(where, limit: int) -> list[int]:
    """Claim up to `limit` rows matching `where` (pending -> sending), commit; return ids."""
    ids = list(
        db.session.scalars(
            select(Notification.id).where(where).order_by(Notification.id).limit(limit)
        )
    )
    if not ids:
        return []
    claimed = list(
        db.session.scalars(
            update(Notification)
            .where(
                Notification.id.in_(ids),
                Notification.state.in_([DeliveryState.pending, DeliveryState.digest]),
            )
            .values(
                state=DeliveryState.sending,
                claimed_at=utcnow(),
                attempts=Notification.attempts + 1,
            )
            .returning(Notification.id)
        )
    )
    db.session.commit()
    return claimed


def _mark(ids: list[int], state: DeliveryState, error: str = "") -> None:
    """Record the outcome of claimed rows, in its own commit (a table-level UPDATE: this
    runs once per email, so it skips the ORM's bulk-update bookkeeping)."""
    table = Notification.__table__
    db.session.execute(
        table.update()
        .where(table.c.id.in_(ids), table.c.state == DeliveryState.sending.value)
        .values(
            state=state.value,
            sent_at=utcnow() if state is DeliveryState.sent else None,
            error=error[:2000],
        )
    )
    db.session.commit()


def send_emails(event_id: int, shard: int = 0, shards: int = 1, progress=None) -> int:
    """Send the event's pending emails of this shard of people; return how many sent.

    A message that cannot be built is marked failed with the reason at once (no retry can
    help) and the others go on. Raises at the end if any failed to send, so RQ retries the
    job (those rows are pending again until their attempts run out)."""
    progress = progress or (lambda *_: None)
    event = db.session.get(NotificationEvent, event_id)
    if event is None:
        raise LookupError(f"notification event {event_id} does not exist")
    where = _pending_email(event_id)
    if shards > 1:  # by person: row ids alternate web/email, so id parity would leave gaps
        where = and_(where, Notification.user_id % shards == shard)
    sent = given_up = 0
    failed: list[int] = []  # not claimed again in this run; the job's retry takes them
    last_error = ""
    with smtp_connection() as smtp:
        while ids := _claim(and_(where, Notification.id.not_in(failed)), SEND_BATCH):
            # Every message is built before the first commit below expires the rows.
            batch, unbuildable = [], []
            concealed = []
            for n in _load(ids):
                if not _opted_out(n) and not can_read(n.user, n.event):
                    concealed.append(n.id)
                    continue
                try:
                    batch.append((n.id, n.attempts, _event_email(n)))
                except MessageBuildError as error:
                    unbuildable.append((n.id, str(error)))
            if concealed:
                _mark(concealed, DeliveryState.skipped, CONCEALED)
            for notification_id, reason in unbuildable:
                _give_up(notification_id, f"message cannot be built: {reason}")
                given_up += 1
            for notification_id, attempts, message in batch:
                ok, error = _deliver(smtp, notification_id, attempts, message)
                if ok is None:
                    given_up += 1
                elif ok:
                    sent += 1
                else:
                    failed.append(notification_id)
                    last_error = error
            progress(0.0, f"{sent} sent, {len(failed)} failed, {given_up} cannot be sent")
    if failed:
        raise RuntimeError(f"{len(failed)} emails failed, last error: {last_error}")
    return sent


def _load(ids: list[int]) -> list[Notification]:
    """The claimed rows with their people and events, and who of them muted the idea since."""
    found = list(
        db.session.scalars(
            select(Notification)
            .where(Notification.id.in_(ids))
            .options(selectinload(Notification.user))
            .order_by(Notification.id)
            .execution_options(populate_existing=True)
        )
    )
    pairs = {(n.event.idea_id, n.user_id) for n in found if n.event.idea_id is not None}
    muted = set()
    for idea_id in {idea for idea, _ in pairs}:
        users = [u for i, u in pairs if i == idea_id]
        muted |= {
            (idea_id, u)
            for u in db.session.scalars(_muted(idea_id).where(Follow.user_id.in_(users)))
        }
    for n in found:
        n.muted_since = (n.event.idea_id, n.user_id) in muted
    return found


def _give_up(notification_id: int, reason: str) -> None:
    """Mark a claimed row failed for good: nothing about it changes on a retry."""
    _mark([notification_id], DeliveryState.failed, reason)
    log.error("email for notification %s cannot be sent: %s", notification_id, reason)


def _deliver(smtp, notification_id: int, attempts: int, message) -> tuple[bool | None, str]:
    """Send one claimed row's message (None: its person opted out since; skip it).

    Returns (True, "") when sent or skipped, (False, error) when it may go on a retry, and
    (None, error) when it never can (the message cannot be written out)."""
    if message is None:
        _mark([notification_id], DeliveryState.skipped)
        return True, ""
    try:
        smtp.send(message)
    except (ValueError, MessageError) as error:  # writing the message out, not the server
        text = f"message cannot be sent: {type(error).__name__}: {error}"
        _give_up(notification_id, text)
        return None, text
    except (OSError, smtplib.SMTPException) as error:
        text = f"{type(error).__name__}: {error}"
        state = DeliveryState.failed if attempts >= MAX_EMAIL_ATTEMPTS else DeliveryState.pending
        _mark([notification_id], state, text)
        log.warning("email for notification %s failed: %s", notification_id, text)
        return False, text
    _mark([notification_id], DeliveryState.sent)
    return True, ""


def _message_id(notification_ids: list[int]) -> str:
    host = urlsplit(current_app.config["BASE_URL"]).hostname or "vocportal.localhost"
    return f"<notification-{'-'.join(map(str, notification_ids))}@{host}>"


def _base_url() -> str:
    return current_app.config["BASE_URL"].rstrip("/")


def _opted_out(notification: Notification) -> bool:
    """Whether its person opted out since it was queued (muted the idea, chose no email, or
    was blocked)."""
    user = notification.user
    return notification.muted_since or user.blocked or user.email_pref is EmailPref.never


#: The button of an event's email, by what happened.
_BUTTON = {
    EventKind.status_update: "See the update",
    EventKind.comment: "See the comment",
    EventKind.theme_alert: "See the theme",
}


def _footer_links(user: User, idea_id: int | None) -> dict:
    return {
        "activity_url": _activity_url(user),
        "unsubscribe_url": unsubscribe_url(user.id, idea_id),
        "preferences_url": f"{_base_url()}/notifications/settings",
    }


def _event_email(notification: Notification):
    """The email for one notification, or None if its person opted out since it was queued."""
    event, user = notification.event, notification.user
    if _opted_out(notification):
        return None
    portal = current_app.config["PORTAL_NAME"]
    subject = f"[{portal}] {event.title}"
    links = _footer_links(user, event.idea_id)
    text, html = render_email(
        "event",
        subject=subject,
        preview=event.title,
        name=user.display_name,
        title=event.title,
        text=absolute_links(event.text),
        text_html=email_markdown(event.text) if event.text else None,
        url=f"{_base_url()}{event.link}",
        button_label=_BUTTON.get(event.kind, "See it"),
        unsubscribe_label=(
            "Unsubscribe from this idea with one click"
            if event.idea_id
            else "Stop all notification emails with one click"
        ),
        reason=(
            "You get this because you asked for this idea (posted, voted, commented or sent "
            "us feedback about it) or follow it."
            if event.idea_id
            else f"You get this as a member of the {portal} team."
        ),
        **links,
    )
    return build_message(
        user.email,
        subject,
        text,
        headers=_list_headers(links["unsubscribe_url"], notification_ids=[notification.id]),
        html=html,
    )


def _list_headers(unsubscribe: str, notification_ids: list[int]) -> dict:
    return {
        "Message-ID": _message_id(notification_ids),
        "List-Unsubscribe": f"<{unsubscribe}/one-click>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "Auto-Submitted": "auto-generated",
    }


def send_digests(progress=None) -> int:
    """Send each person waiting for a digest one email with all their waiting updates."""
    progress = progress or (lambda *_: None)
    user_ids = list(
        db.session.scalars(
            select(Notification.user_id)
            .where(
                Notification.channel == Channel.email, Notification.state == DeliveryState.digest
            )
            .distinct()
        )
    )
    sent = 0
    with smtp_connection() as smtp:
        for index, user_id in enumerate(user_ids):
            ids = _claim(
                and_(
                    Notification.user_id == user_id,
                    Notification.channel == Channel.email,
                    Notification.state == DeliveryState.digest,
                ),
                500,
            )
            if not ids:
                continue
            rows = _load(ids)
            user = rows[0].user
            keep = [n for n in rows if not _opted_out(n)]
            skip = [n.id for n in rows if n not in keep]
            if skip:
                _mark(skip, DeliveryState.skipped)
            concealed = [n.id for n in keep if not can_read(user, n.event)]
            if concealed:  # the digest leaves out what its reader may no longer see
                _mark(concealed, DeliveryState.skipped, CONCEALED)
                keep = [n for n in keep if n.id not in concealed]
            if not keep or user.blocked or user.email_pref is EmailPref.never:
                _mark([n.id for n in keep], DeliveryState.skipped)
                continue
            try:
                message = _digest_email(user, keep)
            except MessageBuildError as error:
                for n in keep:
                    _give_up(n.id, f"digest cannot be built: {error}")
                continue
            try:
                smtp.send(message)
            except (ValueError, MessageError) as error:
                for n in keep:
                    _give_up(n.id, f"digest cannot be sent: {type(error).__name__}: {error}")
                continue
            except (OSError, smtplib.SMTPException) as error:
                text = f"{type(error).__name__}: {error}"
                spent = [n.id for n in keep if n.attempts >= MAX_EMAIL_ATTEMPTS]
                _mark([n.id for n in keep if n.id not in spent], DeliveryState.digest, text)
                if spent:
                    _mark(spent, DeliveryState.failed, text)
                raise
            _mark([n.id for n in keep], DeliveryState.sent)
            sent += 1
            progress((index + 1) / len(user_ids), f"{sent} digests sent")
    return sent


def _activity_url(user: User) -> str | None:
    """My activity, for people with an account (a contact has none to log in to)."""
    return f"{_base_url()}/me/activity" if user.password_hash else None


def _digest_email(user: User, rows: list[Notification]):
    portal = current_app.config["PORTAL_NAME"]
    count = len(rows)
    subject = f"[{portal}] Your daily digest: {count} update{'s' if count != 1 else ''}"
    links = _footer_links(user, None)
    items = [
        {
            "title": n.event.title,
            "url": f"{_base_url()}{n.event.link}",
            "text": absolute_links(n.event.text),
            "text_html": email_markdown(n.event.text) if n.event.text else None,
        }
        for n in rows
    ]
    text, html = render_email(
        "digest",
        subject=subject,
        preview=f"{count} update{'s' if count != 1 else ''} on {portal}",
        name=user.display_name,
        items=items,
        **links,
    )
    return build_message(
        user.email,
        subject,
        text,
        headers=_list_headers(links["unsubscribe_url"], notification_ids=[n.id for n in rows]),
        html=html,
    )


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


# --- the bell ------------------------------------------------------------------------------


def _inbox(user: User):
    """The person's bell rows whose events they may still read (see `readable_by`)."""
    return (
        select(Notification)
        .join(Notification.event)
        .where(
            Notification.user_id == user.id,
            Notification.channel == Channel.web,
            readable_by(user),
        )
    )


def unread_count(user: User) -> int:
    return (
        db.session.scalar(
            _inbox(user).where(Notification.read_at.is_(None)).with_only_columns(func.count())
        )
        or 0
    )


def inbox(user: User, page: int = 1, per_page: int = 30) -> tuple[list[Notification], bool]:
    """A page of the person's in-app notifications, newest first, and whether more follow."""
    rows = list(
        db.session.scalars(
            _inbox(user)
            .options(contains_eager(Notification.event))
            .order_by(Notification.id.desc())
            .offset((page - 1) * per_page)
            .limit(per_page + 1)
        )
    )
    return rows[:per_page], len(rows) > per_page


def mark_read(user: User, notification_id: int | None = None) -> NotificationEvent | None:
    """Mark one notification (or, with None, all) read; return the one's event."""
    stmt = update(Notification).where(
        Notification.user_id == user.id,
        Notification.channel == Channel.web,
        Notification.read_at.is_(None),
    )
    row = None
    if notification_id is not None:
        row = db.session.scalar(_inbox(user).where(Notification.id == notification_id))
        if row is None:  # someone else's, or about what the person may no longer see
            return None
        stmt = stmt.where(Notification.id == notification_id)
    db.session.execute(stmt.values(read_at=utcnow()).execution_options(synchronize_session=False))
    return row.event if row is not None else None


def set_email_pref(user: User, pref: EmailPref) -> None:
    user.email_pref = pref
    if pref is EmailPref.never:  # nothing waits for an email that will never go
        db.session.execute(
            update(Notification)
            .where(
                Notification.user_id == user.id,
                Notification.channel == Channel.email,
                Notification.state.in_([DeliveryState.pending, DeliveryState.digest]),
            )
            .values(state=DeliveryState.skipped)
        )
    elif pref is EmailPref.immediate:  # a waiting digest goes out with the next send
        db.session.execute(
            update(Notification)
            .where(
                Notification.user_id == user.id,
                Notification.channel == Channel.email,
                Notification.state == DeliveryState.digest,
            )
            .values(state=DeliveryState.pending)
        )
    db.session.flush()


# --- unsubscribe ---------------------------------------------------------------------------


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="vocportal-unsubscribe")


def unsubscribe_token(user_id: int, idea_id: int | None) -> str:
    """A signed token that unsubscribes one person from one idea (None: from all email)."""
    return _serializer().dumps([user_id, idea_id])


def unsubscribe_url(user_id: int, idea_id: int | None) -> str:
    return f"{_base_url()}/unsubscribe/{unsubscribe_token(user_id, idea_id)}"


def read_unsubscribe_token(token: str) -> tuple[User, Idea | None] | None:
    """The person and idea a token names, or None if it is forged or names nothing."""
    try:
        user_id, idea_id = _serializer().loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None:
        return None
    idea = db.session.get(Idea, idea_id) if isinstance(idea_id, int) else None
    if idea_id is not None and idea is None:
        return None
    return user, idea


def unsubscribe(user: User, idea: Idea | None) -> None:
    """Stop notifications about `idea` for `user` (with None: stop all email)."""
    if idea is None:
        set_email_pref(user, EmailPref.never)
        return
    mute(user, idea, True)


def mute(user: User, idea: Idea, muted: bool) -> None:
    """Opt a person out of (or back into) everything about one idea."""
    dialect = db.engine.dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(Follow).values(idea_id=idea.id, user_id=user.id, created_at=utcnow(), muted=muted)
    db.session.execute(
        stmt.on_conflict_do_update(index_elements=["idea_id", "user_id"], set_={"muted": muted})
    )
    if muted:  # emails about it that have not gone yet will not go
        db.session.execute(
            update(Notification)
            .where(
                Notification.user_id == user.id,
                Notification.channel == Channel.email,
                Notification.state.in_([DeliveryState.pending, DeliveryState.digest]),
                Notification.event_id.in_(
                    select(NotificationEvent.id).where(NotificationEvent.idea_id == idea.id)
                ),
            )
            .values(state=DeliveryState.skipped)
            .execution_options(synchronize_session=False)
        )
    db.session.flush()


__all__ = [
    "fan_out",
    "inbox",
    "mark_read",
    "record_event",
    "recipients",
    "send_digests",
    "send_emails",
    "sweep",
    "unread_count",
    "unsubscribe",
]
