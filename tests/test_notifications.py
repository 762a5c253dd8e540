"""Closing the loop: recipients, exactly-once delivery per channel, email over a real SMTP
server, unsubscribe, digests, the bell, and the sweeper re-driving lost work."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from redis import Redis
from sqlalchemy import func, select, update

from tests.smtp import smtp_server, text_of  # noqa: F401  (fixture)
from tests.test_jobs import run_worker
from vocportal.accounts.models import EmailPref, User
from vocportal.extensions import db
from vocportal.ideas import commenting, support
from vocportal.ideas import operations as ideas
from vocportal.ideas.models import Follow, Idea, IdeaStatus
from vocportal.notifications import delivery, sending, visibility
from vocportal.notifications.models import (
    Channel,
    DeliveryState,
    Notification,
    NotificationEvent,
)
from vocportal.queue import operations as queue
from vocportal.queue.models import JobRecord, JobState
from vocportal.timeutil import utcnow

pytestmark = [
    pytest.mark.usefixtures("redis_url"),
    pytest.mark.app_config(JOB_RETRY_INTERVALS=[0, 0, 0, 0], JOB_SWEEP_GRACE_SECONDS=0),
]


@pytest.fixture
def mail(app, smtp_server):  # noqa: F811
    """Point the app at a real local SMTP server; return its inbox."""
    url, inbox = smtp_server
    app.config["MAIL_URL"] = url
    return inbox


def rows(event_id: int, channel: Channel) -> list[Notification]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(Notification).where(
                Notification.event_id == event_id, Notification.channel == channel
            )
        )
    )


def to_of(messages) -> list[str]:
    return sorted(m["To"] for m in messages)


@pytest.fixture
def cast(make_user, make_idea):
    """An idea with an author, a voter, a commenter, a follower, a voter who opted out,
    a blocked voter, an unrelated person, and a staff member."""
    people = {
        name: make_user(email=f"{name}@example.com", name=name.capitalize())
        for name in ("author", "voter", "commenter", "follower", "quitter", "blocked", "bystander")
    }
    people["staff"] = make_user(role="staff", email="staff@example.com", name="Staff")
    idea = make_idea(author=people["author"])
    for name in ("voter", "quitter", "blocked"):
        support.vote(people[name], idea)
    commenting.add_comment(people["commenter"], idea, "Same here")
    support.follow(people["follower"], idea)
    support.unfollow(people["quitter"], idea)
    support.vote(people["quitter"], idea)  # a vote after opting out does not undo it
    people["blocked"].blocked = True
    db.session.commit()
    return idea, people


def test_recipients_of_a_status_update_and_of_a_staff_comment(cast):
    idea, people = cast
    change = ideas.change_status(people["staff"], idea, IdeaStatus.planned, "On the roadmap.")
    db.session.flush()
    event = db.session.scalar(
        select(NotificationEvent).where(NotificationEvent.status_change_id == change.id)
    )
    got = {u.email.split("@")[0] for u in db.session.scalars(delivery.recipients_of(event))}
    assert got == {"author", "voter", "commenter", "follower"}

    # A customer's comment tells nobody; a staff comment tells the author and followers
    # (the commenter follows by commenting; voters follow by voting).
    commenting.add_comment(people["bystander"], idea, "me too")
    comment = commenting.add_comment(people["staff"], idea, "Which export format do you need?")
    db.session.flush()
    events = list(
        db.session.scalars(
            select(NotificationEvent).where(NotificationEvent.comment_id.is_not(None))
        )
    )
    assert [e.comment_id for e in events] == [comment.id]
    got = {u.email.split("@")[0] for u in db.session.scalars(delivery.recipients_of(events[0]))}
    assert got == {"author", "voter", "commenter", "follower", "bystander"}
    db.session.commit()


def test_status_update_reaches_everyone_once_per_channel(app, cast, mail):
    idea, people = cast
    people["follower"].email_pref = EmailPref.never
    ideas.change_status(people["staff"], idea, IdeaStatus.shipped, "It is **live**.")
    db.session.commit()
    run_worker(app, "notifications")
    event = db.session.scalar(select(NotificationEvent))
    assert event.fanned_out_at is not None and event.recipient_count == 4

    web = rows(event.id, Channel.web)
    assert sorted(n.user.email for n in web) == [
        "author@example.com",
        "commenter@example.com",
        "follower@example.com",
        "voter@example.com",
    ]
    assert all(n.state is DeliveryState.sent and n.read_at is None for n in web)
    email_rows = rows(event.id, Channel.email)
    assert {n.user.email for n in email_rows} == {
        "author@example.com",
        "commenter@example.com",
        "voter@example.com",
    }  # the follower chose no email
    assert all(n.state is DeliveryState.sent and n.sent_at for n in email_rows)
    messages = mail.wait_for(3)
    assert to_of(messages) == [
        "author@example.com",
        "commenter@example.com",
        "voter@example.com",
    ]
    body = text_of(messages[0])
    assert "now shipped" in messages[0]["Subject"] and "It is **live**." in body

    # Running every step again (a re-driven job) delivers nothing more.
    delivery.fan_out(event.id)
    db.session.commit()
    assert sending.send_emails(event.id) == 0
    db.session.commit()
    run_worker(app, "notifications")
    assert len(rows(event.id, Channel.web)) == 4 and len(rows(event.id, Channel.email)) == 3
    assert len(mail.wait_for(4, timeout=0.5)) == 3


def test_email_unsubscribe_link_and_one_click_header(app, client, new_client, cast, mail):
    idea, people = cast
    ideas.change_status(people["staff"], idea, IdeaStatus.planned, "Soon.")
    db.session.commit()
    run_worker(app, "notifications")
    message = next(m for m in mail.wait_for(3) if m["To"] == "voter@example.com")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    header_url = message["List-Unsubscribe"].strip().strip("<>")
    link = re.search(r"Unsubscribe with one click: (\S+)", text_of(message)).group(1)
    assert header_url == link + "/one-click"
    # People with an account find everything they asked for in one place.
    assert "What became of your ideas, votes and feedback: http" in text_of(message)
    assert "/me/activity" in text_of(message)

    # The link works without logging in: the page shows one button, the button does it.
    anonymous = new_client()
    path = urlsplit(link).path
    page = anonymous.get(path)
    assert page.status_code == 200 and "unsubscribe-button" in page.get_data(as_text=True)
    assert db.session.get(Follow, (idea.id, people["voter"].id)).muted is False  # GET: no change
    done = anonymous.post(path, page=path)
    assert done.status_code == 200 and "no longer hear about" in done.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Follow, (idea.id, people["voter"].id)).muted is True

    # A forged or altered token is refused.
    assert anonymous.get(path[:-2] + "xx").status_code == 404

    # RFC 8058: the mail client's own one-click POST, with no session at all.
    commenter_mail = next(m for m in mail.messages if m["To"] == "commenter@example.com")
    one_click = urlsplit(commenter_mail["List-Unsubscribe"].strip().strip("<>")).path
    assert new_client().post(one_click, csrf=False).status_code == 200
    db.session.expire_all()
    assert db.session.get(Follow, (idea.id, people["commenter"].id)).muted is True

    # The next update reaches neither of them, on any channel.
    ideas.change_status(people["staff"], idea, IdeaStatus.in_progress, "Started.")
    db.session.commit()
    run_worker(app, "notifications")
    second = db.session.scalars(select(NotificationEvent).order_by(NotificationEvent.id)).all()[1]
    assert {n.user.email for n in rows(second.id, Channel.web)} == {
        "author@example.com",
        "follower@example.com",
    }


def test_daily_digest_sends_one_email_with_every_waiting_update(app, cast, mail):
    idea, people = cast
    people["voter"].email_pref = EmailPref.digest
    db.session.commit()
    ideas.change_status(people["staff"], idea, IdeaStatus.planned, "Planned for May.")
    commenting.add_comment(people["staff"], idea, "Would an API do instead of CSV?")
    db.session.commit()
    run_worker(app, "notifications")
    assert "voter@example.com" not in to_of(mail.wait_for(4))  # 2 updates x (author, commenter)
    waiting = db.session.scalars(
        select(Notification).where(
            Notification.user_id == people["voter"].id, Notification.channel == Channel.email
        )
    ).all()
    assert [n.state for n in waiting] == [DeliveryState.digest, DeliveryState.digest]

    assert sending.send_digests() == 1
    db.session.commit()
    digest = [m for m in mail.wait_for(5) if m["To"] == "voter@example.com"]
    assert len(digest) == 1 and "2 updates" in digest[0]["Subject"]
    text = text_of(digest[0])
    assert "Planned for May." in text and "Would an API do instead of CSV?" in text
    assert "/me/activity" in text
    assert sending.send_digests() == 0  # nothing twice
    db.session.commit()


def test_bell_shows_unread_count_list_and_mark_read(app, client, cast):
    idea, people = cast
    ideas.change_status(people["staff"], idea, IdeaStatus.planned, "Next quarter.")
    commenting.add_comment(people["staff"], idea, "Thanks all!")
    db.session.commit()
    run_worker(app, "notifications")
    client.login("voter@example.com")
    html = client.get("/").get_data(as_text=True)
    assert 'data-testid="unread-count">2<' in html
    page = client.get("/notifications").get_data(as_text=True)
    assert page.count('data-testid="notification"') == 2 and "now planned" in page
    mine = db.session.scalars(
        select(Notification)
        .where(Notification.user_id == people["voter"].id, Notification.channel == Channel.web)
        .order_by(Notification.id)
    ).all()
    opened = client.post(f"/notifications/{mine[0].id}/open", page="/notifications")
    assert opened.status_code == 302
    assert opened.headers["Location"].endswith(
        f"/ideas/{idea.id}#{mine[0].event.link.split('#')[1]}"
    )
    assert 'data-testid="unread-count">1<' in client.get("/").get_data(as_text=True)
    # Someone else's notification is not theirs to open.
    author_row = db.session.scalar(
        select(Notification).where(Notification.user_id == people["author"].id)
    )
    assert (
        client.post(f"/notifications/{author_row.id}/open", page="/notifications").status_code
        == 404
    )
    client.post("/notifications/read", page="/notifications")
    assert 'data-testid="unread-count"' not in client.get("/").get_data(as_text=True)


def test_email_preferences_page(app, client, cast):
    _idea, people = cast
    client.login("voter@example.com")
    client.post("/notifications/settings", {"email_pref": "digest"}, page="/notifications/settings")
    db.session.expire_all()
    assert db.session.get(type(people["voter"]), people["voter"].id).email_pref is EmailPref.digest
    bad = client.post(
        "/notifications/settings", {"email_pref": "hourly"}, page="/notifications/settings"
    )
    assert bad.status_code == 400 and "Not a valid choice" in bad.get_data(as_text=True)


def test_changelog_publish_notifies_supporters(app, client, make_user, make_idea, mail):
    staff = make_user(role="staff")
    voter = make_user(email="fan@example.com")
    idea = make_idea(title="Dark mode")
    support.vote(voter, idea)
    db.session.commit()
    client.login(staff.email)
    response = client.post(
        "/changelog/new",
        {"title": "November release", "body": "Dark mode is here.", "ideas": [str(idea.id)]},
        page="/changelog/new",
    )
    assert response.status_code == 302
    run_worker(app, "notifications")
    assert sorted(to_of(mail.wait_for(2))) == sorted(["fan@example.com", idea.author.email])
    assert "Shipped in [November release]" in text_of(mail.messages[0])


def test_sweeper_redrives_after_redis_loses_everything(app, cast, mail):
    idea, people = cast
    ideas.change_status(people["staff"], idea, IdeaStatus.declined, "Not for us, sorry.")
    db.session.commit()
    Redis.from_url(app.config["REDIS_URL"]).flushdb()  # the fan-out job is gone
    run_worker(app, "notifications")
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 0
    queue.sweep()
    db.session.commit()
    run_worker(app, "notifications")
    assert len(mail.wait_for(4)) == 4
    event = db.session.scalar(select(NotificationEvent))
    assert len(rows(event.id, Channel.web)) == 4

    # Now lose the send jobs instead: rows exist, emails pending, Redis empty.
    ideas.change_status(people["staff"], idea, IdeaStatus.open, "Reconsidering.")
    db.session.commit()
    second = db.session.scalars(select(NotificationEvent).order_by(NotificationEvent.id)).all()[1]
    delivery.fan_out(second.id)  # as a worker would, but its send jobs never reach Redis
    db.session.commit()
    Redis.from_url(app.config["REDIS_URL"]).flushdb()
    assert all(n.state is DeliveryState.pending for n in rows(second.id, Channel.email))
    queue.sweep()
    delivery.sweep()
    db.session.commit()
    run_worker(app, "notifications")
    assert len(mail.wait_for(8)) == 8
    assert len(mail.wait_for(9, timeout=0.5)) == 8
    assert all(n.state is DeliveryState.sent for n in rows(second.id, Channel.email))


@pytest.mark.app_config(NOTIFY_CLAIM_STALE_SECONDS=60)
def test_sweeper_releases_a_dead_workers_stale_claims(app, cast, mail):
    idea, people = cast
    ideas.change_status(people["staff"], idea, IdeaStatus.planned, "")
    db.session.commit()
    event = db.session.scalar(select(NotificationEvent))
    delivery.fan_out(event.id)
    db.session.commit()
    # A worker claims the batch and dies before sending anything.
    claimed = sending._claim(sending._pending_email(event.id), 50)
    assert len(claimed) == 4
    Redis.from_url(app.config["REDIS_URL"]).flushdb()
    assert delivery.sweep()["stale_claims"] == 0  # too recent: maybe still sending
    later = utcnow() + timedelta(seconds=120)
    # The scheduler's sweep: lost jobs first (the send job Redis forgot), then claims.
    assert queue.sweep(now=later)["requeued"] == 3  # fan-out (never run here), embed, send
    counts = delivery.sweep(now=later)
    db.session.commit()
    assert counts["stale_claims"] == 4 and counts["send_jobs"] == 0  # the job is back
    run_worker(app, "notifications")
    assert len(mail.wait_for(4)) == 4
    assert all(n.state is DeliveryState.sent for n in rows(event.id, Channel.email))


def test_smtp_refusing_mail_is_retried_then_delivered_once(app, cast, smtp_server):  # noqa: F811
    url, inbox = smtp_server
    app.config["MAIL_URL"] = url
    inbox.refuse_next = 2  # the server answers "451 try again later" twice
    idea, people = cast
    ideas.change_status(people["staff"], idea, IdeaStatus.planned, "")
    db.session.commit()
    run_worker(app, "notifications")
    event = db.session.scalar(select(NotificationEvent))
    email_rows = rows(event.id, Channel.email)
    assert all(n.state is DeliveryState.sent for n in email_rows)
    assert sorted(n.attempts for n in email_rows) == [1, 1, 2, 2]  # two were refused once
    assert to_of(inbox.wait_for(4)) == [
        "author@example.com",
        "commenter@example.com",
        "follower@example.com",
        "voter@example.com",
    ]
    assert len(inbox.wait_for(5, timeout=0.5)) == 4


def test_smtp_down_marks_emails_failed_with_the_error_and_keeps_the_bell(app, cast):
    idea, people = cast
    app.config["MAIL_URL"] = "smtp://127.0.0.1:1"  # nothing listens there
    ideas.change_status(people["staff"], idea, IdeaStatus.planned, "")
    db.session.commit()
    run_worker(app, "notifications")
    event = db.session.scalar(select(NotificationEvent))
    email_rows = rows(event.id, Channel.email)
    assert all(n.state is DeliveryState.failed for n in email_rows)
    assert all(n.attempts == sending.MAX_EMAIL_ATTEMPTS for n in email_rows)
    assert all("ConnectionRefused" in n.error for n in email_rows)
    assert len(rows(event.id, Channel.web)) == 4  # the bell does not wait for email


# --- titles that are not one line, messages that cannot be built ---------------------------


@pytest.mark.parametrize(
    "raw_title",
    [
        "Export to CSV\r\nBcc: everyone@example.com\r\n\r\nInjected body",  # header-shaped
        "Export to CSV\r\nplease, monthly",  # a second line: the headers after it fell in
    ],
)
def test_a_stored_title_with_line_breaks_still_makes_a_correct_email(app, cast, mail, raw_title):
    idea, people = cast
    # Rows stored before titles were checked, written straight into the database: the
    # idea's title, and an event recorded from it before the fix.
    db.session.execute(
        update(Idea).where(Idea.id == idea.id).values(title=raw_title),
        execution_options={"synchronize_session": False},
    )
    db.session.commit()
    db.session.expire_all()
    ideas.change_status(people["staff"], idea, IdeaStatus.planned, "On the roadmap.")
    db.session.commit()
    db.session.execute(
        update(NotificationEvent).values(title=f"{raw_title}: now planned"),
        execution_options={"synchronize_session": False},
    )
    db.session.commit()
    run_worker(app, "notifications")

    messages = mail.wait_for(4)
    assert to_of(messages) == [
        "author@example.com",
        "commenter@example.com",
        "follower@example.com",
        "voter@example.com",
    ]
    one_line = " ".join(raw_title.split())
    for message in messages:
        assert message.defects == []
        assert message["Subject"] == f"[{app.config['PORTAL_NAME']}] {one_line}: now planned"
        assert message["Bcc"] is None and message["Auto-Submitted"] == "auto-generated"
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        header_url = message["List-Unsubscribe"].strip().strip("<>")
        body = text_of(message)
        link = re.search(r"Unsubscribe with one click: (\S+)", body).group(1)
        assert header_url == link + "/one-click"
        assert "On the roadmap." in body
    event = db.session.scalar(select(NotificationEvent))
    assert all(n.state is DeliveryState.sent for n in rows(event.id, Channel.email))


def test_new_events_get_one_line_titles(app, cast):
    idea, people = cast
    db.session.execute(
        update(Idea).where(Idea.id == idea.id).values(title="Export\r\n to CSV"),
        execution_options={"synchronize_session": False},
    )
    db.session.commit()
    db.session.expire_all()
    ideas.change_status(people["staff"], idea, IdeaStatus.planned, "")
    commenting.add_comment(people["staff"], idea, "Which format?")
    db.session.commit()
    titles = db.session.scalars(select(NotificationEvent.title).order_by(NotificationEvent.id))
    team = ideas.portal_team()
    assert list(titles) == [
        "Export to CSV: now planned",
        f"Staff ({team}) commented on Export to CSV",
    ]


def store_unsendable_address(user, email: str) -> None:
    """Write an address as one stored before addresses were checked (no To header can
    carry it), past the model's validation."""
    db.session.execute(
        update(User).where(User.id == user.id).values(email=email),
        execution_options={"synchronize_session": False},
    )
    db.session.commit()
    db.session.expire_all()


def test_a_message_that_cannot_be_built_fails_alone_and_the_batch_goes_on(app, cast, mail):
    idea, people = cast
    # An address stored before addresses were checked: it cannot be a To header.
    store_unsendable_address(people["voter"], "voter@example.com\r\nBcc: everyone@example.com")
    ideas.change_status(people["staff"], idea, IdeaStatus.planned, "On the roadmap.")
    db.session.commit()
    run_worker(app, "notifications")

    assert to_of(mail.wait_for(3)) == [
        "author@example.com",
        "commenter@example.com",
        "follower@example.com",
    ]
    event = db.session.scalar(select(NotificationEvent))
    by_person = {n.user_id: n for n in rows(event.id, Channel.email)}
    broken = by_person.pop(people["voter"].id)
    assert broken.state is DeliveryState.failed and broken.attempts == 1
    assert "cannot be built" in broken.error and "address" in broken.error
    assert all(n.state is DeliveryState.sent for n in by_person.values())

    # A permanent failure is not re-driven: the sweeper and another run leave it failed.
    later = utcnow() + timedelta(hours=1)
    queue.sweep(now=later)
    assert set(delivery.sweep(now=later).values()) == {0}
    db.session.commit()
    run_worker(app, "notifications")
    assert sending.send_emails(event.id) == 0
    db.session.commit()
    assert db.session.get(Notification, broken.id).attempts == 1
    assert len(mail.wait_for(4, timeout=0.5)) == 3


@pytest.mark.app_config(NOTIFY_CLAIM_STALE_SECONDS=60)
def test_sweeper_gives_up_on_a_claim_that_never_finishes(app, cast, mail):
    idea, people = cast
    ideas.change_status(people["staff"], idea, IdeaStatus.planned, "")
    db.session.commit()
    event = db.session.scalar(select(NotificationEvent))
    delivery.fan_out(event.id)
    db.session.commit()
    # A message that kills the worker (or a job that raises) each time it is claimed: the
    # sweeper releases the stale claim, up to MAX_EMAIL_ATTEMPTS claims, then gives up.
    for attempt in range(1, sending.MAX_EMAIL_ATTEMPTS + 1):
        assert len(sending._claim(sending._pending_email(event.id), 50)) == 4
        counts = delivery.sweep(now=utcnow() + timedelta(seconds=120))
        db.session.commit()
        if attempt < sending.MAX_EMAIL_ATTEMPTS:
            assert counts["stale_claims"] == 4 and counts["given_up"] == 0
    assert counts["stale_claims"] == 0 and counts["given_up"] == 4
    email_rows = rows(event.id, Channel.email)
    assert all(n.state is DeliveryState.failed for n in email_rows)
    assert all("never finished" in n.error for n in email_rows)
    assert sending._claim(sending._pending_email(event.id), 50) == []
    run_worker(app, "notifications")
    assert mail.wait_for(1, timeout=0.5) == []


def test_a_digest_that_cannot_be_built_fails_alone(app, cast, mail):
    idea, people = cast
    for name in ("author", "voter"):
        people[name].email_pref = EmailPref.digest
    store_unsendable_address(people["voter"], "voter@example.com\nBcc: everyone@example.com")
    ideas.change_status(people["staff"], idea, IdeaStatus.planned, "On the roadmap.")
    db.session.commit()
    run_worker(app, "notifications")
    assert to_of(mail.wait_for(2)) == ["commenter@example.com", "follower@example.com"]

    assert sending.send_digests() == 1
    db.session.commit()
    assert to_of(mail.wait_for(3)) == [
        "author@example.com",
        "commenter@example.com",
        "follower@example.com",
    ]
    event = db.session.scalar(select(NotificationEvent))
    voter_row = next(n for n in rows(event.id, Channel.email) if n.user_id == people["voter"].id)
    assert voter_row.state is DeliveryState.failed and "digest cannot be built" in voter_row.error
    assert sending.send_digests() == 0


# --- what was concealed after it was announced ---------------------------------------------


def _bell(client) -> str:
    return client.get("/notifications").get_data(as_text=True)


@pytest.mark.parametrize("how", ["hidden", "withdrawn"])
def test_an_idea_concealed_after_its_news_was_recorded_is_named_to_no_customer(
    app, new_client, cast, mail, make_user, how
):
    idea, people = cast
    idea.title = "Secret roadmap idea"
    watcher = make_user(role="staff", email="watcher@example.com", name="Watcher")
    support.follow(watcher, idea)
    people["commenter"].email_pref = EmailPref.digest
    db.session.commit()
    ideas.change_status(people["staff"], idea, IdeaStatus.planned, "Planned for May.")
    commenting.add_comment(people["staff"], idea, "Which export format do you need?")
    db.session.commit()  # both recorded (and their fan-outs deferred) while it was public
    if how == "hidden":
        ideas.set_idea_hidden(people["staff"], idea, True)
    else:
        ideas.withdraw_idea(people["author"], idea)
    db.session.commit()
    run_worker(app, "notifications")
    assert sending.send_digests() == 0
    db.session.commit()

    # Emails: staff still hear (they see hidden ideas), and so does the author of a withdrawn
    # idea; every other email is skipped with the reason, the digest one too.
    told = ["watcher@example.com"] * 2 + (["author@example.com"] * 2 if how == "withdrawn" else [])
    assert to_of(mail.wait_for(len(told))) == sorted(told)
    assert len(mail.wait_for(len(told) + 1, timeout=0.5)) == len(told)
    email_rows = list(
        db.session.scalars(select(Notification).where(Notification.channel == Channel.email))
    )
    skipped = {(n.user.email.split("@")[0], n.state, n.error) for n in email_rows}
    names = {"voter", "follower", "commenter"} | ({"author"} if how == "hidden" else set())
    assert skipped == {(name, DeliveryState.skipped, visibility.CONCEALED) for name in names} | {
        (name, DeliveryState.sent, "") for name in {"watcher", "author"} - names
    }

    # The bell: nothing for the customers who may no longer see it, everything for staff.
    voter = new_client()
    voter.login("voter@example.com")
    page = _bell(voter)
    assert "Secret roadmap idea" not in page and "Which export format" not in page
    assert 'data-testid="notification"' not in page
    assert 'data-testid="unread-count"' not in voter.get("/").get_data(as_text=True)
    hidden_row = db.session.scalar(
        select(Notification).where(
            Notification.user_id == people["voter"].id, Notification.channel == Channel.web
        )
    )
    assert voter.post(f"/notifications/{hidden_row.id}/open", page="/").status_code == 404
    staff = new_client()
    staff.login("watcher@example.com")
    assert _bell(staff).count("Secret roadmap idea") == 2
    author = new_client()
    author.login("author@example.com")
    assert ("Secret roadmap idea" in _bell(author)) is (how == "withdrawn")

    # Shown again, the news is back in the bell (only unsent emails were dropped).
    if how == "hidden":
        ideas.set_idea_hidden(people["staff"], idea, False)
        db.session.commit()
        assert _bell(voter).count("Secret roadmap idea") == 2


def test_a_staff_comment_hidden_after_it_was_announced_is_named_to_no_customer(
    app, new_client, cast, mail
):
    idea, people = cast
    comment = commenting.add_comment(people["staff"], idea, "Rude words staff took back")
    db.session.commit()
    commenting.set_comment_hidden(people["staff"], comment, True)
    db.session.commit()
    run_worker(app, "notifications")

    email_rows = list(
        db.session.scalars(select(Notification).where(Notification.channel == Channel.email))
    )
    assert email_rows and {(n.state, n.error) for n in email_rows} == {
        (DeliveryState.skipped, visibility.CONCEALED)
    }
    assert mail.wait_for(1, timeout=0.5) == []
    voter = new_client()
    voter.login("voter@example.com")
    assert "Rude words" not in _bell(voter)
    # News about the idea itself still reaches them.
    ideas.change_status(people["staff"], idea, IdeaStatus.planned, "Planned.")
    db.session.commit()
    run_worker(app, "notifications")
    assert "now planned" in _bell(voter) and "Rude words" not in _bell(voter)


def test_a_password_reset_to_an_address_no_email_can_carry_fails_once_not_retried(
    app, make_user, mail
):
    user = make_user(email="ann@example.com")
    broken = "ann@example.com\r\nbcc: everyone@example.com"  # stored before addresses were checked
    db.session.execute(
        update(User).where(User.id == user.id).values(email=broken),
        execution_options={"synchronize_session": False},
    )
    record = queue.defer(
        "password reset email", "jobs.mail.send_password_reset", broken, queue="notifications"
    )
    db.session.commit()
    assert record.max_attempts == 3
    run_worker(app, "notifications")
    run_worker(app, "notifications")  # a retry, if one had been scheduled, would run here

    record = db.session.get(JobRecord, record.id)
    db.session.refresh(record)
    assert record.state is JobState.failed and record.attempts == 1
    assert "MessageBuildError" in record.error and "cannot be a recipient" in record.error
    assert queue.sweep() == {"requeued": 0, "failed": 0, "finished": 0}  # not re-driven
    assert mail.wait_for(1, timeout=0.5) == []
