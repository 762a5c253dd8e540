"""Early warning: tell staff when a theme suddenly draws more than it usually does."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from vocportal.errors import PermissionDenied
from vocportal.extensions import db
from vocportal.sqlutil import dialect_insert
from vocportal.themes import demand
from vocportal.themes.models import Theme, ThemeAlert, ThemeStatus
from vocportal.timeutil import utcnow

#: A week is flagged only when its value reaches at least this many (a quiet theme going
#: from 0 to 1 is not news).
MIN_VALUE = 3
#: ... and at least this many times the theme's baseline.
FACTOR = 2.0
#: The baseline is the mean of this many weeks before the week looked at.
BASELINE_WEEKS = 4

MEASURES = ("volume", "supporters")


def alert_week(now: datetime) -> datetime:
    """Monday 00:00 UTC of the last complete week before `now`."""
    return demand.week_start(now) - timedelta(weeks=1)


def theme_path(theme_id: int) -> str:
    """The theme page's path (jobs have no request to build URLs from)."""
    return f"/staff/themes/{theme_id}"


def detect_alerts(now: datetime | None = None) -> list[ThemeAlert]:
    """Flag active themes whose last complete week jumped above their baseline.

    The week looked at is the last complete Monday-to-Sunday week (UTC) before `now`; its
    Monday is the alert's `week_start`. For each active theme and each measure, namely

    * "volume": items created in the theme that week, and
    * "supporters": new supporters that week (people whose first post or vote in the
      theme falls in it; see `vocportal.themes.demand`),

    the baseline is the mean of the `BASELINE_WEEKS` weeks before (weeks before the theme
    had anything count as zero), and the week is flagged when

        value >= max(MIN_VALUE, FACTOR * baseline).

    One ThemeAlert per (theme, week_start, measure): running again in the same week, or
    twice at once, adds nothing. Each new alert is announced to staff. Return the new
    alerts (the caller commits).
    """
    now = now or utcnow()
    week = alert_week(now)
    windows = demand.week_windows(week - timedelta(weeks=BASELINE_WEEKS), BASELINE_WEEKS + 1)
    themes = {
        t.id: t for t in db.session.scalars(select(Theme).where(Theme.status == ThemeStatus.active))
    }
    volume = {k: v[3] for k, v in demand.item_counts(list(themes), windows).items()}
    supporters = {k: v[1] for k, v in demand.supporter_counts(list(themes), windows).items()}
    new: list[ThemeAlert] = []
    for theme_id, theme in themes.items():
        for measure, counts in (("volume", volume), ("supporters", supporters)):
            weekly = counts.get(theme_id)
            if not weekly:
                continue
            value = weekly[-1]
            baseline = sum(weekly[:-1]) / BASELINE_WEEKS
            if value < max(MIN_VALUE, FACTOR * baseline):
                continue
            alert = _insert_once(theme_id, week, measure, value, baseline, now)
            if alert is not None:
                new.append(alert)
                announce_to_staff(theme, alert)
                announce_to_webhooks(theme, alert)
    return new


def _insert_once(
    theme_id: int, week: datetime, measure: str, value: float, baseline: float, now: datetime
) -> ThemeAlert | None:
    """Insert the alert unless that (theme, week, measure) already has one."""
    alert_id = db.session.execute(
        dialect_insert(ThemeAlert)
        .values(
            theme_id=theme_id,
            week_start=week,
            measure=measure,
            value=float(value),
            baseline=float(baseline),
            created_at=now,
        )
        .on_conflict_do_nothing()
        .returning(ThemeAlert.id)
    ).scalar()
    return db.session.get(ThemeAlert, alert_id) if alert_id is not None else None


def describe(theme: Theme, alert: ThemeAlert) -> tuple[str, str]:
    """A one-line title and a short text for an alert."""
    what = "new items" if alert.measure == "volume" else "new supporters"
    title = f"Theme “{theme.display_name}” is rising: {alert.value:g} {what} last week"
    text = (
        f"In the week of {alert.week_start:%d %b %Y} the theme “{theme.display_name}” had "
        f"{alert.value:g} {what}; over the {BASELINE_WEEKS} weeks before it had "
        f"{alert.baseline:.1f} a week on average."
    )
    return title, text


def announce_to_staff(theme: Theme, alert: ThemeAlert):
    """Record a theme_alert notification event (staff are told in the bell and by email)."""
    # Imported here: the notifications package must not be needed to import themes.
    from vocportal.notifications.models import EventKind
    from vocportal.notifications.outbox import record_event

    title, text = describe(theme, alert)
    return record_event(
        EventKind.theme_alert, title=title, text=text, link=theme_path(theme.id), theme_id=theme.id
    )


def announce_to_webhooks(theme: Theme, alert: ThemeAlert) -> None:
    """Queue a `theme.alert` delivery to every webhook endpoint that takes it."""
    from vocportal.webhooks import operations as webhooks
    from vocportal.webhooks.models import WebhookEvent

    title, text = describe(theme, alert)
    data = webhooks.theme_alert_payload(
        theme_id=theme.id,
        theme_name=theme.display_name,
        title=title,
        text=text,
        path=theme_path(theme.id),
        measure=alert.measure,
        value=alert.value,
        baseline=alert.baseline,
        week_start=alert.week_start,
    )
    webhooks.emit(WebhookEvent.theme_alert, data, any_board=True)


def open_alerts(theme_ids: list[int] | None = None) -> dict[int, list[ThemeAlert]]:
    """Alerts not dismissed yet, newest first, by theme id."""
    stmt = select(ThemeAlert).where(ThemeAlert.dismissed_at.is_(None))
    if theme_ids is not None:
        stmt = stmt.where(ThemeAlert.theme_id.in_(theme_ids))
    result: dict[int, list[ThemeAlert]] = {}
    for alert in db.session.scalars(
        stmt.order_by(ThemeAlert.week_start.desc(), ThemeAlert.measure)
    ):
        result.setdefault(alert.theme_id, []).append(alert)
    return result


def dismiss_alert(actor, alert: ThemeAlert) -> None:
    """Take an alert off the themes view: staff only."""
    if not actor.is_staff:
        raise PermissionDenied()
    if alert.dismissed_at is None:
        alert.dismissed_at = utcnow()
        db.session.flush()
