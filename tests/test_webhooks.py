"""Outbound webhooks over real HTTP to a local receiver, delivered by a real RQ worker:
signatures, the four events, retries, final failure, the address check, and the pages."""

from __future__ import annotations

import ipaddress
import socket

import pytest
from sqlalchemy import func, select

from tests.conftest import PortalClient
from tests.test_jobs import run_worker
from vocportal.extensions import db
from vocportal.feedback import operations as feedback
from vocportal.feedback.models import FeedbackSource
from vocportal.ideas import commenting
from vocportal.ideas import operations as ideas
from vocportal.ideas.models import IdeaStatus
from vocportal.queue.models import JobRecord, JobState
from vocportal.webhooks import net
from vocportal.webhooks import operations as webhooks
from vocportal.webhooks.models import (
    DeliveryStatus,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)

pytestmark = [
    pytest.mark.usefixtures("redis_url"),
    # The receiver listens on 127.0.0.1, which the portal refuses unless told otherwise.
    pytest.mark.app_config(
        JOB_RETRY_INTERVALS=[0, 0, 0, 0],
        WEBHOOK_ALLOW_PRIVATE=True,
        WEBHOOK_TIMEOUT_SECONDS=5,
        WEBHOOK_ATTEMPTS=5,
    ),
]

ALL_EVENTS = [e.value for e in WebhookEvent]


@pytest.fixture
def admin(make_user):
    return make_user(role="admin")


@pytest.fixture
def make_endpoint(admin):
    def make(url: str, events: list[str] | None = None) -> WebhookEndpoint:
        endpoint = webhooks.create_endpoint(admin, url, events or ALL_EVENTS)
        db.session.commit()
        return endpoint

    return make


def deliveries() -> list[WebhookDelivery]:
    db.session.expire_all()
    return list(db.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)))


def job_for(delivery: WebhookDelivery) -> JobRecord:
    return next(
        r
        for r in db.session.scalars(select(JobRecord).where(JobRecord.kind == "webhook delivery"))
        if r.args == [delivery.id]
    )


# --- signatures --------------------------------------------------------------------------


def test_signature_verifies_with_the_secret_and_fails_otherwise():
    body = b'{"id":1,"event":"idea.created"}'
    signature = webhooks.sign("s3cret", 1_700_000_000, body)
    assert signature.startswith("sha256=") and len(signature) == 7 + 64
    ok = dict(tolerance=300, now=1_700_000_100)
    assert webhooks.verify_signature("s3cret", "1700000000", body, signature, **ok)
    assert not webhooks.verify_signature("other", "1700000000", body, signature, **ok)
    assert not webhooks.verify_signature("s3cret", "1700000000", body + b" ", signature, **ok)
    assert not webhooks.verify_signature("s3cret", "1700000001", body, signature, **ok)
    # A captured request replayed later is refused by its timestamp.
    late = dict(tolerance=300, now=1_700_000_000 + 301)
    assert not webhooks.verify_signature("s3cret", "1700000000", body, signature, **late)


# --- the events, end to end --------------------------------------------------------------


def test_idea_created_is_posted_signed_to_the_receiver(app, receiver, make_endpoint, make_idea):
    endpoint = make_endpoint(receiver.url("/hooks/in?team=1"), [WebhookEvent.idea_created.value])
    idea = make_idea(title="Dark mode", body="Please.")
    [delivery] = deliveries()
    assert delivery.status is DeliveryStatus.pending and delivery.attempts == 0
    run_worker(app, "default")

    [request] = receiver.requests
    assert request.path == "/hooks/in?team=1"
    headers = request.headers
    assert headers["Content-Type"] == "application/json"
    assert headers["X-Vocportal-Event"] == "idea.created"
    assert headers["X-Vocportal-Delivery"] == str(delivery.id)
    timestamp, signature = headers["X-Vocportal-Timestamp"], headers["X-Vocportal-Signature"]
    assert webhooks.verify_signature(endpoint.secret, timestamp, request.body, signature)
    assert not webhooks.verify_signature("another secret", timestamp, request.body, signature)

    envelope = request.json
    assert envelope["id"] == delivery.id and envelope["event"] == "idea.created"
    assert envelope["created_at"].endswith("+00:00")
    data = envelope["data"]
    assert data["id"] == idea.id and data["title"] == "Dark mode" and data["body"] == "Please."
    assert data["status"] == "open" and data["vote_count"] == 1
    assert data["url"].endswith(f"/ideas/{idea.id}")
    assert data["author"] == {
        "id": idea.author.id,
        "display_name": idea.author.display_name,
        "is_staff": False,
    }
    sent = request.body.decode()
    assert "password" not in sent and idea.author.email not in sent

    [delivery] = deliveries()
    assert delivery.status is DeliveryStatus.delivered and delivery.attempts == 1
    assert delivery.response_status == 200 and delivery.response_body == "answer 200"
    assert delivery.delivered_at is not None and delivery.error == ""
    assert job_for(delivery).state is JobState.finished


def test_status_change_and_comment_are_emitted_to_subscribers_only(
    app, receiver, make_endpoint, make_idea, make_user
):
    idea = make_idea()  # before any endpoint: nothing to send
    make_endpoint(receiver.url(), [WebhookEvent.status_changed.value])
    comments = make_endpoint(receiver.url("/comments"), [WebhookEvent.comment_created.value])
    staff = make_user(role="staff", name="Sam")
    ideas.change_status(staff, idea, IdeaStatus.planned, "Next quarter.")
    commenting.add_comment(staff, idea, "We are on it.", official=True)
    db.session.commit()
    assert [d.event for d in deliveries()] == ["idea.status_changed", "comment.created"]
    run_worker(app, "default")

    by_event = {r.headers["X-Vocportal-Event"]: r for r in receiver.requests}
    assert sorted(by_event) == ["comment.created", "idea.status_changed"]
    status = by_event["idea.status_changed"].json["data"]
    assert status["old_status"] == "open" and status["new_status"] == "planned"
    assert status["message"] == "Next quarter." and status["idea"]["id"] == idea.id
    assert status["changed_by"]["display_name"] == "Sam"
    comment = by_event["comment.created"]
    assert comment.path == "/comments"
    assert webhooks.verify_signature(
        comments.secret,
        comment.headers["X-Vocportal-Timestamp"],
        comment.body,
        comment.headers["X-Vocportal-Signature"],
    )
    data = comment.json["data"]
    assert data["body"] == "We are on it." and data["is_official"] is True
    assert data["idea"] == {"id": idea.id, "title": idea.title, "status": "planned"}
    assert all(d.status is DeliveryStatus.delivered for d in deliveries())


def test_feedback_created_is_emitted(app, receiver, make_endpoint):
    make_endpoint(receiver.url(), [WebhookEvent.feedback_created.value])
    item, created = feedback.create_feedback(
        text="The export times out.",
        source=FeedbackSource.api,
        email="Jo@Example.com",
        external_id="ticket-7",
        embed=False,
    )
    db.session.commit()
    assert created
    run_worker(app, "default")
    [request] = receiver.requests
    assert request.headers["X-Vocportal-Event"] == "feedback.created"
    assert request.json["data"] == {
        "id": item.id,
        "text": "The export times out.",
        "source": "api",
        "author": {"email": "jo@example.com"},
        "company_id": None,
        "received_at": item.received_at.isoformat() + "+00:00",
        "idea_id": None,
        "url": app.config["BASE_URL"].rstrip("/") + f"/staff/feedback/{item.id}",
    }


def test_feedback_payload_sent_through_emit(app, receiver, make_endpoint, make_user):
    """The documented hook for other channels: emit(feedback_created, feedback_payload)."""
    from vocportal.feedback.models import FeedbackItem

    make_endpoint(receiver.url(), [WebhookEvent.feedback_created.value])
    item = FeedbackItem(
        text="Love it", source=FeedbackSource.csv, external_id="row-1", author_id=make_user().id
    )
    db.session.add(item)
    db.session.flush()
    [delivery] = webhooks.emit(WebhookEvent.feedback_created, webhooks.feedback_payload(item))
    db.session.commit()
    run_worker(app, "default")
    [request] = receiver.requests
    assert request.json["id"] == delivery.id and request.json["data"]["source"] == "csv"


def test_rolled_back_event_sends_nothing(app, receiver, make_endpoint, make_user, make_board):
    make_endpoint(receiver.url())
    ideas.create_idea(make_user(), make_board(), "Never posted", "")
    db.session.rollback()
    run_worker(app, "default")
    assert receiver.requests == [] and deliveries() == []


# --- retries and failure -----------------------------------------------------------------


def test_failed_attempts_are_retried_until_delivered(
    app, receiver, make_endpoint, make_idea, make_user
):
    endpoint = make_endpoint(receiver.url(), [WebhookEvent.idea_created.value])
    receiver.statuses = [500, 500]
    make_idea()
    run_worker(app, "default")

    assert len(receiver.requests) == 3
    assert len({r.headers["X-Vocportal-Delivery"] for r in receiver.requests}) == 1
    [delivery] = deliveries()
    assert delivery.status is DeliveryStatus.delivered and delivery.attempts == 3
    assert delivery.response_status == 200 and delivery.error == ""
    record = job_for(delivery)
    assert record.state is JobState.finished and record.attempts == 3

    staff = PortalClient(app)
    staff.login(make_user(role="staff").email)
    html = staff.get(f"/staff/webhooks/{endpoint.id}").get_data(as_text=True)
    assert 'data-status="delivered"' in html and "<td>3</td>" in html


@pytest.mark.app_config(WEBHOOK_ATTEMPTS=3)
def test_delivery_is_failed_after_the_last_attempt(app, receiver, make_endpoint, make_idea):
    make_endpoint(receiver.url(), [WebhookEvent.idea_created.value])
    receiver.statuses = [500, 503, 502, 200]
    make_idea()
    run_worker(app, "default")

    assert len(receiver.requests) == 3
    [delivery] = deliveries()
    assert delivery.status is DeliveryStatus.failed and delivery.attempts == 3
    assert delivery.response_status == 502 and delivery.response_body == "answer 502"
    assert "HTTP 502" in delivery.error and delivery.delivered_at is None
    record = job_for(delivery)
    assert record.state is JobState.failed and record.attempts == 3
    assert "DeliveryFailed" in record.error


@pytest.mark.app_config(WEBHOOK_ATTEMPTS=1)
def test_redirects_are_not_followed(app, receiver, make_endpoint, make_idea):
    make_endpoint(receiver.url(), [WebhookEvent.idea_created.value])
    receiver.statuses = [302]
    make_idea()
    run_worker(app, "default")
    assert [r.path for r in receiver.requests] == ["/hook"]
    [delivery] = deliveries()
    assert delivery.status is DeliveryStatus.failed and delivery.response_status == 302


@pytest.mark.app_config(WEBHOOK_ATTEMPTS=2)
def test_unreachable_receiver_is_retried_then_failed(app, make_endpoint, make_idea):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    make_endpoint(f"http://127.0.0.1:{port}/hook", [WebhookEvent.idea_created.value])
    make_idea()
    run_worker(app, "default")
    [delivery] = deliveries()
    assert delivery.status is DeliveryStatus.failed and delivery.attempts == 2
    assert delivery.response_status is None and "ConnectionRefusedError" in delivery.error


def test_endpoint_turned_off_gets_nothing(app, receiver, admin, make_endpoint, make_idea):
    endpoint = make_endpoint(receiver.url())
    make_idea()  # queued while the endpoint was on
    webhooks.set_endpoint_active(admin, endpoint, False)
    db.session.commit()
    make_idea()  # not even queued
    run_worker(app, "default")
    assert receiver.requests == []
    [delivery] = deliveries()
    assert delivery.status is DeliveryStatus.failed and "turned off" in delivery.error


# --- the address check -------------------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "0.0.0.0",
        "224.0.0.1",
        "100.64.0.1",
        "240.0.0.1",
        "::1",
        "fe80::1",
        "fc00::1",
        "::",
        "::ffff:127.0.0.1",
        "64:ff9b::a9fe:a9fe",
        "2002:7f00:1::",
    ],
)
def test_non_public_addresses_are_refused(address):
    assert net.refusal_reason(ipaddress.ip_address(address)) is not None


@pytest.mark.parametrize("address", ["93.184.215.14", "2606:4700:4700::1111", "8.8.8.8"])
def test_public_addresses_are_allowed(address):
    assert net.refusal_reason(ipaddress.ip_address(address)) is None


@pytest.mark.parametrize(
    "url", ["ftp://example.com/x", "example.com/hook", "http://user:pw@example.com/", "http://"]
)
def test_only_plain_http_urls_are_targets(url):
    with pytest.raises(net.TargetRefused):
        net.parse_target(url)


def test_connection_goes_to_the_address_that_was_checked(app, receiver, monkeypatch):
    """Resolved once, connected to that address: the Host header keeps the name."""
    calls = []

    def fake_getaddrinfo(host, port, *args, **kwargs):
        calls.append(host)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]

    monkeypatch.setattr(socket, "getaddrinfo", fake_getaddrinfo)
    response = net.post(
        f"http://hooks.example:{receiver.port}/in",
        b"{}",
        {"Content-Type": "application/json"},
        timeout=5,
        allow_private=True,
    )
    assert response.status == 200 and calls == ["hooks.example"]
    assert receiver.requests[0].headers["Host"] == f"hooks.example:{receiver.port}"
    # A name with one public and one internal address is refused outright.
    monkeypatch.setattr(
        socket,
        "getaddrinfo",
        lambda host, port, *a, **k: [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.5", port)),
        ],
    )
    with pytest.raises(net.TargetRefused, match="10.0.0.5, a private address"):
        net.post("http://mixed.example/", b"{}", {}, timeout=5, allow_private=False)
    assert len(receiver.requests) == 1


@pytest.mark.app_config(WEBHOOK_ALLOW_PRIVATE=False)
def test_private_target_is_refused_at_creation(app, client, admin, receiver):
    client.login(admin.email)
    url = receiver.url()
    response = client.post(
        "/staff/webhooks/", {"url": url, "events": ALL_EVENTS}, page="/staff/webhooks/"
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "127.0.0.1, a loopback address" in html and f'value="{url}"' in html
    assert db.session.scalar(select(func.count()).select_from(WebhookEndpoint)) == 0
    with pytest.raises(Exception, match="loopback"):
        webhooks.create_endpoint(admin, "http://localhost/hook", ALL_EVENTS)


@pytest.mark.app_config(WEBHOOK_ALLOW_PRIVATE=False)
def test_private_target_is_refused_at_delivery_without_retry(app, receiver, admin, make_idea):
    # Stored when it was allowed (or its DNS changed since): checked again before sending.
    endpoint = WebhookEndpoint(
        url=receiver.url(), secret="x" * 43, events=ALL_EVENTS, created_by_id=admin.id
    )
    db.session.add(endpoint)
    db.session.commit()
    make_idea()
    run_worker(app, "default")
    assert receiver.requests == []
    [delivery] = deliveries()
    assert delivery.status is DeliveryStatus.failed and delivery.attempts == 1
    assert "Refused" in delivery.error and "loopback" in delivery.error
    assert job_for(delivery).attempts == 1  # no retry


@pytest.mark.app_config(WEBHOOK_ALLOW_PRIVATE=True)
def test_private_target_is_allowed_when_the_setting_says_so(app, client, admin, receiver):
    client.login(admin.email)
    response = client.post(
        "/staff/webhooks/",
        {"url": receiver.url(), "events": [WebhookEvent.idea_created.value]},
        page="/staff/webhooks/",
    )
    assert response.status_code == 302
    endpoint = db.session.scalar(select(WebhookEndpoint))
    assert endpoint.url == receiver.url() and endpoint.events == ["idea.created"]
    assert len(endpoint.secret) >= 43 and endpoint.created_by_id == admin.id
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert endpoint.secret in page  # shown to the admin, to give to the receiver


# --- pages -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "events", "message"),
    [
        ("ftp://example.com/hook", ALL_EVENTS, "Use an http:// or https:// URL."),
        ("not a url", ALL_EVENTS, "Use an http:// or https:// URL."),
        ("http://user:pw@127.0.0.1/", ALL_EVENTS, "Leave user names and passwords out"),
        ("http://127.0.0.1/hook", [], "Choose at least one event."),
    ],
)
def test_bad_endpoint_rerenders_with_the_typed_value(app, client, admin, url, events, message):
    client.login(admin.email)
    response = client.post(
        "/staff/webhooks/", {"url": url, "events": events}, page="/staff/webhooks/"
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html and f'value="{url}"' in html
    assert db.session.scalar(select(func.count()).select_from(WebhookEndpoint)) == 0


def test_admin_turns_off_and_deletes_an_endpoint(app, client, admin, make_endpoint, make_idea):
    endpoint = make_endpoint("http://127.0.0.1:9/hook")
    make_idea()
    client.login(admin.email)
    page = f"/staff/webhooks/{endpoint.id}"
    assert client.get("/staff/webhooks/").status_code == 200
    response = client.post(f"{page}/active", {"active": "0"}, page=page)
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(WebhookEndpoint, endpoint.id).active is False
    make_idea()
    assert len(deliveries()) == 1  # the idea posted while it was off was not queued
    assert client.post(f"{page}/active", {"active": "1"}, page=page).status_code == 302
    db.session.expire_all()
    assert db.session.get(WebhookEndpoint, endpoint.id).active is True
    endpoint_id = endpoint.id
    assert client.post(f"{page}/delete", page=page).status_code == 302
    db.session.expire_all()
    assert db.session.get(WebhookEndpoint, endpoint_id) is None and deliveries() == []


def test_customers_get_403_and_staff_read_without_managing(
    app, new_client, make_user, make_endpoint
):
    endpoint = make_endpoint("http://127.0.0.1:9/hook")
    customer = new_client()
    customer.login(make_user().email)
    for url in ("/staff/webhooks/", f"/staff/webhooks/{endpoint.id}"):
        assert customer.get(url).status_code == 403
    form = {"url": "http://127.0.0.1/x", "events": ALL_EVENTS}
    assert customer.post("/staff/webhooks/", form, page="/").status_code == 403

    staff = new_client()
    staff.login(make_user(role="staff").email)
    index = staff.get("/staff/webhooks/").get_data(as_text=True)
    assert endpoint.url in index and "New endpoint" not in index
    log = staff.get(f"/staff/webhooks/{endpoint.id}")
    assert log.status_code == 200 and endpoint.secret not in log.get_data(as_text=True)
    assert staff.post("/staff/webhooks/", form, page="/").status_code == 403
    for action in ("active", "delete"):
        response = staff.post(f"/staff/webhooks/{endpoint.id}/{action}", {"active": "0"}, page="/")
        assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(WebhookEndpoint, endpoint.id).active is True


def test_posts_without_csrf_token_are_refused(app, client, admin, make_endpoint):
    endpoint = make_endpoint("http://127.0.0.1:9/hook")
    client.login(admin.email)
    for url, data in (
        ("/staff/webhooks/", {"url": "http://127.0.0.1/x", "events": ALL_EVENTS}),
        (f"/staff/webhooks/{endpoint.id}/active", {"active": "0"}),
        (f"/staff/webhooks/{endpoint.id}/delete", {}),
    ):
        response = client.post(url, data, csrf=False)
        assert response.status_code == 400 and "CSRF" in response.get_data(as_text=True), url
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(WebhookEndpoint)) == 1
    assert db.session.get(WebhookEndpoint, endpoint.id).active is True
