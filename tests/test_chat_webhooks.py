"""Chat integrations: webhook endpoints whose deliveries are Slack, Microsoft Teams or
Discord messages, checked against each platform's documented shape (JSON Schemas in
tests/chat_schemas/, written from the platforms' docs) as received by a real local HTTP
receiver from a real RQ worker; boards per endpoint; the admin form."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

import jsonschema
import pytest
from sqlalchemy import select

from tests.test_jobs import run_worker
from tests.test_theme_demand import make_theme, spread
from tests.test_webhooks import deliveries
from vocportal.extensions import db
from vocportal.feedback import operations as feedback
from vocportal.feedback.models import FeedbackSource
from vocportal.ideas import commenting
from vocportal.ideas import operations as ideas
from vocportal.ideas.models import IdeaStatus
from vocportal.themes import alerts
from vocportal.timeutil import utcnow
from vocportal.webhooks import chat
from vocportal.webhooks import operations as webhooks
from vocportal.webhooks.models import DeliveryStatus, WebhookEndpoint, WebhookEvent, WebhookFormat

pytestmark = [
    pytest.mark.usefixtures("redis_url"),
    # The receiver listens on 127.0.0.1, which the portal refuses unless told otherwise.
    pytest.mark.app_config(
        JOB_RETRY_INTERVALS=[0, 0, 0, 0],
        WEBHOOK_ALLOW_PRIVATE=True,
        WEBHOOK_TIMEOUT_SECONDS=5,
        WEBHOOK_ATTEMPTS=3,
    ),
]

SCHEMAS = Path(__file__).parent / "chat_schemas"
ALL_EVENTS = [e.value for e in WebhookEvent]
HOSTILE = "Please <!channel> look & see <https://evil.example|this> @everyone"


def validator(name: str) -> jsonschema.Draft202012Validator:
    schema = json.loads((SCHEMAS / f"{name}_message.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


VALIDATORS = {f: validator(f.value) for f in chat.WRITERS}


def check(fmt: WebhookFormat, body: dict) -> None:
    """Refuse a body that is not the platform's documented shape."""
    errors = sorted(VALIDATORS[fmt].iter_errors(body), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)
    if fmt is WebhookFormat.discord:  # the one limit a schema cannot say
        for embed in body["embeds"]:
            text = [embed.get("title", ""), embed.get("description", "")]
            text += [embed.get("footer", {}).get("text", "")]
            text += [f["name"] + f["value"] for f in embed.get("fields", [])]
            assert sum(len(t) for t in text) <= 6000


@pytest.fixture
def admin(make_user):
    return make_user(role="admin")


def make_chat_endpoint(admin, url, fmt, events=None, board_ids=None) -> WebhookEndpoint:
    endpoint = webhooks.create_endpoint(admin, url, events or ALL_EVENTS, fmt, board_ids)
    db.session.commit()
    return endpoint


def fire_every_event(make_idea, make_user, make_board):
    """An idea, a status update, a staff comment, feedback and a theme alert."""
    board = make_board(name="Mobile")
    idea = make_idea(title="Dark <mode> & more", body=HOSTILE + " " + "x" * 5000, board=board)
    staff = make_user(role="staff", name="Sam")
    ideas.change_status(staff, idea, IdeaStatus.planned, "Next quarter, " + HOSTILE)
    commenting.add_comment(staff, idea, "We are on it.", official=True)
    feedback.create_feedback(
        text="The export times out. " + HOSTILE,
        source=FeedbackSource.api,
        email="jo@example.com",
        external_id="ticket-7",
        embed=False,
    )
    db.session.commit()
    now = utcnow()
    week = alerts.alert_week(now)
    theme = make_theme("offline mode", 0)
    spread(theme, make_idea, board, [week + timedelta(days=d, hours=9) for d in range(4)])
    db.session.commit()
    new = alerts.detect_alerts(now)
    db.session.commit()
    assert new
    return idea, theme


@pytest.mark.parametrize("fmt", list(chat.WRITERS), ids=lambda f: f.value)
def test_every_event_arrives_in_the_platforms_documented_shape(
    app, receiver, admin, make_idea, make_user, make_board, fmt
):
    endpoint = make_chat_endpoint(admin, receiver.url(f"/{fmt.value}"), fmt)
    receiver.statuses = [204] if fmt is WebhookFormat.discord else []  # Discord's answer
    idea, theme = fire_every_event(make_idea, make_user, make_board)
    run_worker(app, "default")

    sent = deliveries()
    events = [d.event for d in sent]
    # The other two events (answers, the weekly report): tests/test_chat_answers_reports.py.
    assert set(events) == {
        "idea.created",
        "idea.status_changed",
        "comment.created",
        "feedback.created",
        "theme.alert",
    }
    assert all(d.status is DeliveryStatus.delivered for d in sent), [d.error for d in sent]
    assert len(receiver.requests) == len(sent)
    for request in receiver.requests:
        assert request.path == f"/{fmt.value}"
        assert request.headers["Content-Type"] == "application/json"
        # Signed as every delivery is, though chat platforms ignore it.
        assert webhooks.verify_signature(
            endpoint.secret,
            request.headers["X-Vocportal-Timestamp"],
            request.body,
            request.headers["X-Vocportal-Signature"],
        )
        check(fmt, request.json)

    # One message per event (the theme's own ideas were posted too: take the first idea).
    by_event = {}
    for request in sorted(receiver.requests, key=lambda r: int(r.headers["X-Vocportal-Delivery"])):
        by_event.setdefault(request.headers["X-Vocportal-Event"], request.json)
    text = json.dumps(by_event, ensure_ascii=False)
    assert f"/ideas/{idea.id}" in text and f"/staff/themes/{theme.id}" in text
    assert "offline mode" in text and "jo@example.com" in text and "Next quarter" in text
    created = by_event["idea.created"]
    if fmt is WebhookFormat.slack:
        heading = created["blocks"][0]["text"]["text"]
        assert (
            heading.startswith("*<http://")
            and "|New idea: Dark &lt;mode&gt; &amp; more>*" in heading
        )
        # A customer cannot write a mention or a link into the channel.
        assert "<!channel>" not in text and "<https://evil.example" not in text
        assert "&lt;!channel&gt;" in heading
        assert created["blocks"][-1]["elements"][0]["url"].endswith(f"/ideas/{idea.id}")
    elif fmt is WebhookFormat.teams:
        card = created["attachments"][0]["content"]
        assert card["version"] == "1.4"
        assert card["body"][0]["text"] == "New idea: Dark <mode> & more"
        facts = {f["title"]: f["value"] for f in card["body"][2]["facts"]}
        assert facts["Board"] == "Mobile" and facts["Votes"] == "1 vote"
        assert card["actions"][0]["url"].endswith(f"/ideas/{idea.id}")
    else:
        embed = created["embeds"][0]
        assert embed["title"] == "New idea: Dark <mode> & more"
        assert embed["url"].endswith(f"/ideas/{idea.id}") and embed["color"] == 0x2563EB
        assert created["allowed_mentions"] == {"parse": []}  # "@everyone" pings nobody
        status = by_event["idea.status_changed"]["embeds"][0]
        assert status["title"] == "Dark <mode> & more: Open → Planned"
    # The long body was cut to fit, with an ellipsis.
    assert "x" * 1400 in text and "x" * 1600 not in text and "…" in text
    # The log keeps the generic envelope, whatever the format.
    logged = next(d for d in sent if d.payload["data"].get("id") == idea.id)
    assert logged.payload["data"]["title"] == "Dark <mode> & more"


@pytest.mark.parametrize(
    ("fmt", "bad"),
    [
        (WebhookFormat.slack, lambda b: b["blocks"][0]["text"].update(text="x" * 3001)),
        (WebhookFormat.slack, lambda b: b["blocks"][0]["text"].update(type="markdown")),
        (WebhookFormat.slack, lambda b: b["blocks"][1].update(fields=b["blocks"][1]["fields"] * 3)),
        (WebhookFormat.teams, lambda b: b["attachments"][0]["content"].pop("version")),
        (WebhookFormat.teams, lambda b: b["attachments"][0].update(contentType="text/html")),
        (
            WebhookFormat.teams,
            lambda b: b["attachments"][0]["content"]["body"][2]["facts"][0].pop("value"),
        ),
        (WebhookFormat.teams, lambda b: b["attachments"][0]["content"]["actions"][0].pop("url")),
        (WebhookFormat.discord, lambda b: b["embeds"][0].update(title="x" * 257)),
        (WebhookFormat.discord, lambda b: b["embeds"][0].update(description="x" * 4097)),
        (
            WebhookFormat.discord,
            lambda b: b["embeds"][0].update(fields=b["embeds"][0]["fields"] * 7),
        ),
        (WebhookFormat.discord, lambda b: b["embeds"][0].update(color="#2563eb")),
    ],
)
def test_the_schemas_refuse_what_the_platforms_refuse(app, fmt, bad):
    """The checks above can fail: a body broken in a documented way is refused."""
    data = {
        "id": 1,
        "title": "Dark mode",
        "body": "Please.",
        "status": "open",
        "board": {"id": 1, "slug": "mobile", "name": "Mobile"},
        "author": {"id": 1, "display_name": "Jo", "is_staff": False},
        "vote_count": 3,
        "url": "https://portal.example/ideas/1",
    }
    envelope = {"id": 1, "event": "idea.created", "created_at": "2026-01-01T00:00:00+00:00"}
    body = chat.render(fmt, {**envelope, "data": data})
    check(fmt, body)
    bad(body)
    with pytest.raises(AssertionError):
        check(fmt, body)


def test_boards_limit_what_an_endpoint_hears(app, receiver, admin, make_idea, make_board):
    mobile, web = make_board(name="Mobile"), make_board(name="Web")
    only_mobile = make_chat_endpoint(
        admin, receiver.url("/mobile"), WebhookFormat.slack, board_ids=[mobile.id]
    )
    everything = make_chat_endpoint(admin, receiver.url("/all"), WebhookFormat.discord)
    assert only_mobile.board_ids == [mobile.id] and everything.board_ids == []
    in_mobile = make_idea(title="Offline sync", board=mobile)
    make_idea(title="Bigger fonts", board=web)
    # New feedback is in no board yet: only endpoints for every board hear about it.
    feedback.create_feedback(
        text="Unlinked", source=FeedbackSource.api, email="a@example.com", embed=False
    )
    db.session.commit()
    sent = {
        (d.endpoint_id, d.payload["data"].get("title") or d.payload["data"].get("text"))
        for d in deliveries()
    }
    assert sent == {
        (only_mobile.id, "Offline sync"),
        (everything.id, "Offline sync"),
        (everything.id, "Bigger fonts"),
        (everything.id, "Unlinked"),
    }
    run_worker(app, "default")
    assert sorted(r.path for r in receiver.requests) == ["/all"] * 3 + ["/mobile"]
    assert in_mobile.board_id == mobile.id


def test_admin_adds_a_teams_endpoint_for_one_board(app, client, admin, make_board):
    mobile = make_board(name="Mobile")
    make_board(name="Web")
    client.login(admin.email)
    page = client.get("/staff/webhooks/").get_data(as_text=True)
    assert "Microsoft Teams" in page and "Mobile" in page
    assert re.search(r'<input checked [^>]*value="json"', page)  # JSON stays the default
    response = client.post(
        "/staff/webhooks/",
        {
            "url": "http://127.0.0.1:9/teams",
            "events": [WebhookEvent.idea_created.value, WebhookEvent.theme_alert.value],
            "format": "teams",
            "boards": [str(mobile.id)],
        },
        page="/staff/webhooks/",
    )
    assert response.status_code == 302
    endpoint = db.session.scalar(select(WebhookEndpoint))
    assert endpoint.format is WebhookFormat.teams and endpoint.board_ids == [mobile.id]
    assert endpoint.events == ["idea.created", "theme.alert"]
    shown = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Microsoft Teams" in shown and "boards: Mobile" in shown
    listing = client.get("/staff/webhooks/").get_data(as_text=True)
    assert 'data-testid="endpoint-format">Microsoft Teams<' in listing


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"format": "irc"}, "Not a valid choice"),
        ({"format": "slack", "boards": ["999999"]}, "is not a valid choice"),
        ({"format": "slack", "boards": ["abc"]}, "Invalid choice"),
    ],
)
def test_bad_format_or_board_rerenders_the_form(app, client, admin, make_board, extra, message):
    make_board(name="Mobile")
    client.login(admin.email)
    url = "http://127.0.0.1:9/hook"
    response = client.post(
        "/staff/webhooks/", {"url": url, "events": ALL_EVENTS, **extra}, page="/staff/webhooks/"
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html and f'value="{url}"' in html
    assert db.session.scalar(select(WebhookEndpoint)) is None


def test_operation_refuses_unknown_formats_and_boards(app, admin):
    from vocportal.errors import OperationError

    with pytest.raises(OperationError, match="formats"):
        webhooks.create_endpoint(admin, "http://127.0.0.1:9/", ALL_EVENTS, "irc")
    with pytest.raises(OperationError, match="boards"):
        webhooks.create_endpoint(admin, "http://127.0.0.1:9/", ALL_EVENTS, "slack", [424242])
