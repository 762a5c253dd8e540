"""Demand per theme: supporters, votes, growth, untriaged items and weekly volume.

A theme's *supporters* are the distinct people asking for an item in it (for an idea: its
demand as `vocportal.audience` defines it, author, voters and linked feedback senders;
for a feedback item: its sender), each counted once per theme however many of its items
they support. A supporter is *new* in a window when their first support of the theme (the
earliest act of demand in it) falls in that window, so the new supporters of all windows
add up to the theme's supporters. *Volume* is the number of items created in a window.

Every figure is computed for all requested themes at once, by a handful of grouped queries
whose windows are plain timestamp comparisons (the same SQL on SQLite and PostgreSQL).
Item types plug in through `SOURCES`: each says how to read its items and its supports.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Select, case, func, literal, select, union_all

from vocportal import audience
from vocportal.extensions import db
from vocportal.feedback.models import FeedbackItem
from vocportal.ideas.models import Idea, IdeaStatus
from vocportal.themes.models import Theme, ThemeItem
from vocportal.timeutil import utcnow

#: Weeks shown in a theme's volume chart (the last one is the current, partial week).
CHART_WEEKS = 12
#: Growth windows in days: new supporters in the last N days against the N days before.
GROWTH_DAYS = (7, 30)

Window = tuple[datetime, datetime]  # [start, end)


@dataclass(frozen=True)
class ItemSource:
    """How one item type takes part in demand.

    `items` selects (theme_id, created_at, votes, untriaged) per item in a theme; `supports`
    selects (theme_id, user_id, at) per act of support (posting an item, voting for it).
    """

    item_type: str
    items: Callable[[], Select]
    supports: Callable[[], list[Select]]


def _live_ideas(stmt: Select) -> Select:
    """Ideas in a theme that count: public and not merged away as a duplicate."""
    return stmt.join(
        ThemeItem, (ThemeItem.item_type == "idea") & (ThemeItem.item_id == Idea.id)
    ).where(
        ThemeItem.theme_id.is_not(None),
        Idea.withdrawn_at.is_(None),
        Idea.hidden_at.is_(None),
        Idea.moderation.is_(None),
        Idea.status != IdeaStatus.duplicate,
    )


def _idea_items() -> Select:
    return _live_ideas(
        select(
            ThemeItem.theme_id.label("theme_id"),
            Idea.created_at.label("created_at"),
            Idea.vote_count.label("votes"),
            case((Idea.triaged_at.is_(None), 1), else_=0).label("untriaged"),
        ).select_from(Idea)
    )


def _idea_supports() -> list[Select]:
    """Each act of demand behind an idea in a theme (`vocportal.audience.DEMAND`: posting
    it, voting for it, sending feedback staff linked to it)."""
    acts = audience.relations(audience.DEMAND).subquery()
    return [
        _live_ideas(
            select(
                ThemeItem.theme_id.label("theme_id"),
                acts.c.user_id.label("user_id"),
                acts.c.at.label("at"),
            )
            .select_from(Idea)
            .join(acts, acts.c.idea_id == Idea.id)
        )
    ]


def _in_theme_feedback(stmt: Select) -> Select:
    return stmt.join(
        ThemeItem,
        (ThemeItem.item_type == "feedback") & (ThemeItem.item_id == FeedbackItem.id),
    ).where(ThemeItem.theme_id.is_not(None))


def _feedback_items() -> Select:
    """Feedback counts as volume; it is untriaged until staff link it to an idea."""
    return _in_theme_feedback(
        select(
            ThemeItem.theme_id.label("theme_id"),
            FeedbackItem.received_at.label("created_at"),
            literal(0).label("votes"),
            case((FeedbackItem.idea_id.is_(None), 1), else_=0).label("untriaged"),
        ).select_from(FeedbackItem)
    )


def _feedback_supports() -> list[Select]:
    return [
        _in_theme_feedback(
            select(
                ThemeItem.theme_id.label("theme_id"),
                FeedbackItem.author_id.label("user_id"),
                FeedbackItem.received_at.label("at"),
            ).select_from(FeedbackItem)
        )
    ]


#: Every item type that can sit in a theme.
SOURCES: tuple[ItemSource, ...] = (
    ItemSource("idea", _idea_items, _idea_supports),
    ItemSource("feedback", _feedback_items, _feedback_supports),
)


@dataclass(frozen=True)
class Growth:
    """New supporters in a window and in the window of the same length before it."""

    current: int
    previous: int

    @property
    def change(self) -> int:
        return self.current - self.previous


@dataclass(frozen=True)
class Week:
    #: Monday 00:00 UTC.
    start: datetime
    count: int
    #: The current week, still running.
    partial: bool = False


@dataclass
class Demand:
    theme: Theme
    items: int = 0
    supporters: int = 0
    votes: int = 0
    untriaged: int = 0
    #: Days -> new supporters then and in the window before.
    growth: dict[int, Growth] = field(default_factory=dict)
    #: New items per week, oldest first.
    weeks: list[Week] = field(default_factory=list)
    #: Supporters weighted by their company's segment, and how many are in the chosen one.
    weighted: float = 0.0
    in_segment: int = 0


def week_start(at: datetime) -> datetime:
    """Monday 00:00 of the week `at` falls in (naive UTC, like every stored timestamp)."""
    day = at.replace(hour=0, minute=0, second=0, microsecond=0)
    return day - timedelta(days=day.weekday())


def week_windows(first: datetime, count: int) -> list[Window]:
    """`count` consecutive weeks starting on Monday `first`."""
    return [(first + timedelta(weeks=i), first + timedelta(weeks=i + 1)) for i in range(count)]


def _in(at: ColumnElement, window: Window) -> ColumnElement:
    return func.coalesce(func.sum(case(((at >= window[0]) & (at < window[1]), 1), else_=0)), 0)


def _supports_subquery():
    return union_all(*[s for source in SOURCES for s in source.supports()]).subquery("supports")


def _items_subquery():
    return union_all(*[source.items() for source in SOURCES]).subquery("items")


def supporter_counts(
    theme_ids: Iterable[int], windows: list[Window]
) -> dict[int, tuple[int, list[int]]]:
    """Theme id -> (distinct supporters, new supporters in each window): one query."""
    ids = list(theme_ids)
    if not ids:
        return {}
    supports = _supports_subquery()
    first = (
        select(
            supports.c.theme_id,
            supports.c.user_id,
            func.min(supports.c.at).label("first_at"),
        )
        .where(supports.c.theme_id.in_(ids))
        .group_by(supports.c.theme_id, supports.c.user_id)
        .subquery("first_support")
    )
    rows = db.session.execute(
        select(
            first.c.theme_id, func.count(), *[_in(first.c.first_at, w) for w in windows]
        ).group_by(first.c.theme_id)
    ).all()
    return {row[0]: (int(row[1]), [int(n) for n in row[2:]]) for row in rows}


def item_counts(
    theme_ids: Iterable[int], windows: list[Window]
) -> dict[int, tuple[int, int, int, list[int]]]:
    """Theme id -> (items, votes, untriaged, items created in each window): one query."""
    ids = list(theme_ids)
    if not ids:
        return {}
    items = _items_subquery()
    rows = db.session.execute(
        select(
            items.c.theme_id,
            func.count(),
            func.coalesce(func.sum(items.c.votes), literal(0)),
            func.coalesce(func.sum(items.c.untriaged), literal(0)),
            *[_in(items.c.created_at, w) for w in windows],
        )
        .where(items.c.theme_id.in_(ids))
        .group_by(items.c.theme_id)
    ).all()
    return {
        row[0]: (int(row[1]), int(row[2]), int(row[3]), [int(n) for n in row[4:]]) for row in rows
    }


def weighted_supporters(
    theme_ids: Iterable[int], segment_id: int | None = None
) -> dict[int, tuple[float, int]]:
    """Theme id -> (supporters weighted by segment, supporters in `segment_id`): one query."""
    from vocportal.accounts.models import User
    from vocportal.customers.operations import weights

    ids = list(theme_ids)
    if not ids:
        return {}
    supports = _supports_subquery()
    people = (
        select(supports.c.theme_id, supports.c.user_id)
        .where(supports.c.theme_id.in_(ids))
        .distinct()
        .subquery("people")
    )
    w = weights()
    result: dict[int, list] = {}
    for theme_id, company_id in db.session.execute(
        select(people.c.theme_id, User.company_id).join(User, User.id == people.c.user_id)
    ):
        entry = result.setdefault(theme_id, [0.0, 0])
        entry[0] += w.company_weight(company_id)
        if segment_id is not None and w.in_segment(company_id, segment_id):
            entry[1] += 1
    return {k: (v[0], v[1]) for k, v in result.items()}


def theme_demand(
    themes: list[Theme], now: datetime | None = None, segment_id: int | None = None
) -> list[Demand]:
    """Demand figures for `themes`, in the same order: two queries whatever their number."""
    now = now or utcnow()
    growth_windows: list[Window] = []
    for days in GROWTH_DAYS:
        span = timedelta(days=days)
        growth_windows += [(now - span, now), (now - 2 * span, now - span)]
    this_week = week_start(now)
    weeks = week_windows(this_week - timedelta(weeks=CHART_WEEKS - 1), CHART_WEEKS)
    ids = [t.id for t in themes]
    supporters = supporter_counts(ids, growth_windows)
    items = item_counts(ids, weeks)
    weighted = weighted_supporters(ids, segment_id)
    result = []
    for theme in themes:
        total, new = supporters.get(theme.id, (0, [0] * len(growth_windows)))
        n_items, votes, untriaged, per_week = items.get(theme.id, (0, 0, 0, [0] * len(weeks)))
        result.append(
            Demand(
                theme=theme,
                items=n_items,
                supporters=total,
                votes=votes,
                untriaged=untriaged,
                growth={
                    days: Growth(new[2 * i], new[2 * i + 1]) for i, days in enumerate(GROWTH_DAYS)
                },
                weeks=[
                    Week(start, count, partial=start == this_week)
                    for (start, _), count in zip(weeks, per_week, strict=True)
                ],
                weighted=weighted.get(theme.id, (0.0, 0))[0],
                in_segment=weighted.get(theme.id, (0.0, 0))[1],
            )
        )
    return result


#: Sort option -> key (larger first); ties go to more supporters, then the older theme.
SORTS: dict[str, Callable[[Demand], tuple]] = {
    "supporters": lambda d: (d.supporters,),
    "weighted": lambda d: (d.weighted,),
    "segment": lambda d: (d.in_segment, d.weighted),
    "votes": lambda d: (d.votes,),
    "growth": lambda d: (d.growth[7].change, d.growth[7].current),
    "untriaged": lambda d: (d.untriaged,),
}
DEFAULT_SORT = "supporters"


def ranked(demands: list[Demand], sort: str = DEFAULT_SORT) -> list[Demand]:
    """Order themes by demand: `sort` is one of `SORTS`."""
    key = SORTS[sort]
    return sorted(demands, key=lambda d: (*(-k for k in key(d)), -d.supporters, d.theme.id))
