"""The worker side, sending: email jobs for one event's people, and the daily digest.

A send job claims rows with a conditional UPDATE (pending -> sending), sends each over one
SMTP connection and marks them sent MARK_SENT_EVERY at a time, in one commit. A message
that cannot be built (an address no To header can carry) is marked failed with the reason,
and the job goes on with the rest. Like `delivery`, this module commits (claims and
outcomes); it runs only in jobs (`jobs/notify.py`), never in a request.

The only window for a repeat is a worker dying after the SMTP server's "250 OK" for an
email and before the commit that marks it sent: at most MARK_SENT_EVERY emails per send
job running at that moment (their claims go stale and the sweeper re-drives them). A
repeat carries the same Message-ID (see `emails`), which mail systems use to drop
duplicates.
"""

from __future__ import annotations

import logging
import smtplib
from email.errors import MessageError

from sqlalchemy import and_, func, select, update
from sqlalchemy.orm import selectinload

from vocportal import audience
from vocportal.accounts.models import EmailPref
from vocportal.extensions import db
from vocportal.ideas.models import Comment, Follow, Idea
from vocportal.mail import MessageBuildError, smtp_connection
from vocportal.notifications.emails import EventEmails, digest_email
from vocportal.notifications.models import Channel, DeliveryState, Notification, NotificationEvent
from vocportal.notifications.visibility import CONCEALED, can_read
from vocportal.queue import jobnames
from vocportal.queue.operations import defer
from vocportal.timeutil import utcnow

log = logging.getLogger("vocportal.notifications")

#: Emails a send job claims at a time.
SEND_BATCH = 50
#: Emails marked sent per commit. Each commit is a database round trip per email otherwise;
#: the price is the repeat window: a worker killed mid-batch re-sends up to this many.
MARK_SENT_EVERY = 10
#: One send job per this many emails, up to MAX_SEND_JOBS, so several workers share them.
EMAILS_PER_SEND_JOB = 500
MAX_SEND_JOBS = 8
#: Attempts (claims) per email before it is marked failed: SMTP refusals, and claims a
#: worker never finished (the sweeper gives up on those too, so nothing is re-driven forever).
MAX_EMAIL_ATTEMPTS = 5


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
            jobnames.NOTIFY_SEND_EMAILS,
            event_id,
            shard,
            shards,
            queue="notifications",
            dedupe_key=f"notify:send:{event_id}:{shard}/{shards}",
            timeout=1800,
            attempts=MAX_EMAIL_ATTEMPTS,
        )
    return shards


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
    emails = EventEmails(event)
    with smtp_connection() as smtp:
        while ids := _claim(and_(where, Notification.id.not_in(failed)), SEND_BATCH):
            # Every message is built before the first commit below expires the rows.
            batch, unbuildable = [], []
            concealed = []
            subject = _subject_of(event)  # held until the batch is checked (see _subject_of)
            for n in _load(ids):
                opted_out = _opted_out(n)
                if not opted_out and not can_read(n.user, n.event):
                    concealed.append(n.id)
                    continue
                try:  # no message (None) for a person who opted out since it was queued
                    message = None if opted_out else emails.write(n.id, n.user)
                    batch.append((n.id, n.attempts, message))
                except MessageBuildError as error:
                    unbuildable.append((n.id, str(error)))
            del subject
            if concealed:
                _mark(concealed, DeliveryState.skipped, CONCEALED)
            for notification_id, reason in unbuildable:
                _give_up(notification_id, f"message cannot be built: {reason}")
                given_up += 1
            done: list[int] = []  # accepted by the server, not yet marked sent
            try:
                for notification_id, attempts, message in batch:
                    ok, error = _deliver(smtp, notification_id, attempts, message)
                    if ok is None:
                        given_up += 1
                    elif ok:
                        sent += 1
                        if message is not None:  # a skipped one is marked already
                            done.append(notification_id)
                        if len(done) >= MARK_SENT_EVERY:
                            _mark_sent(done)
                    else:
                        failed.append(notification_id)
                        last_error = error
            finally:
                _mark_sent(done)
            progress(0.0, f"{sent} sent, {len(failed)} failed, {given_up} cannot be sent")
    if failed:
        raise RuntimeError(f"{len(failed)} emails failed, last error: {last_error}")
    return sent


def _mark_sent(done: list[int]) -> None:
    """Mark the emails the server accepted sent, in one commit, and forget them."""
    if done:
        _mark(done, DeliveryState.sent)
        done.clear()


def _subject_of(event: NotificationEvent) -> object:
    """The event's comment or idea, loaded for `can_read`. Held by the caller while a batch
    is checked: the session keeps objects only while something refers to them, so `can_read`
    would otherwise load it again for every person."""
    if event.comment_id is not None:
        return db.session.get(Comment, event.comment_id)
    return db.session.get(Idea, event.idea_id) if event.idea_id is not None else None


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
    # One query for the batch: the audience's own list of opt-outs, for these people.
    opted_out = audience.muted({idea for idea, _ in pairs}).where(
        Follow.user_id.in_({user for _, user in pairs})
    )
    muted = {tuple(row) for row in db.session.execute(opted_out)} & pairs
    for n in found:
        n.muted_since = (n.event.idea_id, n.user_id) in muted
    return found


def _give_up(notification_id: int, reason: str) -> None:
    """Mark a claimed row failed for good: nothing about it changes on a retry."""
    _mark([notification_id], DeliveryState.failed, reason)
    log.error("email for notification %s cannot be sent: %s", notification_id, reason)


def _deliver(smtp, notification_id: int, attempts: int, message) -> tuple[bool | None, str]:
    """Send one claimed row's message, (recipient, bytes) from `EventEmails.write` (None:
    its person opted out since; mark it skipped).

    Returns (True, "") when sent or skipped (the caller marks sent ones), (False, error) when
    it may go on a retry, and (None, error) when it never can (the message cannot be
    written out)."""
    if message is None:
        _mark([notification_id], DeliveryState.skipped)
        return True, ""
    try:
        smtp.send_bytes(*message)
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
    return True, ""


def _opted_out(notification: Notification) -> bool:
    """Whether its person opted out since it was queued (muted the idea, chose no email, or
    was blocked)."""
    user = notification.user
    return notification.muted_since or user.blocked or user.email_pref is EmailPref.never


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
                message = digest_email(user, keep)
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
