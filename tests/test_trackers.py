"""Issue trackers: links from ideas to GitHub, GitLab, Jira and Linear issues; each
tracker's webhook, shaped and signed as it documents, sent over HTTP to the running portal
(a wrong signature, a replay, an unknown issue); the status move reaching every supporter
once; the comment a link posts, at a local receiver through a real worker."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
import uuid

import pytest
from sqlalchemy import func, select

from tests.conftest import PortalClient
from tests.test_browser import serving
from tests.test_jobs import run_worker
from vocportal.extensions import db
from vocportal.ideas.models import Idea, IdeaStatus, StatusChange, Vote
from vocportal.notifications.models import Channel, Notification, NotificationEvent
from vocportal.trackers import operations as trackers
from vocportal.trackers import providers
from vocportal.trackers.models import CommentState, IssueState, Tracker, TrackerLink

SECRETS = {
    "TRACKER_GITHUB_SECRET": "gh-secret",
    "TRACKER_GITLAB_SECRET": "gl-token",
    "TRACKER_JIRA_SECRET": "jira-secret",
    "TRACKER_LINEAR_SECRET": "lin_wh_secret",
}

pytestmark = [
    pytest.mark.app_config(
        **SECRETS,
        JOB_RETRY_INTERVALS=[0, 0, 0],
        WEBHOOK_ALLOW_PRIVATE=True,
        WEBHOOK_TIMEOUT_SECONDS=5,
        WEBHOOK_ATTEMPTS=3,
    ),
]

ISSUE_URLS = {
    Tracker.github: ("https://github.com/acme/app/issues/12", "acme/app#12"),
    Tracker.gitlab: ("https://gitlab.com/acme/tools/app/-/issues/12", "acme/tools/app#12"),
    Tracker.jira: ("https://acme.atlassian.net/browse/APP-12", "APP-12"),
    Tracker.linear: ("https://linear.app/acme/issue/ENG-12/offline-mode", "ENG-12"),
}


def _sig(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def closed_delivery(
    tracker: Tracker,
    key: str,
    *,
    secret: str | None = None,
    delivery=None,
    not_planned: bool = False,
) -> tuple[dict, bytes]:
    """Headers and body of an "issue closed" delivery as each tracker documents it."""
    delivery = delivery or str(uuid.uuid4())
    if tracker is Tracker.github:
        repo, number = key.rsplit("#", 1)
        data = {
            "action": "closed",
            "issue": {
                "number": int(number),
                "state": "closed",
                "state_reason": "not_planned" if not_planned else "completed",
                "html_url": f"https://github.com/{repo}/issues/{number}",
            },
            "repository": {"full_name": repo},
            "sender": {"login": "octocat"},
        }
        body = json.dumps(data).encode()
        secret = secret or SECRETS["TRACKER_GITHUB_SECRET"]
        headers = {
            "X-GitHub-Event": "issues",
            "X-GitHub-Delivery": delivery,
            "X-Hub-Signature-256": "sha256=" + _sig(secret, body),
        }
    elif tracker is Tracker.gitlab:
        project, number = key.rsplit("#", 1)
        data = {
            "object_kind": "issue",
            "event_type": "issue",
            "project": {"path_with_namespace": project},
            "object_attributes": {"iid": int(number), "action": "close", "state": "closed"},
        }
        body = json.dumps(data).encode()
        headers = {
            "X-Gitlab-Event": "Issue Hook",
            "Idempotency-Key": delivery,
            "X-Gitlab-Token": secret or SECRETS["TRACKER_GITLAB_SECRET"],
        }
    elif tracker is Tracker.jira:
        data = {
            "timestamp": int(time.time() * 1000),
            "webhookEvent": "jira:issue_updated",
            "issue": {
                "key": key,
                "fields": {
                    "status": {"name": "Done", "statusCategory": {"key": "done"}},
                    "resolution": {"name": "Won't Do" if not_planned else "Done"},
                },
            },
        }
        body = json.dumps(data).encode()
        secret = secret or SECRETS["TRACKER_JIRA_SECRET"]
        headers = {
            "X-Atlassian-Webhook-Identifier": delivery,
            "X-Hub-Signature": "sha256=" + _sig(secret, body),
        }
    else:
        data = {
            "action": "update",
            "type": "Issue",
            "webhookTimestamp": int(time.time() * 1000),
            "data": {
                "identifier": key,
                "state": {
                    "type": "canceled" if not_planned else "completed",
                    "name": "Done",
                },
            },
        }
        body = json.dumps(data).encode()
        secret = secret or SECRETS["TRACKER_LINEAR_SECRET"]
        headers = {
            "Linear-Event": "Issue",
            "Linear-Delivery": delivery,
            "Linear-Signature": _sig(secret, body),
        }
    return {"Content-Type": "application/json", **headers}, body


def send(portal: str, tracker: Tracker, headers: dict, body: bytes) -> tuple[int, dict]:
    """POST to the running portal's tracker webhook, as the tracker would."""
    request = urllib.request.Request(
        f"{portal}/hooks/trackers/{tracker.value}",
        data=body,
        method="POST",
        headers={**headers, "Host": "portal.test"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.loads(error.read())


@pytest.fixture
def portal(app):
    with serving(app) as url:
        yield url


@pytest.fixture
def staff(make_user):
    return make_user(role="staff", name="Sam")


def status_changes(idea_id: int) -> int:
    return db.session.scalar(
        select(func.count()).select_from(StatusChange).where(StatusChange.idea_id == idea_id)
    )


# --- issue addresses ----------------------------------------------------------------------


@pytest.mark.parametrize("tracker", list(Tracker), ids=lambda t: t.value)
def test_issue_addresses_name_their_tracker_and_key(tracker):
    url, key = ISSUE_URLS[tracker]
    ref = providers.parse_issue_url(url)
    assert (ref.tracker, ref.key) == (tracker, key)


@pytest.mark.parametrize(
    "url",
    [
        "",
        "github.com/acme/app/issues/12",
        "https://github.com/acme/app/pull/3",
        "https://acme.atlassian.net/browse/app-12",
        "javascript:alert(1)",
        "https://example.com/",
    ],
)
def test_other_addresses_are_not_issues(url):
    with pytest.raises(providers.NotAnIssueUrl):
        providers.parse_issue_url(url)


# --- the inbound loop ---------------------------------------------------------------------


@pytest.mark.parametrize("tracker", list(Tracker), ids=lambda t: t.value)
def test_closed_issue_ships_the_idea_once_and_tells_every_supporter(
    app, portal, staff, make_idea, tracker
):
    url, key = ISSUE_URLS[tracker]
    idea = make_idea(title="Offline mode", votes=3)
    trackers.link_issue(staff, idea, url)
    db.session.commit()
    headers, body = closed_delivery(tracker, key)

    status, answer = send(portal, tracker, headers, body)
    assert status == 200, answer
    assert answer["outcome"] == "moved 1 of 1 linked ideas to shipped"
    db.session.expire_all()
    assert db.session.get(Idea, idea.id).status is IdeaStatus.shipped
    assert status_changes(idea.id) == 1

    # A replay of the same delivery (or the tracker's retry) moves nothing again.
    status, answer = send(portal, tracker, headers, body)
    assert (status, answer["outcome"]) == (200, "already handled")
    assert status_changes(idea.id) == 1

    # Every supporter (the author and the three voters) hears of it once, in the bell.
    run_worker(app, "notifications")
    [event] = db.session.scalars(
        select(NotificationEvent).where(
            NotificationEvent.idea_id == idea.id, NotificationEvent.status_change_id.is_not(None)
        )
    ).all()
    told = db.session.execute(
        select(Notification.user_id, Notification.channel).where(Notification.event_id == event.id)
    ).all()
    assert len(told) == len(set(told))  # once per person and channel
    supporters = set(db.session.scalars(select(Vote.user_id).where(Vote.idea_id == idea.id)))
    assert len(supporters) == 4  # the author and three voters
    assert {user for user, channel in told if channel is Channel.web} == supporters


@pytest.mark.parametrize("tracker", list(Tracker), ids=lambda t: t.value)
def test_a_wrong_signature_is_refused_and_moves_nothing(app, portal, staff, make_idea, tracker):
    url, key = ISSUE_URLS[tracker]
    idea = make_idea()
    trackers.link_issue(staff, idea, url)
    db.session.commit()
    headers, body = closed_delivery(tracker, key, secret="not the secret")
    status, answer = send(portal, tracker, headers, body)
    assert status == 401 and "signature" in answer["error"]
    # A body changed after signing is refused too.
    headers, body = closed_delivery(tracker, key)
    if tracker is not Tracker.gitlab:  # GitLab sends its token, it signs no body
        status, _ = send(portal, tracker, headers, body.replace(b"}", b" }", 1))
        assert status == 401
    db.session.expire_all()
    assert db.session.get(Idea, idea.id).status is IdeaStatus.open
    assert status_changes(idea.id) == 0


@pytest.mark.parametrize("tracker", list(Tracker), ids=lambda t: t.value)
def test_an_unknown_issue_is_answered_and_moves_nothing(app, portal, staff, make_idea, tracker):
    idea = make_idea()
    trackers.link_issue(staff, idea, ISSUE_URLS[tracker][0])
    db.session.commit()
    other = {
        "github": "acme/app#99",
        "gitlab": "acme/app#99",
        "jira": "APP-99",
        "linear": "ENG-99",
    }[tracker.value]
    status, answer = send(portal, tracker, *closed_delivery(tracker, other))
    assert (status, answer["outcome"]) == (200, "no linked idea")
    assert status_changes(idea.id) == 0


@pytest.mark.parametrize(
    "tracker", [Tracker.github, Tracker.jira, Tracker.linear], ids=lambda t: t.value
)
def test_closed_as_not_planned_declines(app, portal, staff, make_idea, tracker):
    url, key = ISSUE_URLS[tracker]
    idea = make_idea()
    trackers.link_issue(staff, idea, url)
    db.session.commit()
    status, _ = send(portal, tracker, *closed_delivery(tracker, key, not_planned=True))
    assert status == 200
    db.session.expire_all()
    assert db.session.get(Idea, idea.id).status is IdeaStatus.declined


def test_an_old_linear_delivery_is_refused(app, portal, staff, make_idea):
    idea = make_idea()
    trackers.link_issue(staff, idea, ISSUE_URLS[Tracker.linear][0])
    db.session.commit()
    data = {
        "action": "update",
        "type": "Issue",
        "webhookTimestamp": int(time.time() - 600) * 1000,
        "data": {"identifier": "ENG-12", "state": {"type": "completed"}},
    }
    body = json.dumps(data).encode()
    headers = {
        "Linear-Delivery": str(uuid.uuid4()),
        "Linear-Signature": _sig(SECRETS["TRACKER_LINEAR_SECRET"], body),
    }
    status, answer = send(portal, Tracker.linear, headers, body)
    assert status == 401 and "webhookTimestamp" in answer["error"]
    assert status_changes(idea.id) == 0


@pytest.mark.app_config(TRACKER_GITHUB_SECRET="")
def test_a_tracker_without_a_secret_takes_nothing(app, portal):
    status, answer = send(portal, Tracker.github, *closed_delivery(Tracker.github, "a/b#1"))
    assert status == 404 and "secret" in answer["error"]
    status, _ = send(portal, Tracker.gitlab, {"X-Gitlab-Token": "gl-token"}, b"not json")
    assert status == 400
    request = urllib.request.Request(
        f"{portal}/hooks/trackers/trello",
        data=b"{}",
        method="POST",
        headers={"Host": "portal.test"},
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=30)
    refused.value.close()
    assert refused.value.code == 404


def test_events_that_move_nothing_are_recorded_as_ignored(app, portal, staff, make_idea):
    idea = make_idea()
    trackers.link_issue(staff, idea, ISSUE_URLS[Tracker.github][0])
    db.session.commit()
    body = json.dumps({"zen": "Keep it logically awesome.", "hook_id": 1}).encode()
    headers = {
        "X-GitHub-Event": "ping",
        "X-GitHub-Delivery": str(uuid.uuid4()),
        "X-Hub-Signature-256": "sha256=" + _sig("gh-secret", body),
    }
    status, answer = send(portal, Tracker.github, headers, body)
    assert (status, answer["outcome"]) == (200, "ignored: event ping")
    assert status_changes(idea.id) == 0


def test_the_admin_mapping_decides_what_moves(app, portal, staff, make_user, make_idea):
    admin = make_user(role="admin")
    client = PortalClient(app)
    client.login(admin.email)
    page = client.get("/admin/trackers").get_data(as_text=True)
    assert "No token configured: nothing is sent" in page
    choices = {s.value: "" for s in IssueState}
    answer = client.post(
        "/admin/trackers", {**choices, "completed": "duplicate"}, page="/admin/trackers"
    )
    assert answer.status_code == 400 and "Not a valid choice" in answer.get_data(as_text=True)
    answer = client.post(
        "/admin/trackers", {**choices, "started": "planned"}, page="/admin/trackers"
    )
    assert answer.status_code == 302
    assert trackers.mapping()[IssueState.completed] is None
    assert trackers.mapping()[IssueState.started] is IdeaStatus.planned

    idea = make_idea()
    trackers.link_issue(staff, idea, ISSUE_URLS[Tracker.github][0])
    db.session.commit()
    status, answer = send(portal, Tracker.github, *closed_delivery(Tracker.github, "acme/app#12"))
    assert answer["outcome"] == "ignored: closed as done is mapped to no status"
    db.session.expire_all()
    assert db.session.get(Idea, idea.id).status is IdeaStatus.open


# --- linking, and the comment on the issue ------------------------------------------------


def test_staff_link_an_issue_and_bad_addresses_get_a_message(app, staff, make_user, make_idea):
    idea = make_idea()
    client = PortalClient(app)
    page = f"/staff/ideas/{idea.id}/issues"
    client.login(make_user().email)
    assert client.get(page).status_code == 403
    client.logout()
    client.login(staff.email)
    answer = client.post(page, {"url": "https://example.com/nope"}, page=page)
    html = answer.get_data(as_text=True)
    assert answer.status_code == 400 and "not an issue address" in html
    assert 'value="https://example.com/nope"' in html  # what was typed stays
    answer = client.post(page, {"url": ISSUE_URLS[Tracker.jira][0]}, page=page)
    assert answer.status_code == 302
    answer = client.post(page, {"url": ISSUE_URLS[Tracker.jira][0]}, page=page)
    assert "already linked" in answer.get_data(as_text=True)
    shown = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert 'data-testid="tracker-panel"' in shown and "Jira APP-12" in shown
    # Customers never see the panel.
    customer = PortalClient(app)
    assert 'data-testid="tracker-panel"' not in customer.get(f"/ideas/{idea.id}").get_data(
        as_text=True
    )
    [link] = trackers.links_of(idea)
    assert link.comment_state is CommentState.skipped  # no Jira token: nothing was sent
    assert "No Jira token" in link.comment_error


@pytest.mark.app_config(TRACKER_GITHUB_TOKEN="ghp_test")
def test_a_link_posts_the_idea_and_its_demand_on_the_issue(
    app,
    receiver,
    staff,
    make_idea,
):
    app.config["TRACKER_GITHUB_API_URL"] = receiver.url("/api")
    idea = make_idea(title="Offline mode", votes=2)
    link = trackers.link_issue(staff, idea, ISSUE_URLS[Tracker.github][0])
    db.session.commit()
    run_worker(app, "default")
    [request] = receiver.requests
    assert request.path == "/api/repos/acme/app/issues/12/comments"
    assert request.headers["Authorization"] == "Bearer ghp_test"
    text = request.json["body"]
    assert "Offline mode" in text and f"/ideas/{idea.id}" in text
    assert "3 votes" in text and "3 supporters" in text
    db.session.expire_all()
    assert db.session.get(TrackerLink, link.id).comment_state is CommentState.sent


@pytest.mark.app_config(TRACKER_JIRA_EMAIL="bot@acme.example", TRACKER_JIRA_TOKEN="jt")
def test_jira_comment_goes_to_the_issue_site_and_failures_are_retried(
    app,
    receiver,
    staff,
    make_idea,
):
    receiver.statuses = [500]  # the first attempt fails, the retry lands
    idea = make_idea()
    url = f"http://127.0.0.1:{receiver.port}/browse/APP-7"
    link = trackers.link_issue(staff, idea, url)
    db.session.commit()
    run_worker(app, "default")
    assert [r.path for r in receiver.requests] == ["/rest/api/3/issue/APP-7/comment"] * 2
    document = receiver.requests[-1].json["body"]
    assert document["type"] == "doc" and document["content"][0]["type"] == "paragraph"
    assert receiver.requests[-1].headers["Authorization"].startswith("Basic ")
    db.session.expire_all()
    saved = db.session.get(TrackerLink, link.id)
    assert saved.comment_state is CommentState.sent and saved.comment_attempts == 2


@pytest.mark.app_config(TRACKER_GITLAB_TOKEN="glpat", WEBHOOK_ALLOW_PRIVATE=False)
def test_comments_keep_the_webhook_address_rules(app, receiver, staff, make_idea):
    idea = make_idea()
    link = trackers.link_issue(staff, idea, f"http://127.0.0.1:{receiver.port}/a/b/-/issues/3")
    db.session.commit()
    run_worker(app, "default")
    assert receiver.requests == []
    db.session.expire_all()
    saved = db.session.get(TrackerLink, link.id)
    assert saved.comment_state is CommentState.failed and saved.comment_error.startswith("Refused")
