"""The weekly report's figures, from the portal's own numbers (read only, no writes).

A report covers one week, Monday 00:00 to the next Monday 00:00 UTC. Its figures:

- **Themes rising:** active themes whose new supporters in the week (people whose first
  support of the theme fell in it, `vocportal.themes.demand`) exceed those of the week
  before, by how much, with the week's new items; at most TOP of them.
- **New demand by segment:** each (idea, person) pair whose first act of demand
  (`vocportal.audience.DEMAND`: posting, voting, linked feedback) fell in the week, on a
  public idea, counted per segment with the segment's weight (`vocportal.customers`);
  and the ideas that gained the most weighted demand.
- **Shipped:** ideas moved to shipped in the week, each with the people its status update
  reached in the bell (the triage metric's "told") and the emails sent about it.
- **Open promises:** public ideas planned or in progress since more than PROMISE_DAYS
  days before the week's end, oldest promise first, with their supporters.
- **Loop metrics:** the triage metrics over everyone (`vocportal.triage.operations`).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

from sqlalchemy import and_, func, select

from vocportal import audience
from vocportal.accounts.models import User
from vocportal.customers import operations as customers
from vocportal.extensions import db
from vocportal.ideas.models import Idea, IdeaStatus, StatusChange
from vocportal.notifications.models import (
    Channel,
    DeliveryState,
    EventKind,
    Notification,
    NotificationEvent,
)
from vocportal.themes import demand, reads
from vocportal.triage import operations as triage

#: Rows per list (themes rising, ideas gaining demand).
TOP = 5
#: A plan or work in progress older than this many days is an open promise.
PROMISE_DAYS = 90
#: Statuses that promise something to customers.
PROMISED = (IdeaStatus.planned, IdeaStatus.in_progress)


def last_complete_week(now: datetime) -> date:
    """Monday of the last week that has ended by `now`."""
    return (demand.week_start(now) - timedelta(weeks=1)).date()


def window(week: date) -> tuple[datetime, datetime]:
    """[start, end) of the week that starts on Monday `week`, as naive UTC datetimes."""
    start = datetime(week.year, week.month, week.day)
    return start, start + timedelta(weeks=1)


def _public_idea():
    return and_(
        Idea.withdrawn_at.is_(None),
        Idea.hidden_at.is_(None),
        Idea.moderation.is_(None),
        Idea.duplicate_of_id.is_(None),
    )


def themes_rising(week: date) -> list[dict]:
    """Active themes with more new supporters in the week than in the week before."""
    start, end = window(week)
    themes = reads.active_themes()
    ids = [t.id for t in themes]
    windows = [(start, end), (start - timedelta(weeks=1), start)]
    supporters = demand.supporter_counts(ids, windows)
    items = demand.item_counts(ids, windows)
    rows = []
    for theme in themes:
        _total, (now_new, before) = supporters.get(theme.id, (0, [0, 0]))
        new_items = items.get(theme.id, (0, 0, 0, [0, 0]))[3][0]
        if now_new > before:
            rows.append(
                {
                    "id": theme.id,
                    "name": theme.display_name,
                    "new_supporters": now_new,
                    "previous": before,
                    "change": now_new - before,
                    "new_items": new_items,
                }
            )
    rows.sort(key=lambda r: (-r["change"], -r["new_supporters"], r["id"]))
    return rows[:TOP]


def new_demand(week: date) -> dict:
    """New (idea, person) demand in the week, per segment and weighted, with top ideas."""
    start, end = window(week)
    acts = audience.relations(audience.DEMAND).subquery()
    first = (
        select(acts.c.idea_id, acts.c.user_id, func.min(acts.c.at).label("first_at"))
        .group_by(acts.c.idea_id, acts.c.user_id)
        .subquery()
    )
    rows = db.session.execute(
        select(first.c.idea_id, first.c.user_id, User.company_id)
        .join(User, User.id == first.c.user_id)
        .join(Idea, Idea.id == first.c.idea_id)
        .where(first.c.first_at >= start, first.c.first_at < end, _public_idea())
    ).all()
    weights = customers.weights()
    segments: dict[str, dict] = {}
    per_idea: dict[int, list] = defaultdict(lambda: [0, 0.0])
    people = set()
    for idea_id, user_id, company_id in rows:
        segment = weights.segment_of.get(company_id) if company_id is not None else None
        weight = weights.company_weight(company_id)
        name = segment.name if segment is not None else "No segment"
        entry = segments.setdefault(name, {"name": name, "weight": weight, "supports": 0})
        entry["supports"] += 1
        per_idea[idea_id][0] += 1
        per_idea[idea_id][1] += weight
        people.add(user_id)
    for entry in segments.values():
        entry["weighted"] = entry["supports"] * entry["weight"]
    ordered = sorted(per_idea.items(), key=lambda kv: (-kv[1][1], -kv[1][0], kv[0]))[:TOP]
    titles = dict(
        db.session.execute(
            select(Idea.id, Idea.title).where(Idea.id.in_([i for i, _ in ordered]))
        ).all()
    )
    return {
        "supports": len(rows),
        "people": len(people),
        "weighted": sum(e["weighted"] for e in segments.values()),
        "segments": sorted(segments.values(), key=lambda e: (-e["weighted"], e["name"])),
        "top_ideas": [
            {"id": i, "title": titles[i], "supports": n, "weighted": w} for i, (n, w) in ordered
        ],
    }


def shipped(week: date) -> list[dict]:
    """Ideas shipped in the week, with the people told in the bell and the emails sent."""
    start, end = window(week)
    changes = db.session.execute(
        select(StatusChange.id, StatusChange.created_at, Idea.id, Idea.title)
        .join(Idea, Idea.id == StatusChange.idea_id)
        .where(
            StatusChange.new_status == IdeaStatus.shipped,
            StatusChange.created_at >= start,
            StatusChange.created_at < end,
            _public_idea(),
        )
        .order_by(StatusChange.created_at, StatusChange.id)
    ).all()
    counts: dict[tuple[int, Channel], int] = {}
    if changes:
        counted = db.session.execute(
            select(
                NotificationEvent.status_change_id,
                Notification.channel,
                func.count(func.distinct(Notification.user_id)),
            )
            .join(Notification, Notification.event_id == NotificationEvent.id)
            .where(
                NotificationEvent.kind == EventKind.status_update,
                NotificationEvent.status_change_id.in_([c[0] for c in changes]),
                (Notification.channel == Channel.web) | (Notification.state == DeliveryState.sent),
            )
            .group_by(NotificationEvent.status_change_id, Notification.channel)
        ).all()
        counts = {(change, channel): n for change, channel, n in counted}
    return [
        {
            "id": idea_id,
            "title": title,
            "at": at.date().isoformat(),
            "told": counts.get((change_id, Channel.web), 0),
            "emailed": counts.get((change_id, Channel.email), 0),
        }
        for change_id, at, idea_id, title in changes
    ]


def open_promises(week: date) -> list[dict]:
    """Public ideas planned or in progress for more than PROMISE_DAYS at the week's end."""
    _start, end = window(week)
    promised_at = (
        select(StatusChange.idea_id, func.max(StatusChange.created_at).label("at"))
        .where(StatusChange.new_status.in_(PROMISED), StatusChange.old_status.not_in(PROMISED))
        .group_by(StatusChange.idea_id)
        .subquery()
    )
    since = func.coalesce(promised_at.c.at, Idea.created_at)
    rows = db.session.execute(
        select(Idea.id, Idea.title, Idea.status, since.label("since"))
        .outerjoin(promised_at, promised_at.c.idea_id == Idea.id)
        .where(
            Idea.status.in_(PROMISED),
            _public_idea(),
            since < end - timedelta(days=PROMISE_DAYS),
        )
        .order_by(since, Idea.id)
    ).all()
    figures = customers.demand([r.id for r in rows])
    return [
        {
            "id": r.id,
            "title": r.title,
            "status": r.status.label,
            "since": r.since.date().isoformat(),
            "days": (end - r.since).days,
            "supporters": figures.get(r.id, customers.IdeaDemand()).supporters,
            "weighted": figures.get(r.id, customers.IdeaDemand()).weighted,
        }
        for r in rows
    ]


def loop_metrics(week: date) -> dict:
    """The triage metrics over everyone, as of the week's end."""
    _start, end = window(week)
    m = triage.metrics(now=end)[0]
    return {
        "median_first_response_hours": m.median_first_response_hours,
        "answered": m.answered,
        "stale": m.stale,
        "older_than_week": m.older_than_week,
        "stale_share": m.stale_share,
        "outcome_supporters": m.outcome_supporters,
        "outcome_told": m.outcome_told,
        "told_share": m.told_share,
    }


def build_figures(week: date) -> dict:
    """Every figure of the week's report, as plain JSON values."""
    start, end = window(week)
    shipped_rows = shipped(week)
    return {
        "week_start": start.date().isoformat(),
        "week_end": (end - timedelta(days=1)).date().isoformat(),
        "themes_rising": themes_rising(week),
        "new_demand": new_demand(week),
        "shipped": shipped_rows,
        "shipped_told": sum(r["told"] for r in shipped_rows),
        "shipped_emailed": sum(r["emailed"] for r in shipped_rows),
        "promises": open_promises(week),
        "promise_days": PROMISE_DAYS,
        "loop": loop_metrics(week),
    }
