"""What staff did with the demo's ideas, made through the real operations and back-dated.

`plan` decides, before any vote exists, which ideas staff looked at, answered, gave an owner
or a status, and which shipped in which changelog entry, and when. `publish` then runs
triage, status updates, staff comments and changelog entries in time order through the
operations the portal uses, moves each row's timestamps back to when it happened, and fans
the notification outbox out with the real fan-out, so the inbox, the metrics, the changelog
and every supporter's bell tell the same story. Emails of that past count as delivered back
then, so starting the demo sends none.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select, update

from vocportal.accounts.models import User
from vocportal.changelog import operations as changelog
from vocportal.demo import content
from vocportal.extensions import db
from vocportal.ideas import commenting
from vocportal.ideas import operations as ideas_ops
from vocportal.ideas.models import Comment, Idea, IdeaStatus, StatusChange
from vocportal.notifications import delivery
from vocportal.notifications.models import Channel, DeliveryState, Notification, NotificationEvent
from vocportal.queue.models import JobRecord, JobState
from vocportal.queue.operations import withhold_deferred
from vocportal.timeutil import utcnow
from vocportal.triage import operations as triage

# How the demo's ideas spread over statuses (the rest stay open), among the most voted half.
STATUS_SHARE = [
    (IdeaStatus.under_review, 0.12),
    (IdeaStatus.planned, 0.10),
    (IdeaStatus.in_progress, 0.06),
    (IdeaStatus.declined, 0.04),
]
#: About this share of the ideas shipped, spread over the changelog entries.
SHIPPED_SHARE = 0.08
STATUS_PATH = {
    IdeaStatus.under_review: [IdeaStatus.under_review],
    IdeaStatus.planned: [IdeaStatus.under_review, IdeaStatus.planned],
    IdeaStatus.in_progress: [IdeaStatus.planned, IdeaStatus.in_progress],
    IdeaStatus.shipped: [IdeaStatus.planned, IdeaStatus.in_progress, IdeaStatus.shipped],
    IdeaStatus.declined: [IdeaStatus.under_review, IdeaStatus.declined],
}
#: A shipped idea was posted at least this long before the release that shipped it.
RELEASE_LEAD = timedelta(days=21)
#: Share of open ideas older than a week that staff already acted on (the rest: the inbox).
TRIAGED_SHARE = 0.8
#: Share of declined ideas (the least voted) closed without telling their supporters: the
#: metrics show the gap.
QUIET_DECLINES = 0.25
#: Public address of the changelog page, which status updates link to.
CHANGELOG_URL = "/changelog"
#: Bell notifications older than this were read by now.
READ_AFTER = timedelta(days=14)


@dataclass
class Step:
    """One thing a staff member did at `at`: kind is status, comment, review, owner or note."""

    at: datetime
    kind: str
    idea_id: int
    actor: User
    status: IdeaStatus | None = None
    text: str = ""
    official: bool = False
    notify: bool = True


@dataclass
class Release:
    """A changelog entry: the board's entry text, when it was published, what it shipped."""

    board: str
    at: datetime
    idea_ids: list[int]


@dataclass
class Plan:
    steps: list[Step] = field(default_factory=list)
    releases: list[Release] = field(default_factory=list)
    #: When an idea closed (shipped or declined): nobody votes or comments after that.
    closed_at: dict[int, datetime] = field(default_factory=dict)
    #: Final status of every idea that gets one.
    status: dict[int, IdeaStatus] = field(default_factory=dict)
    #: Ideas declined without a notification.
    quiet: set[int] = field(default_factory=set)


def _first_response(rng: random.Random) -> timedelta:
    """How long staff took to first act: a median of about a day, a long tail."""
    return timedelta(hours=min(24 * 21, max(0.4, rng.lognormvariate(math.log(20), 1.1))))


def _within(created: datetime, delay: timedelta, end: datetime, share: float) -> datetime:
    """`created + delay`, but no later than `share` of the way to `end`."""
    return created + min(delay, (end - created) * share)


def plan(
    rng: random.Random, ideas: list[Idea], votes: dict[int, int], staff: list[User], now
) -> Plan:
    """Decide the staff history of the demo (nothing is written yet)."""
    result = Plan()
    # One changelog entry per board, oldest first in the order of the data file, a few
    # weeks apart over the last five months.
    boards = list(content.CHANGELOG)
    release_at = {
        slug: now - timedelta(days=125 - n * 119 / (len(boards) - 1) + rng.uniform(-3, 3))
        for n, slug in enumerate(boards)
    }
    by_votes = sorted(ideas, key=lambda i: votes[i.id], reverse=True)
    remaining = by_votes[: len(ideas) // 2]
    rng.shuffle(remaining)
    # Shipped first, a few per release: only ideas posted well before their board's release
    # can be in it.
    per_release = -(-int(SHIPPED_SHARE * len(ideas)) // len(boards))
    in_release = dict.fromkeys(boards, 0)
    for idea in list(remaining):
        release = release_at[idea.board.slug]
        if idea.created_at < release - RELEASE_LEAD and in_release[idea.board.slug] < per_release:
            result.status[idea.id] = IdeaStatus.shipped
            in_release[idea.board.slug] += 1
            remaining.remove(idea)
    for status, share in STATUS_SHARE:
        for idea in remaining[: int(share * len(ideas))]:
            result.status[idea.id] = status
        del remaining[: int(share * len(ideas))]
    declined = [i for i in by_votes if result.status.get(i.id) is IdeaStatus.declined]
    result.quiet = {i.id for i in declined[len(declined) - int(QUIET_DECLINES * len(declined)) :]}
    for slug in boards:
        shipped = [
            i.id
            for i in ideas
            if i.board.slug == slug and result.status.get(i.id) is IdeaStatus.shipped
        ]
        if shipped:
            result.releases.append(Release(slug, release_at[slug], shipped))
    shipped_at = {i: r.at for r in result.releases for i in r.idea_ids}

    notes = list(content.STAFF_NOTES)
    for idea in ideas:
        status = result.status.get(idea.id)
        if status is None:
            _plan_open(rng, result, idea, staff, now)
        else:
            _plan_status(rng, result, idea, status, staff, shipped_at.get(idea.id), notes, now)
    result.steps.sort(key=lambda s: (s.at, s.idea_id))
    return result


def _plan_open(rng, result: Plan, idea: Idea, staff, now) -> None:
    """An open idea: most older ones were looked at, answered or given an owner."""
    age = now - idea.created_at
    if rng.random() > (TRIAGED_SHARE if age > timedelta(days=7) else 0.25):
        return
    at = _within(idea.created_at, _first_response(rng), now, rng.uniform(0.3, 0.9))
    kind = rng.choices(["review", "comment", "owner"], weights=[0.45, 0.35, 0.2])[0]
    step = Step(at, kind, idea.id, rng.choice(staff))
    if kind == "comment":
        step.text = rng.choice(content.STAFF_REPLIES["question"])
    result.steps.append(step)


def _plan_status(rng, result: Plan, idea: Idea, status, staff, shipped_at, notes, now) -> None:
    """An idea staff took up: maybe a question first, an owner, the status path, a reply."""
    end = shipped_at or now
    owner = rng.choice(staff)
    at = _within(idea.created_at, _first_response(rng), end, 0.3)
    if rng.random() < 0.25:
        question = rng.choice(content.STAFF_REPLIES["question"])
        result.steps.append(Step(at, "comment", idea.id, owner, text=question))
        at = at + (end - at) * rng.uniform(0.05, 0.2)
    path = STATUS_PATH[status]
    for n, step in enumerate(path):
        if n and step is IdeaStatus.shipped:
            break  # the release publishes it
        if n:
            at = at + (end - at) * rng.uniform(0.1, 0.4)
        message = rng.choice(content.STATUS_MESSAGES[step.value])
        quiet = step is IdeaStatus.declined and idea.id in result.quiet
        result.steps.append(
            Step(at, "status", idea.id, owner, status=step, text=message, notify=not quiet)
        )
        if step is IdeaStatus.planned or (step is IdeaStatus.under_review and rng.random() < 0.5):
            result.steps.append(Step(at, "owner", idea.id, owner))
        if step is IdeaStatus.planned and notes and rng.random() < 0.4:
            note_at = at + (end - at) * rng.uniform(0.05, 0.3)
            result.steps.append(Step(note_at, "note", idea.id, owner, text=notes.pop()))
    if status in (IdeaStatus.shipped, IdeaStatus.declined):
        result.closed_at[idea.id] = end if shipped_at else at
        at = result.closed_at[idea.id]
    if rng.random() < 0.6 and idea.id not in result.quiet:
        reply_at = at + min(timedelta(hours=rng.uniform(1, 30)), (now - at) / 2)
        reply = rng.choice(content.STAFF_REPLIES[status.value])
        result.steps.append(Step(reply_at, "comment", idea.id, owner, text=reply, official=True))


# --- publishing ----------------------------------------------------------------------------


def publish(result: Plan, ideas_by_id: dict[int, Idea], publisher: User) -> dict[str, int]:
    """Run the plan through the portal's operations, back-dated; commit; return counts.

    Only the outbox rows this run writes are touched (`seed-demo --force` adds a demo to a
    portal that may have its own)."""
    after = db.session.scalar(select(func.max(NotificationEvent.id))) or 0
    actions = [(s.at, 0, s) for s in result.steps] + [(r.at, 1, r) for r in result.releases]
    for _, _, action in sorted(actions, key=lambda a: (a[0], a[1])):
        if isinstance(action, Release):
            _release(action, ideas_by_id, publisher)
        else:
            _act(action, ideas_by_id[action.idea_id])
    _backdate_events(after)
    fan_out_jobs = withhold_deferred()
    db.session.commit()
    # The outbox, fanned out as the worker would have done it back then, in time order.
    events = list(
        db.session.scalars(
            select(NotificationEvent.id)
            .where(NotificationEvent.id > after)
            .order_by(NotificationEvent.id)
        )
    )
    send_jobs = []
    for event_id in events:
        delivery.fan_out(event_id)
        send_jobs += withhold_deferred()
    _backdate_deliveries(after, fan_out_jobs + send_jobs)
    db.session.commit()
    return {"changelog entries": len(result.releases), "notification events": len(events)}


def _backdate_triage(idea: Idea, at: datetime) -> None:
    # The operation stamped "now"; what it did happened at `at` (steps run in time order).
    if idea.triaged_at is not None and idea.triaged_at > at:
        idea.triaged_at = at
    if idea.first_response_at is not None and idea.first_response_at > at:
        idea.first_response_at = at


def _act(step: Step, idea: Idea) -> None:
    actor = step.actor
    if step.kind == "status":
        change = ideas_ops.change_status(actor, idea, step.status, step.text, notify=step.notify)
        change.created_at = idea.updated_at = step.at
    elif step.kind == "comment":
        comment = commenting.add_comment(actor, idea, step.text, official=step.official)
        comment.created_at = step.at
    elif step.kind == "review":
        triage.mark_reviewed(actor, idea)
    elif step.kind == "owner":
        triage.assign_owner(actor, idea, actor)
    elif step.kind == "note":
        triage.add_note(actor, idea, step.text).created_at = step.at
    _backdate_triage(idea, step.at)


def _release(release: Release, ideas_by_id: dict[int, Idea], publisher: User) -> None:
    text = content.CHANGELOG[release.board]
    entry = changelog.publish_entry(
        publisher, text["title"], text["body"], release.idea_ids, CHANGELOG_URL
    )
    entry.published_at = release.at
    changes = db.session.scalars(
        select(StatusChange).where(
            StatusChange.idea_id.in_(release.idea_ids),
            StatusChange.new_status == IdeaStatus.shipped,
        )
    )
    for change in changes:
        change.created_at = release.at
    for idea_id in release.idea_ids:
        ideas_by_id[idea_id].updated_at = release.at
        _backdate_triage(ideas_by_id[idea_id], release.at)
    db.session.flush()


def _backdate_events(after: int) -> None:
    """Each outbox row was written when its status update or comment was."""
    events = NotificationEvent.__table__
    for source, column in ((StatusChange, "status_change_id"), (Comment, "comment_id")):
        when = select(source.created_at).where(source.id == events.c[column]).scalar_subquery()
        db.session.execute(
            update(events)
            .where(events.c.id > after, events.c[column].is_not(None))
            .values(created_at=when)
        )


def _backdate_deliveries(after: int, job_ids: list[int]) -> None:
    """Deliveries happened when their event did: bell rows shown (and the older ones read),
    emails sent; the fan-out and send jobs ran then too."""
    events = NotificationEvent.__table__
    rows = Notification.__table__
    ours = rows.c.event_id > after
    when = select(events.c.created_at).where(events.c.id == rows.c.event_id).scalar_subquery()
    db.session.execute(update(rows).where(ours).values(created_at=when, sent_at=when))
    db.session.execute(
        update(rows)
        .where(ours, rows.c.channel == Channel.email.value)
        .values(state=DeliveryState.sent.value, attempts=1)
    )
    db.session.execute(
        update(rows)
        .where(ours, rows.c.channel == Channel.web.value)
        .where(rows.c.created_at < utcnow() - READ_AFTER)
        .values(read_at=rows.c.created_at)
    )
    db.session.execute(
        update(events).where(events.c.id > after).values(fanned_out_at=events.c.created_at)
    )
    created = dict(
        db.session.execute(
            select(events.c.id, events.c.created_at).where(events.c.id > after)
        ).all()
    )
    for record in db.session.scalars(select(JobRecord).where(JobRecord.id.in_(job_ids))):
        at = created[record.args[0]]
        record.state, record.progress, record.progress_message = JobState.finished, 1.0, "done"
        record.attempts = 1
        record.created_at = record.enqueued_at = record.started_at = record.finished_at = at
