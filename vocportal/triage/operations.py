"""Staff triage rules: the inbox, owners, internal notes, bulk status updates, metrics."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import Select, func, select

from vocportal import audience
from vocportal.accounts.models import EmailPref, Role, User
from vocportal.errors import OperationError, PermissionDenied
from vocportal.extensions import db
from vocportal.ideas import operations as ideas
from vocportal.ideas import statuses
from vocportal.ideas.models import Idea, IdeaStatus, StatusChange
from vocportal.markdown import render_markdown
from vocportal.notifications.models import (
    Channel,
    EventKind,
    Notification,
    NotificationEvent,
)
from vocportal.questions import operations as questions
from vocportal.questions.operations import Figures
from vocportal.timeutil import utcnow
from vocportal.triage.models import InternalNote

#: Final outcomes: a supporter "was told" once a status update to one of them reached them.
FINAL_STATUSES = (IdeaStatus.shipped, IdeaStatus.declined)
#: Bulk updates act on at most this many ideas at once.
BULK_LIMIT = 500


def _require_staff(actor: User) -> None:
    if not actor.is_staff:
        raise PermissionDenied()


def _live():
    # Held and rejected ideas wait in the moderation queue, not here.
    return (
        Idea.withdrawn_at.is_(None),
        Idea.duplicate_of_id.is_(None),
        Idea.moderation.is_(None),
    )


def inbox_query() -> Select:
    """Ideas no staff member has acted on yet, oldest first, as a SELECT to page through."""
    return (
        select(Idea).where(Idea.triaged_at.is_(None), *_live()).order_by(Idea.created_at, Idea.id)
    )


def inbox(limit: int = 100) -> list[Idea]:
    """The first `limit` ideas of the inbox."""
    return list(db.session.scalars(inbox_query().limit(limit)))


def inbox_count() -> int:
    return (
        db.session.scalar(
            select(func.count()).select_from(Idea).where(Idea.triaged_at.is_(None), *_live())
        )
        or 0
    )


def owned_by(owner: User, include_closed: bool = False) -> list[Idea]:
    """A staff member's own queue: ideas they own, open work first, oldest activity first."""
    stmt = select(Idea).where(Idea.owner_id == owner.id, *_live())
    if not include_closed:
        stmt = stmt.where(Idea.status.not_in([*FINAL_STATUSES, IdeaStatus.duplicate]))
    return list(db.session.scalars(stmt.order_by(Idea.updated_at, Idea.id)))


def staff_members() -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .where(User.role.in_([Role.staff, Role.admin]), User.blocked.is_(False))
            .order_by(User.display_name)
        )
    )


def assign_owner(actor: User, idea: Idea, owner: User | None) -> None:
    """Give the idea a staff owner (None: nobody)."""
    _require_staff(actor)
    if owner is not None and not owner.is_staff:
        raise OperationError("Only staff members can own ideas.", field="owner")
    idea.owner_id = owner.id if owner else None
    ideas.mark_triaged(actor, idea)
    db.session.flush()


def add_note(actor: User, idea: Idea, body: str) -> InternalNote:
    """Keep a staff-only note on an idea; customers never see it."""
    _require_staff(actor)
    body = body.strip()
    if not body:
        raise OperationError("Write something first.", field="body")
    note = InternalNote(
        idea_id=idea.id, author_id=actor.id, body=body, body_html=render_markdown(body)
    )
    db.session.add(note)
    ideas.mark_triaged(actor, idea)
    db.session.flush()
    return note


def notes(idea: Idea) -> list[InternalNote]:
    return list(
        db.session.scalars(
            select(InternalNote).where(InternalNote.idea_id == idea.id).order_by(InternalNote.id)
        )
    )


def mark_reviewed(actor: User, idea: Idea) -> None:
    """Take an idea out of the inbox without changing anything customers see."""
    _require_staff(actor)
    ideas.mark_triaged(actor, idea)
    db.session.flush()


def _bulk_ideas(actor: User, idea_ids: list[int], new_status: IdeaStatus) -> list[Idea]:
    """The ideas a bulk status update names, after checking what it asks for."""
    _require_staff(actor)
    if new_status is IdeaStatus.duplicate:
        raise OperationError(
            "Duplicates are marked one by one, with their original.", field="status"
        )
    if not idea_ids:
        raise OperationError("Choose at least one idea.", field="ideas")
    if len(idea_ids) > BULK_LIMIT:
        raise OperationError(f"Update at most {BULK_LIMIT} ideas at once.", field="ideas")
    found = list(db.session.scalars(select(Idea).where(Idea.id.in_(idea_ids)).order_by(Idea.id)))
    if len(found) != len(set(idea_ids)):
        raise OperationError("Some of those ideas do not exist.", field="ideas")
    return found


def _skip_reason(
    idea: Idea, new_status: IdeaStatus, message: str, status_id: int | None = None
) -> str | None:
    """Why a bulk update leaves `idea` alone, or None if it changes it."""
    if idea.duplicate_of_id is not None:
        return "a merged duplicate: it follows its original"
    if statuses.same_status(idea, new_status, status_id) and not message.strip():
        return f"already {statuses.shown(new_status, status_id, staff=True).name.lower()}"
    return None


def bulk_change_status(
    actor: User,
    idea_ids: list[int],
    new_status: IdeaStatus,
    message: str = "",
    status_id: int | None = None,
) -> list[Idea]:
    """Publish one status update (same status and message) on each of several ideas.

    Ideas already in that status are left alone (unless there is a message to send), and
    duplicates are skipped: they follow their original. Each update notifies its own idea's
    supporters, so a person who supports three of the ideas hears about each of them."""
    changed = []
    for idea in _bulk_ideas(actor, idea_ids, new_status):
        if _skip_reason(idea, new_status, message, status_id) is None:
            ideas.change_status(actor, idea, new_status, message, status_id=status_id)
            changed.append(idea)
    return changed


# --- who will be told ----------------------------------------------------------------------

#: Ideas per query when collecting a bulk update's audience (one UNION per chunk).
_AUDIENCE_CHUNK = 50


@dataclass
class Audience:
    """The people a status update (on one idea or several) will reach."""

    #: Distinct people told in the portal's bell (everyone the fan-out gives a row to).
    people: int = 0
    #: Of them, those who also get an email (at once or in their daily digest).
    by_email: int = 0
    #: People told per idea (an idea that is not announced is absent).
    per_idea: dict[int, int] = field(default_factory=dict)


def status_audience(actor: User, targets: list[Idea]) -> Audience:
    """Who a status update by `actor` on each of `targets` would notify, counted once each.

    The fan-out's own definition of who hears about a status update
    (`vocportal.audience`: author, voters, commenters, followers, linked feedback senders;
    minus muted and blocked people), minus the actor. Ideas that are not public are not
    announced."""
    announced = [i for i in targets if i.is_public]
    pairs: set[tuple[int, int]] = set()
    email: dict[int, bool] = {}
    for start in range(0, len(announced), _AUDIENCE_CHUNK):
        chunk = [i.id for i in announced[start : start + _AUDIENCE_CHUNK]]
        heard = audience.hearing(audience.Audience.status_update, chunk).subquery()
        stmt = (
            select(heard.c.idea_id, User.id, User.email_pref)
            .join(User, User.id == heard.c.user_id)
            .where(User.id != actor.id)
        )
        for idea_id, user_id, pref in db.session.execute(stmt):
            pairs.add((idea_id, user_id))
            email[user_id] = pref is not EmailPref.never
    per_idea: dict[int, int] = {i.id: 0 for i in announced}
    for idea_id, _user_id in pairs:
        per_idea[idea_id] += 1
    return Audience(people=len(email), by_email=sum(email.values()), per_idea=per_idea)


@dataclass
class BulkPreview:
    """What a bulk status update would do, before anything changes."""

    new_status: IdeaStatus
    message: str
    #: (idea, None) for ideas it changes; (idea, reason) for those it leaves alone.
    rows: list[tuple[Idea, str | None]]
    audience: Audience
    #: The custom status of kind `new_status` (None: the kind's default).
    new_status_id: int | None = None

    @property
    def changing(self) -> list[Idea]:
        return [idea for idea, reason in self.rows if reason is None]


def preview_bulk_status(
    actor: User,
    idea_ids: list[int],
    new_status: IdeaStatus,
    message: str = "",
    status_id: int | None = None,
) -> BulkPreview:
    """Say what `bulk_change_status` with the same arguments would change and who it would
    tell, changing nothing."""
    rows = [
        (idea, _skip_reason(idea, new_status, message, status_id))
        for idea in _bulk_ideas(actor, idea_ids, new_status)
    ]
    changing = [idea for idea, reason in rows if reason is None]
    told = status_audience(actor, changing)
    return BulkPreview(new_status, message, rows, told, new_status_id=status_id)


# --- metrics -------------------------------------------------------------------------------


@dataclass
class Metrics:
    """Figures for one group of ideas (everyone's, or one owner's)."""

    label: str
    ideas: int = 0
    #: Median hours from posting to the first public staff answer, over answered ideas.
    median_first_response_hours: float | None = None
    answered: int = 0
    #: Ideas older than 7 days that no staff member has acted on, and their share.
    stale: int = 0
    older_than_week: int = 0
    #: Supporters of shipped/declined ideas, and how many of them were told the outcome.
    outcome_supporters: int = 0
    outcome_told: int = 0
    owner_id: int | None = None
    extra: dict = field(default_factory=dict)
    #: Questions to customers about its ideas (`vocportal.questions`): asked, answered, and
    #: the median hours from asking to the first answer.
    questions: Figures = field(default_factory=Figures)

    @property
    def stale_share(self) -> float | None:
        return self.stale / self.older_than_week if self.older_than_week else None

    @property
    def told_share(self) -> float | None:
        return self.outcome_told / self.outcome_supporters if self.outcome_supporters else None


def metrics(now=None) -> list[Metrics]:
    """The staff metrics page: overall first, then one row per owner (and "no owner")."""
    now = now or utcnow()
    rows = db.session.execute(
        select(
            Idea.id,
            Idea.owner_id,
            Idea.created_at,
            Idea.triaged_at,
            Idea.first_response_at,
            Idea.status,
        ).where(Idea.withdrawn_at.is_(None), Idea.duplicate_of_id.is_(None))
    ).all()
    final_ids = [r.id for r in rows if r.status in FINAL_STATUSES]
    supporters: dict[int, int] = {}
    told: dict[int, int] = {}
    if final_ids:
        # The people a status update on the idea reaches (`vocportal.audience`), customers
        # only: the share counts exactly the set the notifications go to.
        pairs = audience.hearing(
            audience.Audience.status_update, final_ids, customers_only=True
        ).subquery()
        supporters = dict(
            db.session.execute(
                select(pairs.c.idea_id, func.count()).group_by(pairs.c.idea_id)
            ).all()
        )
        # Told: a status update to the idea's final status reached them (the bell counts;
        # it is delivered by existing), excluding the staff member who published it.
        told_pairs = (
            select(NotificationEvent.idea_id, Notification.user_id)
            .join(Notification, Notification.event_id == NotificationEvent.id)
            .join(StatusChange, StatusChange.id == NotificationEvent.status_change_id)
            .join(Idea, Idea.id == NotificationEvent.idea_id)
            .where(
                NotificationEvent.kind == EventKind.status_update,
                NotificationEvent.idea_id.in_(final_ids),
                Notification.channel == Channel.web,
                StatusChange.new_status == Idea.status,
            )
            .distinct()
            .subquery()
        )
        told = dict(
            db.session.execute(
                select(told_pairs.c.idea_id, func.count())
                .join(
                    pairs,
                    (pairs.c.idea_id == told_pairs.c.idea_id)
                    & (pairs.c.user_id == told_pairs.c.user_id),
                )
                .group_by(told_pairs.c.idea_id)
            ).all()
        )
    owners = {u.id: u.display_name for u in staff_members()}
    groups: dict[int | None, list] = {}
    for r in rows:
        groups.setdefault(r.owner_id, []).append(r)
    asked = questions.figures_by_owner()
    for owner_id in asked:
        if owner_id != "all":
            groups.setdefault(owner_id, [])
    result = [_figures("Everyone", rows, supporters, told, now)]
    result[0].questions = asked.get("all", Figures())
    for owner_id in sorted(groups, key=lambda o: (o is None, owners.get(o, ""))):
        label = owners.get(owner_id, f"#{owner_id}") if owner_id else "No owner"
        m = _figures(label, groups[owner_id], supporters, told, now)
        m.owner_id = owner_id
        m.questions = asked.get(owner_id, Figures())
        result.append(m)
    return result


def _figures(label, rows, supporters, told, now) -> Metrics:
    m = Metrics(label=label, ideas=len(rows))
    hours = [
        (r.first_response_at - r.created_at).total_seconds() / 3600
        for r in rows
        if r.first_response_at is not None
    ]
    m.answered = len(hours)
    m.median_first_response_hours = statistics.median(hours) if hours else None
    old = [r for r in rows if now - r.created_at > timedelta(days=7)]
    m.older_than_week = len(old)
    m.stale = sum(1 for r in old if r.triaged_at is None)
    finals = [r.id for r in rows if r.status in FINAL_STATUSES]
    m.outcome_supporters = sum(supporters.get(i, 0) for i in finals)
    m.outcome_told = sum(told.get(i, 0) for i in finals)
    return m
