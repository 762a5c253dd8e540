"""The weekly report's rules: build a week's report once, who gets it, theme follows,
subscribed addresses and one-click unsubscribe.

Operations take plain values and the acting person, flush and never commit; the request or
the job commits once. Sending is `vocportal.reports.sending` (worker side).
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from sqlalchemy import delete, select

from vocportal.accounts.models import Role, User
from vocportal.audit import operations as audit
from vocportal.errors import OperationError, PermissionDenied
from vocportal.extensions import db
from vocportal.notifications.models import DeliveryState
from vocportal.queue import jobnames
from vocportal.queue.models import JobRecord
from vocportal.queue.operations import defer
from vocportal.reports import events, figures
from vocportal.reports.models import (
    KIND_REPORT,
    KIND_THEME_NOTE,
    ReportDelivery,
    ReportOptOut,
    ReportSubscriber,
    ThemeFollow,
    WeeklyReport,
)
from vocportal.sqlutil import insert_ignore
from vocportal.themes import demand, reads
from vocportal.themes.models import Theme, ThemeStatus
from vocportal.timeutil import utcnow

_ADDRESS = re.compile(r"[^\s@<>\",;]+@[^\s@<>\",;]+\.[^\s@<>\",;]+")


def _require(actor: User, admin: bool = False) -> None:
    if not (actor.is_admin if admin else actor.is_staff):
        raise PermissionDenied()


def report_path(week: date) -> str:
    """The report's page in the portal."""
    return f"/staff/reports/{week.isoformat()}"


# --- building ------------------------------------------------------------------------------


def report_for(week: date) -> WeeklyReport | None:
    return db.session.scalar(select(WeeklyReport).where(WeeklyReport.week_start == week))


def build_report(week: date) -> WeeklyReport:
    """The week's report: built from the figures now unless it exists (then as built).

    A report built here for the first time announces `weekly_report_ready`; a second run,
    even a concurrent one, finds the row and announces nothing."""
    found = report_for(week)
    if found is not None:
        return found
    data = figures.build_figures(week)
    # RETURNING says whether this run stored it (rowcount is not reliable for ON CONFLICT
    # on every driver: psycopg answers -1 here).
    inserted = db.session.execute(
        insert_ignore(WeeklyReport, week_start=week, figures=data, built_at=utcnow()).returning(
            WeeklyReport.id
        )
    ).scalar()
    report = report_for(week)
    if inserted is not None:
        events.weekly_report_ready.send(
            None,
            report_id=report.id,
            week_start=week,
            figures=report.figures,
            path=report_path(week),
        )
    return report


def reports(limit: int = 104) -> list[WeeklyReport]:
    """Built reports, newest week first."""
    return list(
        db.session.scalars(
            select(WeeklyReport).order_by(WeeklyReport.week_start.desc()).limit(limit)
        )
    )


def parse_week(text: str) -> date | None:
    """The Monday a URL's "YYYY-MM-DD" names, or None if it is not a date or not a Monday."""
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return None
    return day if day.weekday() == 0 else None


# --- recipients ----------------------------------------------------------------------------


def staff_recipients() -> list[User]:
    """Staff and admins who get the report: not blocked, not opted out."""
    return list(
        db.session.scalars(
            select(User)
            .where(
                User.role.in_([Role.staff, Role.admin]),
                User.blocked.is_(False),
                User.id.not_in(select(ReportOptOut.user_id)),
            )
            .order_by(User.id)
        )
    )


def subscribers(active_only: bool = False) -> list[ReportSubscriber]:
    stmt = select(ReportSubscriber).order_by(ReportSubscriber.email)
    if active_only:
        stmt = stmt.where(ReportSubscriber.unsubscribed_at.is_(None))
    return list(db.session.scalars(stmt))


def subscribe_address(actor: User, email: str) -> ReportSubscriber:
    """Subscribe an address (no account needed) to the weekly report: admins only."""
    _require(actor, admin=True)
    email = (email or "").strip().lower()
    if len(email) > 320 or not _ADDRESS.fullmatch(email) or not email.isprintable():
        raise OperationError("Enter one email address, such as sales@example.com.", field="email")
    found = db.session.scalar(select(ReportSubscriber).where(ReportSubscriber.email == email))
    if found is not None:
        if found.unsubscribed_at is None:
            raise OperationError("This address already gets the report.", field="email")
        found.unsubscribed_at = None
        found.added_by_id = actor.id
    else:
        found = ReportSubscriber(email=email, added_by_id=actor.id)
        db.session.add(found)
        db.session.flush()
    audit.record(
        actor,
        "report.subscriber_added",
        target_type="report_subscriber",
        target_id=found.id,
        summary=f"{email} subscribed to the weekly report",
    )
    return found


def remove_subscriber(actor: User, subscriber: ReportSubscriber) -> None:
    _require(actor, admin=True)
    audit.record(
        actor,
        "report.subscriber_removed",
        target_type="report_subscriber",
        target_id=subscriber.id,
        summary=f"{subscriber.email} removed from the weekly report",
    )
    db.session.delete(subscriber)
    db.session.flush()


def fan_out(report: WeeklyReport) -> int:
    """Write the week's delivery rows: the report to each recipient and a theme note to
    each follower whose themes moved. Rows that exist stay as they are (a second run adds
    nothing). Return how many rows the report has now."""
    rows: dict[tuple[str, str], dict] = {}
    for user in staff_recipients():
        rows.setdefault((KIND_REPORT, user.email.lower()), {"user_id": user.id})
    for sub in subscribers(active_only=True):
        rows.setdefault((KIND_REPORT, sub.email), {"subscriber_id": sub.id})
    for user, moved in theme_notes(report.week_start):
        rows.setdefault(
            (KIND_THEME_NOTE, user.email.lower()), {"user_id": user.id, "themes": moved}
        )
    now = utcnow()
    values = [
        {
            "report_id": report.id,
            "kind": kind,
            "email": email,
            "user_id": extra.get("user_id"),
            "subscriber_id": extra.get("subscriber_id"),
            "themes": extra.get("themes", []),
            "state": DeliveryState.pending,
            "created_at": now,
            "attempts": 0,
            "error": "",
        }
        for (kind, email), extra in rows.items()
    ]
    if values:
        db.session.execute(insert_ignore(ReportDelivery), values)
    db.session.flush()
    return len(
        db.session.scalars(
            select(ReportDelivery.id).where(ReportDelivery.report_id == report.id)
        ).all()
    )


def defer_send(week: date) -> JobRecord:
    """Defer the job that builds, fans out and sends the week's report (once per week
    while one is waiting)."""
    return defer(
        "reports: weekly report",
        jobnames.REPORTS_SEND_WEEKLY,
        week.isoformat(),
        queue="notifications",
        dedupe_key=f"reports:weekly:{week.isoformat()}",
        timeout=1800,
        attempts=5,
    )


def send_now(actor: User, week: date) -> WeeklyReport:
    """An admin's "send now": build the week's report unless built, and defer its sending
    (each recipient still gets it once)."""
    _require(actor, admin=True)
    report = build_report(week)
    defer_send(week)
    audit.record(
        actor,
        "report.sent",
        target_type="weekly_report",
        target_id=report.id,
        summary=f"Weekly report of the week of {week.isoformat()} sent now",
    )
    return report


def sent_count(report: WeeklyReport) -> dict[str, int]:
    """The report's delivery rows by state."""
    counts: dict[str, int] = {}
    for state in db.session.scalars(
        select(ReportDelivery.state).where(
            ReportDelivery.report_id == report.id, ReportDelivery.kind == KIND_REPORT
        )
    ):
        counts[state.value] = counts.get(state.value, 0) + 1
    return counts


# --- theme follows -------------------------------------------------------------------------


def follows(user: User, theme: Theme) -> bool:
    return db.session.get(ThemeFollow, {"user_id": user.id, "theme_id": theme.id}) is not None


def follow_theme(actor: User, theme: Theme) -> None:
    """Follow a theme: a weekly note when it moves (staff only)."""
    _require(actor)
    if theme.status is not ThemeStatus.active:
        raise OperationError("Only active themes can be followed.")
    db.session.execute(insert_ignore(ThemeFollow, user_id=actor.id, theme_id=theme.id))
    db.session.flush()


def unfollow_theme(actor: User, theme: Theme) -> None:
    db.session.execute(
        delete(ThemeFollow).where(ThemeFollow.user_id == actor.id, ThemeFollow.theme_id == theme.id)
    )
    db.session.flush()


def theme_notes(week: date) -> list[tuple[User, list[dict]]]:
    """(follower, the followed themes that moved in the week) for each staff follower with
    at least one: new items, or new supporters (with the week before's, for the change)."""
    pairs = db.session.execute(
        select(ThemeFollow.user_id, ThemeFollow.theme_id)
        .join(Theme, Theme.id == ThemeFollow.theme_id)
        .where(Theme.status == ThemeStatus.active)
    ).all()
    if not pairs:
        return []
    start, end = figures.window(week)
    windows = [(start, end), (start - timedelta(weeks=1), start)]
    ids = {theme_id for _, theme_id in pairs}
    supporters = demand.supporter_counts(ids, windows)
    items = demand.item_counts(ids, windows)
    themes = {t.id: t for t in reads.active_themes() if t.id in ids}
    moved: dict[int, dict] = {}
    for theme_id in ids:
        total, (new, before) = supporters.get(theme_id, (0, [0, 0]))
        new_items = items.get(theme_id, (0, 0, 0, [0, 0]))[3][0]
        if new or new_items:
            moved[theme_id] = {
                "id": theme_id,
                "name": themes[theme_id].display_name,
                "new_items": new_items,
                "new_supporters": new,
                "previous": before,
                "change": new - before,
                "supporters": total,
            }
    people = {
        u.id: u
        for u in db.session.scalars(
            select(User).where(
                User.id.in_({u for u, _ in pairs}),
                User.role.in_([Role.staff, Role.admin]),
                User.blocked.is_(False),
            )
        )
    }
    notes: dict[int, list[dict]] = {}
    for user_id, theme_id in sorted(pairs):
        if user_id in people and theme_id in moved:
            notes.setdefault(user_id, []).append(moved[theme_id])
    return [(people[u], rows) for u, rows in notes.items()]
