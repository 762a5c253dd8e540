"""The weekly voice-of-customer report: its figures against hand-computed ones on a fixed
data set, sending once per week and recipient through a real SMTP server, one-click
unsubscribe for addresses without an account, theme follows, the event, the pages."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select, update

from tests.smtp import html_of, smtp_server, text_of  # noqa: F401  (fixture)
from tests.test_theme_demand import make_theme, put
from vocportal.audit.models import AuditEntry
from vocportal.customers import operations as customers
from vocportal.extensions import db
from vocportal.ideas import operations as ideas
from vocportal.ideas import support
from vocportal.ideas.models import Idea, IdeaStatus, StatusChange, Vote
from vocportal.notifications import delivery, sending
from vocportal.notifications.models import NotificationEvent
from vocportal.queue.jobnames import REPORTS_SEND_WEEKLY
from vocportal.queue.models import JobRecord
from vocportal.reports import events, figures, operations
from vocportal.reports import sending as report_sending
from vocportal.reports.models import ReportDelivery, ReportSubscriber
from vocportal.timeutil import utcnow

pytestmark = pytest.mark.usefixtures("embedded_redis_url")


@pytest.fixture
def week():
    """A Monday two weeks back: everything the tests do "now" falls after it."""
    return figures.last_complete_week(utcnow()) - timedelta(weeks=2)


@pytest.fixture
def mail(app, smtp_server):  # noqa: F811
    url, inbox = smtp_server
    app.config["MAIL_URL"] = url
    return inbox


def dated(idea: Idea, at) -> Idea:
    """Date an idea and its author's own vote to `at`."""
    db.session.execute(update(Idea).where(Idea.id == idea.id).values(created_at=at))
    db.session.execute(
        update(Vote)
        .where(Vote.idea_id == idea.id, Vote.user_id == idea.author_id)
        .values(created_at=at)
    )
    db.session.commit()
    return idea


def vote(user, idea: Idea, at) -> None:
    support.vote(user, idea)
    db.session.flush()
    db.session.execute(
        update(Vote).where(Vote.idea_id == idea.id, Vote.user_id == user.id).values(created_at=at)
    )
    db.session.commit()


def status(staff, idea: Idea, new: IdeaStatus, at) -> StatusChange:
    """Change an idea's status at `at`, and tell its people (fan-out and emails, in-process)."""
    ideas.change_status(staff, idea, new, "")
    db.session.commit()
    change = db.session.scalars(
        select(StatusChange).where(StatusChange.idea_id == idea.id).order_by(StatusChange.id.desc())
    ).first()
    change.created_at = at
    db.session.commit()
    event = db.session.scalar(
        select(NotificationEvent).where(NotificationEvent.status_change_id == change.id)
    )
    delivery.fan_out(event.id)
    sending.send_emails(event.id)
    return change


@pytest.fixture
def dataset(app, week, make_user, make_idea):
    """The fixed data set; the comments give each figure it makes."""
    start, end = figures.window(week)
    staff = make_user(role="staff", email="staff@example.com", name="Sam Staff")
    segment = customers.save_segment(staff, None, name="Enterprise", weight=3.0, plan="enterprise")
    acme = customers.save_company(staff, None, name="Acme", plan="enterprise")
    db.session.commit()
    e1, e2 = make_user(name="Ent One"), make_user(name="Ent Two")
    for person in (e1, e2):
        customers.set_company(staff, person, acme)
    n1, n2, n3, n4, n5, n6 = (make_user() for _ in range(6))
    db.session.commit()
    day = timedelta(days=1)
    # A: posted in the week by e1; votes from n1 and e2 in the week.
    a = dated(make_idea(title="Idea A", author=e1), start + day)
    vote(n1, a, start + 2 * day)
    vote(e2, a, start + 3 * day)
    # B: posted 30 days before; n3 voted the week before, e1 in the week.
    b = dated(make_idea(title="Idea B", author=n2), start - 30 * day)
    vote(n3, b, start - 2 * day)
    vote(e1, b, start + 4 * day)
    # C: old, voted by n5, shipped in the week: n4 and n5 are told (bell and email).
    c = dated(make_idea(title="Idea C", author=n4), start - 200 * day)
    vote(n5, c, start - 150 * day)
    status(staff, c, IdeaStatus.shipped, start + 2 * day)
    # D: planned 100 days before the week: an open promise at its end (107 days).
    d = dated(make_idea(title="Idea D", author=n6), start - 150 * day)
    status(staff, d, IdeaStatus.planned, start - 100 * day)
    # E: planned 30 days before: not a promise kept open too long.
    e = dated(make_idea(title="Idea E", author=n6), start - 40 * day)
    status(staff, e, IdeaStatus.planned, start - 30 * day)
    # Themes: A alone in one (3 new supporters, none the week before); B in another (1 new,
    # 1 the week before: not rising).
    t1, t2 = make_theme("billing invoices", axis=1), make_theme("mobile app", axis=2)
    db.session.commit()
    put(t1, a)
    put(t2, b)
    return {
        "staff": staff,
        "segment": segment,
        "ideas": {"A": a, "B": b, "C": c, "D": d, "E": e},
        "themes": (t1, t2),
    }


def test_figures_match_the_hand_computed_ones(app, week, dataset):
    f = figures.build_figures(week)
    a, b, c, d = (dataset["ideas"][k] for k in "ABCD")
    t1 = dataset["themes"][0]
    assert f["week_start"] == week.isoformat()
    assert f["week_end"] == (week + timedelta(days=6)).isoformat()
    # Themes rising: t1 went from 0 to 3 new supporters with 1 new item; t2 stayed at 1.
    assert f["themes_rising"] == [
        {
            "id": t1.id,
            "name": t1.display_name,
            "new_supporters": 3,
            "previous": 0,
            "change": 3,
            "new_items": 1,
        }
    ]
    # New demand: (A,e1) (A,n1) (A,e2) (B,e1): 4 requests from 3 people; Enterprise 3 x 3.0,
    # no segment 1 x 1.0.
    nd = f["new_demand"]
    assert (nd["supports"], nd["people"], nd["weighted"]) == (4, 3, 10.0)
    assert nd["segments"] == [
        {"name": "Enterprise", "weight": 3.0, "supports": 3, "weighted": 9.0},
        {"name": "No segment", "weight": 1.0, "supports": 1, "weighted": 1.0},
    ]
    assert nd["top_ideas"] == [
        {"id": a.id, "title": "Idea A", "supports": 3, "weighted": 7.0},
        {"id": b.id, "title": "Idea B", "supports": 1, "weighted": 3.0},
    ]
    # Shipped: C, its author and voter told in the bell and by email.
    assert f["shipped"] == [
        {
            "id": c.id,
            "title": "Idea C",
            "at": (week + timedelta(days=2)).isoformat(),
            "told": 2,
            "emailed": 2,
        }
    ]
    assert (f["shipped_told"], f["shipped_emailed"]) == (2, 2)
    # Open promises: D only (E was planned 30 days before).
    assert f["promises"] == [
        {
            "id": d.id,
            "title": "Idea D",
            "status": "Planned",
            "since": (week - timedelta(days=100)).isoformat(),
            "days": 107,
            "supporters": 1,
            "weighted": 1.0,
        }
    ]
    # Loop: ideas older than 7 days at the week's end: B, C, D, E; untouched by staff: B.
    # Told the outcome: C's two customers, both told.
    loop = f["loop"]
    assert (loop["older_than_week"], loop["stale"]) == (4, 1)
    assert (loop["outcome_supporters"], loop["outcome_told"], loop["told_share"]) == (2, 2, 1.0)


def test_built_once_and_announced_once(app, week, dataset):
    heard = []

    def receiver(sender, **kwargs):
        heard.append(kwargs)

    events.weekly_report_ready.connect(receiver)
    try:
        report = operations.build_report(week)
        db.session.commit()
        again = operations.build_report(week)
    finally:
        events.weekly_report_ready.disconnect(receiver)
    assert again.id == report.id
    assert len(heard) == 1
    assert heard[0]["report_id"] == report.id
    assert heard[0]["week_start"] == week
    assert heard[0]["path"] == f"/staff/reports/{week.isoformat()}"
    assert heard[0]["figures"]["new_demand"]["supports"] == 4


def _addresses(messages) -> list[str]:
    return sorted(str(m["To"]) for m in messages)


def test_each_recipient_gets_a_week_once_even_when_the_job_runs_twice(
    app, week, dataset, mail, make_user
):
    admin = make_user(role="admin", email="admin@example.com")
    make_user(role="staff", email="blocked@example.com").blocked = True
    make_user(email="customer@example.com")  # customers do not get the report
    operations.subscribe_address(admin, "Sales@Example.com")
    db.session.commit()
    before = len(mail.messages)  # the status emails of the data set
    assert report_sending.run_week(week) == 3
    assert report_sending.run_week(week) == 0
    # A stale claim of a sent row is not sent again either; a row claimed by a live send
    # is left to it.
    report = operations.report_for(week)
    db.session.execute(
        update(ReportDelivery)
        .where(ReportDelivery.report_id == report.id)
        .values(claimed_at=utcnow() - timedelta(days=1))
    )
    db.session.commit()
    assert report_sending.send_pending(report.id) == 0
    sent = mail.wait_for(before + 3)[before:]
    assert _addresses(sent) == ["admin@example.com", "sales@example.com", "staff@example.com"]
    rows = db.session.scalars(select(ReportDelivery).where(ReportDelivery.report_id == report.id))
    assert sorted((r.email, r.state.value, r.attempts) for r in rows) == [
        ("admin@example.com", "sent", 1),
        ("sales@example.com", "sent", 1),
        ("staff@example.com", "sent", 1),
    ]


def test_a_dead_workers_claim_is_sent_once_by_the_next_run(app, week, dataset, mail):
    report = operations.build_report(week)
    operations.fan_out(report)
    db.session.commit()
    row = db.session.scalar(select(ReportDelivery).where(ReportDelivery.report_id == report.id))
    fresh = utcnow()
    row.state, row.claimed_at, row.attempts = operations.DeliveryState.sending, fresh, 1
    db.session.commit()
    before = len(mail.messages)
    # A live claim is another send's: this one sends nothing and fails, so RQ retries it.
    with pytest.raises(RuntimeError, match="1 report emails are claimed by another send"):
        report_sending.send_pending(report.id)
    assert len(mail.messages) == before
    row.claimed_at = fresh - timedelta(seconds=app.config["NOTIFY_CLAIM_STALE_SECONDS"] + 1)
    db.session.commit()
    assert report_sending.send_pending(report.id) == 1
    assert len(mail.wait_for(before + 1)) == before + 1


def test_a_refused_email_is_sent_by_the_retry_and_only_once(app, week, dataset, mail):
    mail.refuse_next = 1
    before = len(mail.messages)
    with pytest.raises(RuntimeError, match="1 report emails failed"):
        report_sending.run_week(week)
    row = db.session.scalar(select(ReportDelivery))
    assert (row.state.value, row.attempts) == ("pending", 1) and "451" in row.error
    assert report_sending.run_week(week) == 1  # RQ's retry of the job
    assert report_sending.run_week(week) == 0
    assert len(mail.wait_for(before + 1)) == before + 1


def test_html_and_text_parts_carry_the_figures_and_unsubscribe_headers(app, week, dataset, mail):
    before = len(mail.messages)
    report_sending.run_week(week)
    (message,) = mail.wait_for(before + 1)[before:]
    assert message.get_content_type() == "multipart/alternative"
    assert message["Subject"].endswith(f"Voice of the customer: week of {week:%d %b %Y}")
    text, html = text_of(message), html_of(message)
    for part in (text, html):
        assert "billing invoices" in part
        assert "4 new requests from 3 people, 10.0 weighted." in part
        assert "Idea C" in part and "2 people told" in part
        assert "Idea D" in part and "planned for 107 days" in part
    assert "Enterprise (weight 3.0): 3 requests, 9.0 weighted" in text
    assert f"/staff/reports/{week.isoformat()}" in text
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # The header is folded after its name (a long URL); unfolded, it is the link.
    link = re.fullmatch(r"<(\S+)/one-click>", str(message["List-Unsubscribe"]).strip())[1]
    assert f"Unsubscribe from the weekly report with one click: {link}" in text
    assert link in html
    assert message["Message-ID"].startswith("<report-")


def test_an_address_without_an_account_unsubscribes_with_one_click(
    app, week, dataset, mail, make_user, client, new_client
):
    admin = make_user(role="admin", email="admin@example.com")
    client.login(admin.email)
    page = client.post("/admin/reports", {"email": "support@example.com"}, page="/admin/reports")
    assert page.status_code == 302
    assert db.session.scalar(
        select(AuditEntry.summary).where(AuditEntry.action == "report.subscriber_added")
    ) == ("support@example.com subscribed to the weekly report")
    before = len(mail.messages)
    report_sending.run_week(week)
    sent = mail.wait_for(before + 3)[before:]
    (message,) = [m for m in sent if m["To"] == "support@example.com"]
    header = re.fullmatch(r"<(\S+)>", str(message["List-Unsubscribe"]).strip())[1]
    path = urlsplit(header).path
    # The mail client's one-click POST: no session, no CSRF token (RFC 8058).
    answer = new_client().http.post(path, data={"List-Unsubscribe": "One-Click"})
    assert answer.status_code == 200 and answer.get_json() == {"unsubscribed": True}
    subscriber = db.session.scalar(select(ReportSubscriber))
    db.session.refresh(subscriber)
    assert subscriber.unsubscribed_at is not None
    # The next week's report does not go to the address; staff still get it.
    before = len(mail.messages)
    assert report_sending.run_week(week + timedelta(weeks=1)) == 2
    later = mail.wait_for(before + 2)[before:]
    assert "support@example.com" not in _addresses(later)


def test_the_link_in_the_email_shows_a_button_and_unsubscribes_on_post(
    app, week, dataset, mail, make_user, new_client
):
    admin = make_user(role="admin", email="admin@example.com")
    operations.subscribe_address(admin, "sales@example.com")
    db.session.commit()
    before = len(mail.messages)
    report_sending.run_week(week)
    sent = mail.wait_for(before + 3)[before:]
    (message,) = [m for m in sent if m["To"] == "sales@example.com"]
    link = re.search(r"one click: (\S+)", text_of(message))[1]
    path = urlsplit(link).path
    browser = new_client()
    shown = browser.get(path)
    assert shown.status_code == 200 and "sales@example.com" in shown.get_data(as_text=True)
    assert db.session.scalar(select(ReportSubscriber.unsubscribed_at)) is None  # GET: nothing
    done = browser.post(path, page=path)
    assert done.status_code == 200 and 'data-testid="unsubscribed"' in done.get_data(as_text=True)
    assert db.session.scalar(select(ReportSubscriber.unsubscribed_at)) is not None
    assert (
        browser.http.post(path.replace(path.split("/")[-1], "forged") + "/one-click").status_code
        == 404
    )


def test_staff_follow_a_theme_and_get_a_note_when_it_moves(app, week, dataset, mail, client):
    t1, t2 = dataset["themes"]
    client.login("staff@example.com")
    page = client.get(f"/staff/themes/{t1.id}").get_data(as_text=True)
    assert 'data-testid="theme-follow"' in page and ">Follow<" in page
    assert (
        client.post(f"/staff/themes/{t1.id}/follow", page=f"/staff/themes/{t1.id}").status_code
        == 302
    )
    assert "Following: stop" in client.get(f"/staff/themes/{t1.id}").get_data(as_text=True)
    before = len(mail.messages)
    assert report_sending.run_week(week) == 2  # the report and the note
    sent = mail.wait_for(before + 2)[before:]
    (note,) = [m for m in sent if "Themes you follow moved" in m["Subject"]]
    text = text_of(note)
    assert "billing invoices: 1 new item, 3 new supporters (+3 on the week before)" in text
    assert "mobile app" not in text
    assert note["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert report_sending.run_week(week) == 0


def test_pages_report_for_staff_admin_preview_and_send_now(
    app, week, dataset, make_user, client, new_client
):
    report = operations.build_report(week)
    db.session.commit()
    client.login("staff@example.com")
    shown = client.get(f"/staff/reports/{week.isoformat()}")
    html = shown.get_data(as_text=True)
    assert shown.status_code == 200
    assert "4 new requests from 3 people, 10.0 weighted." in html and "Idea D" in html
    assert client.get("/staff/reports/").status_code == 302
    assert client.get("/staff/reports/2020-01-01").status_code == 404  # a Wednesday
    assert client.get("/staff/reports/nonsense").status_code == 404
    assert client.get("/admin/reports").status_code == 403
    customer = new_client()
    make_user(email="someone@example.com")
    customer.login("someone@example.com")
    assert customer.get(f"/staff/reports/{week.isoformat()}").status_code == 403
    admin = new_client()
    make_user(role="admin", email="admin@example.com")
    admin.login("admin@example.com")
    preview = admin.get("/admin/reports").get_data(as_text=True)
    assert "Voice of the customer: week of" in preview and 'data-testid="preview-text"' in preview
    bad = admin.post("/admin/reports", {"email": "not an address"}, page="/admin/reports")
    assert bad.status_code == 400 and "not an address" in bad.get_data(as_text=True)
    assert admin.post("/admin/reports/send", page="/admin/reports").status_code == 302
    jobs = db.session.scalars(select(JobRecord.args).where(JobRecord.func == REPORTS_SEND_WEEKLY))
    assert list(jobs) == [[figures.last_complete_week(utcnow()).isoformat()]]
    reported = select(AuditEntry.action).where(AuditEntry.action.startswith("report."))
    assert db.session.scalars(reported).all() == ["report.sent"]
    assert report.id


def test_staff_unsubscribe_undo_and_theme_notes_stop(app, week, dataset, mail, new_client):
    t1, _t2 = dataset["themes"]
    staff = dataset["staff"]
    operations.follow_theme(staff, t1)
    db.session.commit()
    before = len(mail.messages)
    assert report_sending.run_week(week) == 2
    sent = mail.wait_for(before + 2)[before:]
    links = {
        "note" if "Themes you follow" in m["Subject"] else "report": urlsplit(
            re.fullmatch(r"<(\S+)>", str(m["List-Unsubscribe"]).strip())[1]
        ).path
        for m in sent
    }
    browser = new_client()
    for path in links.values():
        assert browser.http.post(path).get_json() == {"unsubscribed": True}
    assert not operations.follows(staff, t1)
    assert operations.staff_recipients() == []
    assert report_sending.run_week(week + timedelta(weeks=1)) == 0
    # Undo (from the page the email's link opens) brings the report back.
    page = links["report"].removesuffix("/one-click")
    assert browser.post(page + "/undo", page=page).status_code == 200
    assert [u.id for u in operations.staff_recipients()] == [staff.id]
    assert report_sending.run_week(week + timedelta(weeks=2)) == 1


def test_the_weekly_job_runs_in_a_real_worker_and_twice_sends_once(app, mail, make_user):
    from tests.test_jobs import run_worker

    make_user(role="staff", email="staff@example.com")
    week = figures.last_complete_week(utcnow())
    first = operations.defer_send(week)
    db.session.commit()
    run_worker(app, "notifications")
    again = operations.defer_send(week)  # a second tick, or "send now"
    db.session.commit()
    assert again.id != first.id
    run_worker(app, "notifications")
    db.session.expire_all()
    records = db.session.scalars(select(JobRecord).order_by(JobRecord.id)).all()
    assert [(r.state.value, r.attempts) for r in records] == [("finished", 1), ("finished", 1)]
    rows = db.session.scalars(select(ReportDelivery)).all()
    assert [(r.email, r.state.value, r.attempts) for r in rows] == [
        ("staff@example.com", "sent", 1)
    ]
    assert [m["To"] for m in mail.wait_for(1)] == ["staff@example.com"]
