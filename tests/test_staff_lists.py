"""Staff lists at scale: counts and pagers on the inbox, demand, feedback and people lists;
select-all on a page; bulk status updates that start unticked and show who will be told
before anything changes."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select

from vocportal.accounts.models import User
from vocportal.extensions import db
from vocportal.feedback import operations as feedback
from vocportal.feedback.models import FeedbackSource
from vocportal.ideas import commenting, support
from vocportal.ideas import operations as ideas
from vocportal.ideas.models import Idea, IdeaStatus, StatusChange
from vocportal.notifications import delivery
from vocportal.notifications.models import Channel, Notification, NotificationEvent
from vocportal.timeutil import utcnow
from vocportal.triage import operations as triage

pytestmark = pytest.mark.usefixtures("embedded_redis_url")

ROW_IDS = re.compile(r'<tr data-testid="inbox-row" id="idea-(\d+)"')


def bulk_ideas(board, author, n: int, title: str = "Bulk idea") -> list[int]:
    """`n` ideas written in one statement (no per-idea work); return their ids, oldest first."""
    now = utcnow()
    db.session.execute(
        insert(Idea),
        [
            {
                "board_id": board.id,
                "author_id": author.id,
                "title": f"{title} {i:03d}",
                "body": "",
                "body_html": "",
                "created_at": now - timedelta(minutes=n - i),
            }
            for i in range(n)
        ],
    )
    db.session.commit()
    return list(db.session.scalars(select(Idea.id).where(Idea.title.like(f"{title} %"))))


@pytest.fixture
def staff(client, make_user):
    user = make_user(role="staff")
    client.login(user.email)
    return user


def test_the_inbox_pages_through_every_untriaged_idea_with_its_count(
    client, staff, make_user, make_board
):
    ids = bulk_ideas(make_board(), make_user(), 120)
    first = client.get("/staff/inbox").get_data(as_text=True)
    assert "120 ideas" in first
    assert "Page 1 of 3" in first and "page=2" in first
    seen = []
    for page in (1, 2, 3):
        html = client.get(f"/staff/inbox?page={page}").get_data(as_text=True)
        seen += [int(i) for i in ROW_IDS.findall(html)]
    assert len(seen) == 120 and sorted(seen) == sorted(ids)  # every idea once, none lost
    last = client.get("/staff/inbox?page=3").get_data(as_text=True)
    assert len(ROW_IDS.findall(last)) == 20 and 'rel="next"' not in last and 'rel="prev"' in last
    # Past the end: an empty page says so instead of "Inbox zero".
    beyond = client.get("/staff/inbox?page=9").get_data(as_text=True)
    assert "Inbox zero" not in beyond and "Back to the first page" in beyond


def test_the_inbox_asks_one_staff_list_per_page_not_one_per_row(
    app, client, staff, make_user, make_board
):
    from sqlalchemy import event

    bulk_ideas(make_board(), make_user(), 60)
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert client.get("/staff/inbox").status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    staff_lists = [s for s in statements if "users.role IN" in s]
    assert len(staff_lists) == 1, len(staff_lists)  # the owner choices, once for 50 rows
    assert len(statements) < 20  # a page and a count, not a query per row


def test_select_all_on_a_page_and_no_box_ticked(app, client, staff, make_user, make_board):
    bulk_ideas(make_board(), make_user(), 3)
    html = client.get("/staff/inbox").get_data(as_text=True)
    assert 'data-select-all="bulk-form"' in html
    assert "Select all ideas on this page" in html
    boxes = re.findall(r'<input type="checkbox" name="ideas"[^>]*>', html)
    assert len(boxes) == 3 and not any("checked" in b for b in boxes)
    script = (Path(app.static_folder) / "js" / "app.js").read_text()
    assert "[data-select-all]" in script and "indeterminate" in script


def test_a_theme_bulk_form_starts_with_nothing_ticked(client, staff, make_idea):
    from tests.test_theme_demand import make_theme, put

    members = [make_idea(title=f"Sync idea {n}") for n in range(3)]
    theme = make_theme("offline sync")
    put(theme, *members)
    db.session.commit()
    html = client.get(f"/staff/themes/{theme.id}").get_data(as_text=True)
    boxes = re.findall(r'<input type="checkbox" name="ideas"[^>]*>', html)
    assert len(boxes) == 3 and not any("checked" in b for b in boxes)
    assert 'data-select-all="bulk-form"' in html


def test_demand_pages_with_its_count(client, staff, make_user, make_board):
    bulk_ideas(make_board(), make_user(), 60, title="Demand idea")
    html = client.get("/staff/demand").get_data(as_text=True)
    assert "60 ideas" in html and "Page 1 of 2" in html
    assert html.count('data-testid="demand-row"') == 50
    second = client.get("/staff/demand?page=2&weighted=0").get_data(as_text=True)
    assert second.count('data-testid="demand-row"') == 10 and 'rel="prev"' in second


def test_feedback_pages_with_its_count(client, staff):
    items = [{"text": f"Feedback number {n}", "email": f"fb{n}@example.com"} for n in range(55)]
    feedback.create_feedback_bulk(items, FeedbackSource.api, embed=False)
    db.session.commit()
    html = client.get("/staff/feedback").get_data(as_text=True)
    assert "55 feedback items" in html and "Page 1 of 2" in html
    assert html.count('data-testid="feedback-row"') == 50
    second = client.get("/staff/feedback?page=2").get_data(as_text=True)
    assert second.count('data-testid="feedback-row"') == 5
    only_api = client.get("/staff/feedback?source=api&page=2").get_data(as_text=True)
    assert "source=api" in only_api and "55 feedback items" in only_api


def test_people_list_shows_its_count(client, make_user, make_idea, add_supporters):
    admin = make_user(role="admin")
    client.login(admin.email)
    add_supporters(make_idea(), 60)
    total = db.session.scalar(select(func.count(User.id)))
    html = client.get("/admin/users").get_data(as_text=True)
    assert f"{total} people" in html and "Page 1 of 2" in html


# --- bulk status: a preview first ------------------------------------------------------------


@pytest.fixture
def supported(make_user, make_idea):
    """Two public ideas with overlapping supporters, a hidden one and one already planned.

    Told about A: its author, two voters, a follower (not the muted voter, not the staff
    member who acts). About B: its author, one of A's voters again, a commenter and the
    contact whose feedback is linked (not the blocked voter). Seven distinct people."""
    actor = make_user(role="staff")
    a_author, b_author = make_user(), make_user()
    v1, v2, follower, muted, commenter, blocked = (make_user() for _ in range(6))
    a = make_idea(title="Dark mode", author=a_author)
    b = make_idea(title="Offline mode", author=b_author)
    hidden = make_idea(title="Hidden one", votes=2)
    planned = make_idea(title="Planned one", votes=1)
    for voter in (v1, v2, muted, actor):
        support.vote(voter, a)
    support.follow(follower, a)
    support.unfollow(muted, a)
    support.vote(v1, b)
    support.vote(blocked, b)
    blocked.blocked = True
    commenting.add_comment(commenter, b, "Yes please")
    item, _ = feedback.create_feedback(
        text="We need offline",
        source=FeedbackSource.api,
        email="contact@corp.example",
        embed=False,
    )
    feedback.link(actor, item, b)
    ideas.set_idea_hidden(actor, hidden, True)
    ideas.change_status(actor, planned, IdeaStatus.planned, "")
    db.session.commit()
    return actor, [a, b, hidden, planned]


def test_bulk_preview_counts_distinct_people_and_changes_nothing(client, supported):
    actor, chosen = supported
    a, b, hidden, planned = chosen
    before = db.session.scalar(select(func.count(StatusChange.id)))
    events_before = db.session.scalar(select(func.count(NotificationEvent.id)))
    client.login(actor.email)
    refused = client.post(  # a refusal comes back as the form, before any preview
        "/staff/bulk-status", {"ideas": [str(a.id)], "status": "duplicate"}, page="/staff/inbox"
    )
    assert refused.status_code == 400
    preview = client.post(
        "/staff/bulk-status",
        {"ideas": [str(i.id) for i in chosen], "status": "planned", "next": "/staff/inbox"},
        page="/staff/inbox",
    )
    assert preview.status_code == 200
    html = preview.get_data(as_text=True)
    assert 'data-people="7"' in html and "This will notify 7 people" in html
    assert "3 ideas will become" in html  # A, B and the hidden one; the planned one is left
    assert "already planned" in html and "nobody is told" in html
    assert 'name="confirm"' in html and 'href="/staff/inbox"' in html  # Confirm / Back
    # Nothing changed, nobody told.
    db.session.expire_all()
    assert db.session.scalar(select(func.count(StatusChange.id))) == before
    assert db.session.scalar(select(func.count(NotificationEvent.id))) == events_before
    assert db.session.get(Idea, a.id).status is IdeaStatus.open

    confirm = client.post(
        "/staff/bulk-status",
        {
            "ideas": [str(i.id) for i in (a, b, hidden)],
            "status": "planned",
            "next": "/staff/inbox",
            "confirm": "1",
        },
        page="/staff/inbox",
    )
    assert confirm.status_code == 302
    db.session.expire_all()
    assert {db.session.get(Idea, i.id).status for i in (a, b, hidden)} == {IdeaStatus.planned}
    # The preview's figure is what the fan-out does: 7 distinct people got a bell row.
    new_events = list(
        db.session.scalars(
            select(NotificationEvent.id).where(
                NotificationEvent.idea_id.in_([a.id, b.id]),
                NotificationEvent.status_change_id.is_not(None),  # not the linked-feedback reply
            )
        )
    )
    assert len(new_events) == 2  # the hidden idea changed quietly
    for event_id in new_events:
        delivery.fan_out(event_id)
    db.session.commit()
    told = db.session.scalar(
        select(func.count(func.distinct(Notification.user_id))).where(
            Notification.channel == Channel.web, Notification.event_id.in_(new_events)
        )
    )
    assert told == 7


def test_status_audience_is_the_fan_out_recipients(supported):
    actor, (a, b, _hidden, _planned) = supported
    audience = triage.status_audience(actor, [a, b])
    assert audience.per_idea == {a.id: 4, b.id: 4}
    assert (audience.people, audience.by_email) == (7, 7)


def test_the_idea_page_says_how_many_people_a_status_update_tells(client, supported):
    actor, (a, _b, hidden, _planned) = supported
    client.login(actor.email)
    html = client.get(f"/ideas/{a.id}").get_data(as_text=True)
    assert "This will notify 4 people" in html
    html = client.get(f"/ideas/{hidden.id}").get_data(as_text=True)
    assert "Nobody is told: the idea is not public." in html
