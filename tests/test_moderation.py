"""Moderation: who is held in each mode, the staff queue, approve (which announces) and
reject (which tells the author), spam signals, blocking, and held posts reaching nobody."""

from __future__ import annotations

import re

import numpy as np
import pytest
from flask import url_for
from sqlalchemy import func, select

from tests.smtp import smtp_server, text_of  # noqa: F401  (fixture)
from tests.test_jobs import run_worker
from vocportal.accounts import operations as accounts
from vocportal.audit.models import AuditEntry
from vocportal.embeddings import operations as embeddings
from vocportal.embeddings.encoder import MODEL_NAME
from vocportal.embeddings.similar import keyword_ideas, similar_ideas
from vocportal.extensions import db
from vocportal.ideas import commenting, support
from vocportal.ideas import operations as ideas
from vocportal.ideas.models import Comment, Idea, IdeaStatus, Moderation
from vocportal.moderation import operations as moderation
from vocportal.moderation.models import ModerationReview, ReviewState
from vocportal.notifications import delivery
from vocportal.notifications.models import Channel, EventKind, Notification, NotificationEvent
from vocportal.queue.models import JobRecord
from vocportal.spamtraps import new_stamp
from vocportal.themes.reads import corpus_size
from vocportal.webhooks import operations as webhooks
from vocportal.webhooks.models import WebhookDelivery, WebhookEvent

EVERYONE = pytest.mark.app_config(MODERATION="everyone", WEBHOOK_ALLOW_PRIVATE=True)


@pytest.fixture
def staff(make_user):
    return make_user(role="staff", email="mod@example.com", name="Moderator")


@pytest.fixture
def endpoint(make_user):
    """A webhook endpoint for every event (deliveries are rows; nothing is sent here)."""
    admin = make_user(role="admin")
    webhooks.create_endpoint(admin, "http://127.0.0.1:9/hook", [e.value for e in WebhookEvent])
    db.session.commit()


def count(model, *where) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def review_of(post) -> ModerationReview:
    return moderation.review_of(post)


def announced(idea_id: int) -> dict[str, int]:
    """What has gone out about an idea: webhook deliveries, embedding jobs, notifications."""
    db.session.expire_all()
    deliveries = []
    for d in db.session.scalars(select(WebhookDelivery)):
        data = d.payload["data"]
        about = data["id"] if d.event == WebhookEvent.idea_created.value else data["idea"]["id"]
        if about == idea_id:
            deliveries.append(d.event)
    return {
        "webhooks": len(deliveries),
        "embedding_jobs": count(JobRecord, JobRecord.kind == "embed idea"),
        "notifications": count(NotificationEvent, NotificationEvent.idea_id == idea_id),
    }


def fill(client, page: str, form: dict, *, stamp: str | None = "page", honeypot: str = "") -> dict:
    """What a browser sends from `page`'s form: its CSRF token and form stamp, plus `form`."""
    html = client.get(page).get_data(as_text=True)
    data = {"csrf_token": re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)}
    if stamp == "page":
        data["started"] = re.search(r'name="started"[^>]*value="([^"]+)"', html).group(1)
    elif stamp is not None:
        data["started"] = stamp
    data["homepage"] = honeypot
    return {**data, **form}


# --- who is held ------------------------------------------------------------------------


def test_off_publishes_everything_without_signals(app, make_idea):
    idea = make_idea()
    assert idea.moderation is None and idea.is_public and review_of(idea) is None


@EVERYONE
def test_everyone_holds_every_customer_post_but_not_staff(app, make_user, make_idea, staff):
    held = make_idea(title="Dark mode for reports")
    assert held.moderation is Moderation.held and not held.is_public
    assert review_of(held).state is ReviewState.held
    assert review_of(held).reasons == ["every post is reviewed"]
    by_staff = make_idea(author=staff)
    assert by_staff.moderation is None and review_of(by_staff) is None
    comment = commenting.add_comment(make_user(), by_staff, "Please!")
    db.session.commit()
    assert comment.moderation is Moderation.held
    staff_comment = commenting.add_comment(staff, by_staff, "Noted.")
    db.session.commit()
    assert staff_comment.moderation is None
    db.session.refresh(by_staff)
    assert by_staff.comment_count == 1  # the held comment is not counted


@pytest.mark.app_config(MODERATION="new", MODERATION_NEW_POSTS=1)
def test_new_holds_until_a_person_has_a_published_post(app, make_user, make_idea, staff):
    newcomer, regular = make_user(), make_user()
    app.config["MODERATION"] = "off"  # posted before moderation was turned on
    known = make_idea(author=regular)
    app.config["MODERATION"] = "new"
    first = make_idea(author=newcomer)
    assert first.moderation is Moderation.held
    assert review_of(first).reasons == ["new poster"]
    assert make_idea(author=regular).moderation is None  # one published idea already
    assert commenting.add_comment(regular, known, "Yes").moderation is None
    moderation.approve(staff, review_of(first))
    db.session.commit()
    second = make_idea(author=newcomer)
    assert second.moderation is None and second.is_public


# --- held posts reach nobody until approved -------------------------------------------


@EVERYONE
def test_a_held_idea_reaches_nobody_until_approved(
    app, client, new_client, make_user, make_idea, staff, endpoint
):
    author = make_user(email="author@example.com")
    published = make_idea(author=staff, title="Kanban board export to CSV")
    idea = make_idea(author=author, title="Kanban swimlanes export", body="Swimlanes as columns")
    ideas.change_status(staff, idea, IdeaStatus.planned, "We like it")  # staff may act on it
    ideas.change_status(staff, published, IdeaStatus.planned)
    commenting.add_comment(staff, idea, "A question for you")
    db.session.commit()
    assert announced(idea.id) == {"webhooks": 0, "embedding_jobs": 1, "notifications": 0}
    # (the one embedding job is the staff member's published idea)

    # Pages, search, roadmap, feed and the API, for anonymous and other people.
    other = new_client()
    other.login(make_user().email)
    for http in (client, other):
        assert http.get(f"/ideas/{idea.id}").status_code == 404
        assert http.get(f"/ideas/{idea.id}/feed.atom").status_code == 404
        assert http.get(f"/api/v1/ideas/{idea.id}").status_code == 404
        for page in ("/", "/?sort=new", "/?q=swimlanes", "/?q=kanban", "/roadmap"):
            html = http.get(page).get_data(as_text=True)
            assert "Kanban swimlanes" not in html, page
        assert "Kanban board export" in http.get("/roadmap").get_data(as_text=True)
        listed = http.get("/api/v1/ideas?q=kanban").get_json()["items"]
        assert [i["id"] for i in listed] == [published.id]
    # Similar ideas, the keyword fallback too, and the themes' input.
    assert [s.idea.id for s in keyword_ideas(None, "kanban swimlanes export")] == [published.id]
    vector = np.ones(384, dtype=np.float32)
    embeddings.store_embedding("idea", idea.id, MODEL_NAME, "x", vector)
    embeddings.store_embedding("idea", published.id, MODEL_NAME, "y", vector)
    db.session.commit()
    assert [s.idea.id for s in similar_ideas(author, vector=vector)] == [published.id]
    assert corpus_size() == 1

    # The author sees it, marked; staff see it with a way to the queue.
    client.login(author.email)
    page = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert 'data-testid="moderation-idea-held"' in page and "Awaiting review" in page
    assert "only you can see it" in page
    mine = client.get(url_for("activity.section", section="ideas", _external=False))
    mine = mine.get_data(as_text=True)
    assert "Kanban swimlanes" in mine
    assert 'data-testid="activity-moderation">awaiting review' in mine
    staff_client = new_client()
    staff_client.login(staff.email)
    page = staff_client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert "moderation queue" in page

    # Approval publishes and announces it as a new idea: webhook, embedding job.
    moderation.approve(staff, review_of(idea))
    db.session.commit()
    assert idea.is_public
    assert announced(idea.id)["webhooks"] == 1
    assert count(JobRecord, JobRecord.kind == "embed idea") == 2
    assert [s.idea.id for s in keyword_ideas(None, "swimlanes")] == [idea.id]
    assert corpus_size() == 2
    assert "Kanban swimlanes" in other.get("/?q=swimlanes").get_data(as_text=True)
    assert "Kanban swimlanes" in other.get("/roadmap").get_data(as_text=True)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "moderation.approved"))
    assert (entry.actor_id, entry.target_type, entry.target_id) == (staff.id, "idea", idea.id)
    with pytest.raises(Exception, match="already approved"):
        moderation.approve(staff, review_of(idea))


@EVERYONE
def test_a_held_comment_is_seen_by_its_author_and_staff_then_announced(
    app, client, new_client, make_user, make_idea, staff, endpoint
):
    idea = make_idea(author=staff)
    follower = make_user()
    support.follow(follower, idea)
    author = make_user()
    comment = commenting.add_comment(author, idea, "Held words here")
    db.session.commit()
    before = count(WebhookDelivery, WebhookDelivery.event == WebhookEvent.comment_created.value)
    assert before == 0
    assert "Held words" not in client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    api = client.get(f"/api/v1/ideas/{idea.id}/comments").get_json()["items"]
    assert api == []
    client.login(author.email)
    page = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert "Held words" in page and 'data-testid="moderation-comment-held"' in page

    moderation.approve(staff, review_of(comment))
    db.session.commit()
    db.session.refresh(idea)
    assert idea.comment_count == 1
    after = count(WebhookDelivery, WebhookDelivery.event == WebhookEvent.comment_created.value)
    assert after == 1
    reader = new_client()
    assert "Held words" in reader.get(f"/ideas/{idea.id}").get_data(as_text=True)


@EVERYONE
def test_a_comment_on_a_held_idea_waits_for_the_idea(app, make_user, make_idea, staff):
    author = make_user()
    idea = make_idea(author=author)
    comment = commenting.add_comment(author, idea, "More detail")
    db.session.commit()
    assert "on an idea that is not published" in review_of(comment).reasons
    with pytest.raises(Exception, match="Approve the idea first"):
        moderation.approve(staff, review_of(comment))
    db.session.rollback()
    moderation.approve(staff, review_of(idea))
    moderation.approve(staff, review_of(comment))
    db.session.commit()
    assert comment.moderation is None


# --- reject ------------------------------------------------------------------------------


@EVERYONE
def test_reject_with_a_reason_reaches_the_author_in_the_bell_and_by_email(
    app, client, new_client, make_user, make_idea, staff, endpoint
):
    author = make_user(email="writer@example.com")
    bystander = make_user()
    idea = make_idea(author=author, title="Buy cheap watches")
    with pytest.raises(Exception, match="Say why"):
        moderation.reject(staff, review_of(idea), "  ")
    db.session.rollback()
    moderation.reject(staff, review_of(idea), "Advertising is not an idea.")
    db.session.commit()
    assert idea.moderation is Moderation.rejected and not idea.is_public
    assert announced(idea.id)["webhooks"] == 0

    event = db.session.scalar(select(NotificationEvent))
    assert event.kind is EventKind.moderation and event.text == "Advertising is not an idea."
    assert "was not published" in event.title
    assert {u.id for u in db.session.scalars(delivery.recipients_of(event))} == {author.id}
    delivery.fan_out(event.id)
    db.session.commit()
    rows = list(db.session.scalars(select(Notification).where(Notification.event_id == event.id)))
    assert {(r.user_id, r.channel) for r in rows} == {
        (author.id, Channel.web),
        (author.id, Channel.email),
    }
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "moderation.rejected"))
    assert (entry.target_type, entry.target_id, entry.summary) == (
        "idea",
        idea.id,
        "Advertising is not an idea.",
    )

    client.login(author.email)
    assert "Buy cheap watches" in client.get("/notifications").get_data(as_text=True)
    page = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert "Not published." in page and "Advertising is not an idea." in page
    other = new_client()
    other.login(bystander.email)
    assert other.get(f"/ideas/{idea.id}").status_code == 404
    assert other.get("/notifications").get_data(as_text=True).count("Buy cheap") == 0


def test_rejecting_a_flagged_comment_takes_it_off_and_uncounts_it(app, make_user, make_idea, staff):
    idea = make_idea(author=staff)
    from vocportal.spamtraps import SpamSignals

    comment = commenting.add_comment(
        make_user(), idea, "quick one", signals=SpamSignals(seconds=0.5)
    )
    db.session.commit()
    db.session.refresh(idea)
    assert comment.moderation is None and idea.comment_count == 1
    assert review_of(comment).state is ReviewState.flagged
    moderation.reject(staff, review_of(comment), "Off topic")
    db.session.commit()
    db.session.refresh(idea)
    assert comment.moderation is Moderation.rejected and idea.comment_count == 0
    assert comment not in ideas.visible_comments(None, idea)


# --- spam signals --------------------------------------------------------------------------


def test_spam_signals_hold_or_flag_web_posts(app, client, make_user, make_board, staff):
    board = make_board()
    person = make_user()
    client.login(person.email)
    form = client.get("/ideas/new").get_data(as_text=True)
    trap = re.search(r'<div class="trap" aria-hidden="true">.*?</div>', form, re.S).group(0)
    assert 'name="homepage"' in trap and 'tabindex="-1"' in trap and "style=" not in trap

    def post(title, body="Plain words", **kwargs):
        data = fill(
            client, "/ideas/new", {"title": title, "body": body, "board": board.id}, **kwargs
        )
        response = client.post("/ideas/new", data, csrf=False)
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return db.session.scalar(select(Idea).where(Idea.title == title))

    app.config["MODERATION_MIN_SECONDS"] = 0  # a real person takes longer than 0 s
    fine = post("A calm request")
    assert fine.is_public and review_of(fine) is None

    bot = post("Honeypot filled", honeypot="http://spam.example")
    assert bot.moderation is Moderation.held  # with MODERATION=off too
    assert review_of(bot).honeypot and "honeypot field filled in" in review_of(bot).reasons

    links = " ".join(f"https://spam{i}.example/x" for i in range(3))
    linky = post("Many links", body=links)
    assert linky.moderation is Moderation.held and review_of(linky).link_count == 3
    assert post("Two links", body=links.rsplit(" ", 1)[0]).is_public

    forged = post("Forged stamp", stamp="not-a-stamp")
    assert forged.is_public and review_of(forged).state is ReviewState.flagged
    assert review_of(forged).reasons == ["sent without a valid form stamp"]

    app.config["MODERATION_MIN_SECONDS"] = 3600  # anything sent within an hour is "fast"
    fast = post("Typed fast")
    assert fast.is_public and review_of(fast).state is ReviewState.flagged
    assert review_of(fast).seconds_to_submit < 3600

    # A comment's form carries the same traps.
    page = client.get(f"/ideas/{fine.id}").get_data(as_text=True)
    assert 'class="trap"' in page and 'name="started"' in page
    data = fill(client, f"/ideas/{fine.id}", {"body": "buy now"}, honeypot="x")
    assert client.post(f"/ideas/{fine.id}/comments", data, csrf=False).status_code == 302
    comment = db.session.scalar(select(Comment).where(Comment.body == "buy now"))
    assert comment.moderation is Moderation.held

    # The queue shows them, held first, with their signals.
    client.logout()
    client.login(staff.email)
    queue = client.get("/staff/moderation/").get_data(as_text=True)
    order = [queue.index(t) for t in ("Honeypot filled", "Many links", "Forged stamp")]
    assert order == sorted(order)
    assert "Honeypot filled in" in queue and "3 links" in queue
    assert "no form stamp" in queue


def test_a_form_stamp_is_signed(app):
    from vocportal.spamtraps import stamp_age

    assert 0 <= stamp_age(new_stamp()) < 60
    assert stamp_age(new_stamp()[:-2] + "xx") is None
    assert stamp_age(None) is None


# --- the queue over HTTP, and blocking -------------------------------------------------


@EVERYONE
def test_queue_approve_and_reject_over_http(app, client, make_user, make_idea, staff):
    held = make_idea(title="First held")
    other = make_idea(title="Second held")
    client.login(make_user().email)
    assert client.get("/staff/moderation/").status_code == 403
    client.logout()
    client.login(staff.email)
    page = client.get("/staff/moderation/").get_data(as_text=True)
    assert "2 posts waiting" in page and "First held" in page
    r1, r2 = review_of(held), review_of(other)
    response = client.post(f"/staff/moderation/{r1.id}/approve", {}, page="/staff/moderation/")
    assert response.status_code == 302
    response = client.post(
        f"/staff/moderation/{r2.id}/reject", {"reason": ""}, page="/staff/moderation/"
    )
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.get_data(as_text=True)
    response = client.post(
        f"/staff/moderation/{r2.id}/reject", {"reason": "Duplicate"}, page="/staff/moderation/"
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Idea, held.id).is_public
    assert db.session.get(Idea, other.id).moderation is Moderation.rejected
    assert 'data-testid="moderation-empty"' in client.get("/staff/moderation/").get_data(
        as_text=True
    )


@EVERYONE
def test_blocking_a_person_hides_their_pending_posts(app, make_user, make_idea, staff):
    admin = make_user(role="admin")
    spammer = make_user()
    idea = make_idea(author=spammer, title="Pending spam")
    db.session.commit()
    assert moderation.waiting_count() == 1
    accounts.set_blocked(admin, spammer, True)
    db.session.commit()
    assert moderation.waiting_count() == 0
    assert list(db.session.scalars(moderation.queue(staff))) == []
    assert not idea.is_public  # still unpublished, only gone from the queue
    accounts.set_blocked(admin, spammer, False)
    db.session.commit()
    assert [r.idea_id for r in db.session.scalars(moderation.queue(staff))] == [idea.id]


@EVERYONE
def test_approving_an_idea_withdrawn_meanwhile_announces_nothing(
    app, make_user, make_idea, staff, endpoint
):
    author = make_user()
    idea = make_idea(author=author)
    ideas.withdraw_idea(author, idea)
    moderation.approve(staff, review_of(idea))
    db.session.commit()
    assert idea.moderation is None and not idea.is_public
    assert announced(idea.id)["webhooks"] == 0
    assert count(JobRecord, JobRecord.kind == "embed idea") == 0


@EVERYONE
def test_the_api_holds_posts_too_and_says_so_to_their_author(app, client, make_user, make_board):
    from vocportal.api import operations as api_tokens

    author = make_user()
    board = make_board()
    _token, secret = api_tokens.create_token(author, "script", "write")
    db.session.commit()
    bearer = {"Authorization": f"Bearer {secret}"}
    created = client.http.post(
        "/api/v1/ideas", json={"board": board.slug, "title": "Held by API"}, headers=bearer
    )
    assert created.status_code == 201 and created.get_json()["moderation"] == "held"
    idea_id = created.get_json()["id"]
    assert client.get(f"/api/v1/ideas/{idea_id}").status_code == 404
    mine = client.http.get(f"/api/v1/ideas/{idea_id}", headers=bearer).get_json()
    assert mine["moderation"] == "held"
    assert client.get("/api/v1/ideas").get_json()["items"] == []


@pytest.mark.usefixtures("redis_url")
@pytest.mark.app_config(MODERATION="everyone", JOB_RETRY_INTERVALS=[0, 0, 0, 0])
def test_a_rejected_comment_is_emailed_to_its_author_with_the_reason(
    app,
    make_user,
    make_idea,
    staff,
    smtp_server,  # noqa: F811
):
    url, inbox = smtp_server
    app.config["MAIL_URL"] = url
    idea = make_idea(author=staff, title="Calendar sync")
    support.follow(make_user(email="follower@example.com"), idea)
    author = make_user(email="commenter@example.com")
    comment = commenting.add_comment(author, idea, "Visit my shop")
    db.session.commit()
    moderation.reject(staff, review_of(comment), "Please keep it about the idea.")
    db.session.commit()
    run_worker(app, "notifications")
    messages = inbox.wait_for(1)
    assert [m["To"] for m in messages] == ["commenter@example.com"]
    assert "Your comment on “Calendar sync” was not published" in messages[0]["Subject"]
    assert "Please keep it about the idea." in text_of(messages[0])
    assert f"/ideas/{idea.id}#c{comment.id}" in text_of(messages[0])


def test_a_decision_clears_the_anonymous_page_cache_at_once(
    app_factory, make_user, make_board, embedded_redis_url
):
    from tests.conftest import PortalClient
    from vocportal.spamtraps import SpamSignals

    web = app_factory(ANONYMOUS_PAGE_CACHE_SECONDS=600)
    reader = PortalClient(web)
    with web.app_context():
        staff = make_user(role="staff")
        author, board = make_user(), make_board()
        flagged = ideas.create_idea(author, board, "Flagged but public", "", SpamSignals(seconds=0))
        db.session.commit()
        assert review_of(flagged).state is ReviewState.flagged
        staff_id, review_id = staff.id, review_of(flagged).id
    assert "Flagged but public" in reader.get("/").get_data(as_text=True)  # now cached
    with web.app_context():
        moderation.reject(
            db.session.get(type(staff), staff_id),
            db.session.get(ModerationReview, review_id),
            "Spam",
        )
        db.session.commit()
    assert "Flagged but public" not in reader.get("/").get_data(as_text=True)
