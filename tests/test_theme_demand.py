"""Themes ranked by demand, the weekly chart, and early-warning alerts (no model needed:
themes and their rows are written directly)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import numpy as np
import pytest
from sqlalchemy import func, select, update

from vocportal.extensions import db
from vocportal.ideas import support
from vocportal.ideas.models import Idea, Vote
from vocportal.notifications.models import EventKind, NotificationEvent
from vocportal.queue.models import JobRecord
from vocportal.themes import alerts, demand
from vocportal.themes.models import Theme, ThemeAlert, ThemeItem, ThemeStatus
from vocportal.timeutil import utcnow

pytestmark = pytest.mark.usefixtures("embedded_redis_url")

DIM = 384


def unit(axis: int, noise: float = 0.0, seed: int = 0) -> np.ndarray:
    """A unit vector near basis vector `axis` (float32, like stored centroids)."""
    v = np.zeros(DIM, dtype=np.float32)
    v[axis] = 1.0
    if noise:
        v += np.random.default_rng(seed).normal(0, noise, DIM).astype(np.float32)
    return (v / np.linalg.norm(v)).astype(np.float32)


def make_theme(label: str, axis: int = 0, **values) -> Theme:
    theme = Theme(
        label=label,
        top_words=label.split(),
        centroid=unit(axis).astype("<f4").tobytes(),
        status=ThemeStatus.active,
        **values,
    )
    db.session.add(theme)
    db.session.flush()
    return theme


def put(theme: Theme | None, *ideas: Idea, source: str = "fit") -> None:
    """Place ideas in a theme as a fit would, and keep its size right."""
    for idea in ideas:
        db.session.merge(
            ThemeItem(
                item_type="idea",
                item_id=idea.id,
                theme_id=theme.id if theme else None,
                source=source,
            )
        )
    db.session.flush()
    if theme is not None:
        theme.size = db.session.scalar(
            select(func.count()).select_from(ThemeItem).where(ThemeItem.theme_id == theme.id)
        )
    db.session.commit()


def posted(idea: Idea, at: datetime) -> Idea:
    """Date an idea, and its author's own vote, to `at`."""
    db.session.execute(update(Idea).where(Idea.id == idea.id).values(created_at=at))
    db.session.execute(
        update(Vote)
        .where(Vote.idea_id == idea.id, Vote.user_id == idea.author_id)
        .values(created_at=at)
    )
    db.session.commit()
    return idea


def voted(user, idea: Idea, at: datetime) -> None:
    support.vote(user, idea)
    db.session.execute(
        update(Vote).where(Vote.idea_id == idea.id, Vote.user_id == user.id).values(created_at=at)
    )
    db.session.commit()


def theme_order(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'data-testid="theme" data-theme-id="(\d+)"', html)]


@pytest.fixture
def demand_set(make_user, make_idea, make_board):
    """Three themes whose ranking differs for every sort option.

    A: 5 distinct supporters (some support several of its ideas), 8 votes, 3 new
       supporters in the last 7 days (0 before), 2 untriaged, plus a hidden idea that
       must not count. B: 7 supporters, 7 votes, all long ago, 1 untriaged. C: 3 ideas,
       3 supporters, 3 untriaged.
    """
    now = utcnow()
    ago = lambda days: now - timedelta(days=days)  # noqa: E731
    board = make_board()
    alice, bob, carol, dave, erin, frank = (make_user() for _ in range(6))
    a, b, c = make_theme("csv export", 0), make_theme("dark mode", 1), make_theme("sso login", 2)

    one = posted(make_idea("Export CSV", author=alice, board=board), ago(40))
    voted(bob, one, ago(20))
    voted(carol, one, ago(3))
    two = posted(make_idea("Export Excel", author=bob, board=board), ago(10))
    voted(carol, two, ago(2))
    voted(dave, two, ago(1))
    three = posted(make_idea("Scheduled exports", author=erin, board=board), ago(5))
    voted(alice, three, ago(1))
    three.triaged_at = ago(4)
    hidden = posted(make_idea("Spam export", author=frank, board=board, votes=4), ago(2))
    hidden.hidden_at = ago(1)
    db.session.commit()
    put(a, one, two, three, hidden)

    big = posted(make_idea("Dark mode", board=board, votes=6), ago(90))
    db.session.execute(update(Vote).where(Vote.idea_id == big.id).values(created_at=ago(85)))
    db.session.commit()
    put(b, big)

    cs = [posted(make_idea(f"SSO via provider {i}", board=board), ago(100)) for i in range(3)]
    put(c, *cs)
    return {"a": a, "b": b, "c": c, "now": now, "created": [ago(40), ago(10), ago(5)]}


def test_demand_figures_are_exact(demand_set):
    a, b, c = demand_set["a"], demand_set["b"], demand_set["c"]
    now = demand_set["now"]
    got = {d.theme.id: d for d in demand.theme_demand([a, b, c], now=now)}

    da = got[a.id]
    # alice, bob, carol, dave, erin: each once however many ideas they support.
    assert (da.items, da.supporters, da.votes, da.untriaged) == (3, 5, 8, 2)
    # First supports: alice 40 days ago, bob 20, erin 5, carol 3, dave 1.
    assert da.growth[7] == demand.Growth(current=3, previous=0)
    assert da.growth[7].change == 3
    assert da.growth[30] == demand.Growth(current=4, previous=1)

    db_ = got[b.id]
    assert (db_.items, db_.supporters, db_.votes, db_.untriaged) == (1, 7, 7, 1)
    assert db_.growth[7] == demand.Growth(0, 0) and db_.growth[30] == demand.Growth(0, 0)
    dc = got[c.id]
    assert (dc.items, dc.supporters, dc.votes, dc.untriaged) == (3, 3, 3, 3)

    # Weekly volume: 12 Monday-aligned weeks, the last the current one.
    this_week = demand.week_start(now)
    assert [w.start for w in da.weeks] == [this_week - timedelta(weeks=11 - i) for i in range(12)]
    assert da.weeks[-1].partial and not da.weeks[0].partial
    expected = [0] * 12
    for created in demand_set["created"]:
        expected[11 - (this_week - demand.week_start(created)).days // 7] += 1
    assert [w.count for w in da.weeks] == expected and sum(expected) == 3
    assert [w.count for w in db_.weeks] == [0] * 12  # 90 days ago: before the chart

    # A theme with nothing in it has zeros, not a missing row.
    empty = make_theme("nothing yet", 3)
    (de,) = demand.theme_demand([empty], now=now)
    assert (de.supporters, de.votes, de.untriaged, de.growth[7].current) == (0, 0, 0, 0)
    assert len(de.weeks) == 12


def test_demand_takes_a_fixed_number_of_queries(demand_set):
    from sqlalchemy import event

    themes = [demand_set["a"], demand_set["b"], demand_set["c"]]
    themes += [make_theme(f"extra {i}", 10 + i) for i in range(5)]
    [t.id for t in themes]  # load the expired objects first: only demand's queries count
    statements = []

    def count(*_args):
        statements.append(1)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        demand.theme_demand(themes)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    # Supporters, items, weighted supporters, and the segment rules (no segments: no
    # companies query): four, whatever the number of themes.
    assert len(statements) == 4


@pytest.mark.parametrize(
    "sort, order",
    [
        (None, "bac"),
        ("supporters", "bac"),
        ("votes", "abc"),
        ("growth", "abc"),
        ("untriaged", "cab"),
        ("nonsense", "bac"),
    ],
)
def test_themes_page_ranks_by_demand(demand_set, client, make_user, sort, order):
    staff = make_user(role="staff")
    client.login(staff.email)
    url = "/staff/themes/" + (f"?sort={sort}" if sort else "")
    response = client.get(url)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert theme_order(html) == [demand_set[k].id for k in order]
    # Every theme has its 12-week chart, drawn as SVG (no script, no style attribute).
    assert html.count('data-testid="weekly-chart"') == 3
    assert html.count("<rect ") == 36
    assert "style=" not in html.split("<main", 1)[1]


def test_themes_page_shows_the_figures(demand_set, client, make_user):
    staff = make_user(role="staff")
    client.login(staff.email)
    html = client.get("/staff/themes/").get_data(as_text=True)
    a = demand_set["a"]
    row = html.split(f'data-theme-id="{a.id}"', 1)[1].split("</tr>", 1)[0]
    cells = dict(re.findall(r'data-testid="([\w-]+)">\s*(?:<span[^>]*>)?([+-]?\d+)', row))
    assert cells == {
        "supporters": "5",
        "weighted": "5",  # nobody is in a weighted segment: everyone weighs 1
        "votes": "8",
        "growth-7": "+3",
        "growth-30": "+3",
        "untriaged": "2",
    }
    assert "(3 vs 0)" in row and "(4 vs 1)" in row
    page = client.get(f"/staff/themes/{a.id}").get_data(as_text=True)
    assert 'data-testid="weekly-chart"' in page and 'data-testid="supporters">5<' in page


# --- early warning -----------------------------------------------------------------------


def spread(theme, make_idea, board, starts: list[datetime]) -> list[Idea]:
    """One idea (new author each) posted at each time, all in `theme`."""
    made = [posted(make_idea(f"Idea at {at:%Y-%m-%d %H}", board=board), at) for at in starts]
    put(theme, *made)
    return made


def test_a_jump_is_flagged_once_and_announced_to_staff(app, make_idea, make_board, make_user):
    now = utcnow()
    week = alerts.alert_week(now)
    board = make_board()
    rising = make_theme("offline mode", 0)
    # Baseline: 1 idea three weeks before; then 4 in the last complete week.
    spread(rising, make_idea, board, [week - timedelta(weeks=3) + timedelta(days=1)])
    spread(rising, make_idea, board, [week + timedelta(days=d, hours=9) for d in range(4)])
    # Ideas this (incomplete) week do not count yet.
    spread(rising, make_idea, board, [now - timedelta(minutes=1)])

    new = alerts.detect_alerts(now)
    db.session.commit()
    assert {(a.measure, a.value, a.baseline) for a in new} == {
        ("volume", 4.0, 0.25),
        ("supporters", 4.0, 0.25),
    }
    assert all(a.theme_id == rising.id and a.week_start == week for a in new)
    assert week.weekday() == 0 and week.hour == 0 and week.minute == 0
    events = db.session.scalars(
        select(NotificationEvent).where(NotificationEvent.kind == EventKind.theme_alert)
    ).all()
    assert len(events) == 2
    assert {e.theme_id for e in events} == {rising.id}
    assert {e.link for e in events} == {f"/staff/themes/{rising.id}"}
    assert "offline mode" in events[0].title

    # Running again (the same week, a later day) adds nothing and announces nothing.
    later = week + timedelta(weeks=1, days=6, hours=23)
    assert alerts.alert_week(later) == week
    assert alerts.detect_alerts(later) == []
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(ThemeAlert)) == 2
    assert db.session.scalar(select(func.count()).select_from(NotificationEvent)) == 2


def test_steady_and_quiet_themes_are_not_flagged(app, make_idea, make_board):
    now = utcnow()
    week = alerts.alert_week(now)
    board = make_board()
    steady = make_theme("steady", 0)
    # Three new ideas (three new supporters) every week for five weeks.
    spread(
        steady,
        make_idea,
        board,
        [
            week - timedelta(weeks=w) + timedelta(days=1, hours=h)
            for w in range(5)
            for h in (1, 2, 3)
        ],
    )
    quiet = make_theme("quiet", 1)
    spread(quiet, make_idea, board, [week + timedelta(days=2), week + timedelta(days=3)])
    assert alerts.detect_alerts(now) == []
    assert db.session.scalar(select(func.count()).select_from(ThemeAlert)) == 0


def test_flagged_theme_shows_a_badge_staff_can_dismiss(
    app, client, make_idea, make_board, make_user
):
    now = utcnow()
    week = alerts.alert_week(now)
    theme = make_theme("rising", 0, name="Offline")
    spread(theme, make_idea, make_board(), [week + timedelta(days=1, hours=h) for h in range(3)])
    (alert, _) = sorted(alerts.detect_alerts(now), key=lambda a: a.measure)
    db.session.commit()
    staff = make_user(role="staff")
    client.login(staff.email)
    html = client.get("/staff/themes/").get_data(as_text=True)
    assert html.count('data-testid="theme-alert"') == 2
    assert "3 new supporters" in html and "(usually 0.0 a week)" in html

    response = client.post(f"/staff/themes/alerts/{alert.id}/dismiss", page="/staff/themes/")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(ThemeAlert, alert.id).dismissed_at is not None
    html = client.get("/staff/themes/").get_data(as_text=True)
    assert html.count('data-testid="theme-alert"') == 1


def test_the_job_detects_alerts_and_commits(app, make_idea, make_board):
    from jobs.topics import detect_theme_alerts
    from vocportal.queue.operations import defer

    week = alerts.alert_week(utcnow())
    theme = make_theme("rising", 0)
    spread(theme, make_idea, make_board(), [week + timedelta(days=1, hours=h) for h in range(3)])
    record = defer("detect theme alerts", "jobs.topics.detect_theme_alerts", enqueue=False)
    db.session.commit()
    result = detect_theme_alerts(record.id)
    assert len(result["alerts"]) == 2
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(ThemeAlert)) == 2
    assert db.session.get(JobRecord, record.id).state.value == "finished"


# --- who may do what -----------------------------------------------------------------------


def test_customers_get_403_on_every_theme_route(client, make_user, make_idea):
    a, b = make_theme("a", 0), make_theme("b", 1)
    idea = make_idea()
    put(a, idea)
    alert = ThemeAlert(
        theme_id=a.id, week_start=datetime(2025, 1, 6), measure="volume", value=5, baseline=1
    )
    db.session.add(alert)
    db.session.commit()
    client.login(make_user().email)
    for url in ("/staff/themes/", f"/staff/themes/{a.id}", "/staff/themes/?sort=votes"):
        assert client.get(url).status_code == 403, url
    for url, data in [
        (f"/staff/themes/{a.id}/merge", {"target": b.id}),
        (f"/staff/themes/{a.id}/items/idea/{idea.id}/move", {"target": b.id}),
        (f"/staff/themes/alerts/{alert.id}/dismiss", {}),
        (f"/staff/themes/{a.id}", {"name": "Mine"}),
    ]:
        assert client.post(url, data, page="/").status_code == 403, url
    db.session.expire_all()
    assert db.session.get(Theme, a.id).status is ThemeStatus.active
    assert db.session.get(ThemeItem, ("idea", idea.id)).theme_id == a.id
    assert db.session.get(ThemeAlert, alert.id).dismissed_at is None


def test_theme_posts_need_a_csrf_token(client, make_user, make_idea):
    a, b = make_theme("a", 0), make_theme("b", 1)
    idea = make_idea()
    put(a, idea)
    alert = ThemeAlert(
        theme_id=a.id, week_start=datetime(2025, 1, 6), measure="volume", value=5, baseline=1
    )
    db.session.add(alert)
    db.session.commit()
    client.login(make_user(role="staff").email)
    for url, data in [
        (f"/staff/themes/{a.id}/merge", {"target": b.id}),
        (f"/staff/themes/{a.id}/items/idea/{idea.id}/move", {"target": b.id}),
        (f"/staff/themes/alerts/{alert.id}/dismiss", {}),
    ]:
        for token in (None, "forged"):
            sent = {**data, "csrf_token": token} if token else data
            response = client.post(url, sent, csrf=False)
            assert response.status_code == 400, url
    db.session.expire_all()
    assert db.session.get(Theme, a.id).status is ThemeStatus.active
    assert db.session.get(ThemeItem, ("idea", idea.id)).theme_id == a.id
    assert db.session.get(ThemeAlert, alert.id).dismissed_at is None
