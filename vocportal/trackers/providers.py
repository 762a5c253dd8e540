"""What differs per tracker: how an issue URL reads, how a webhook proves where it comes
from, what its payload says happened, and how a comment is posted back.

Each tracker is verified as it documents it:

- GitHub: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>`; delivery id in
  `X-GitHub-Delivery`; the `issues` event (`closed` with `state_reason`, `reopened`, `opened`).
- GitLab: the secret token sent as is in `X-Gitlab-Token`; delivery id in `Idempotency-Key`
  (the same across GitLab's retries; `X-Gitlab-Event-UUID` on older servers); the `issue`
  object kind (`open`, `close`, `reopen`).
- Jira (Cloud and Data Center admin webhooks with a secret): `X-Hub-Signature:
  sha256=<hex HMAC-SHA256 of the body>`; delivery id in `X-Atlassian-Webhook-Identifier`;
  `jira:issue_created` / `jira:issue_updated`, read by the status's *category* (to do, in
  progress, done) so any workflow works. Connect apps' JWT is not supported: a portal is
  not a Connect app.
- Linear: `Linear-Signature: <hex HMAC-SHA256 of the body>`; delivery id in
  `Linear-Delivery`; an `Issue` create/update, read by its workflow state's type; and, as
  Linear asks, `webhookTimestamp` within a minute of now, so a captured request cannot be
  replayed later.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import time
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from vocportal.trackers.models import IssueState, Tracker

#: How old (or how far ahead) a Linear delivery's own timestamp may be.
LINEAR_MAX_SKEW_SECONDS = 60

_GITLAB = re.compile(r"^/(?P<project>[^?#]+?)/-/(?:issues|work_items)/(?P<number>\d+)/?$")
_GITHUB = re.compile(r"^/(?P<repo>[\w.-]+/[\w.-]+)/issues/(?P<number>\d+)/?$")
_JIRA = re.compile(r"^/browse/(?P<key>[A-Z][A-Z0-9_]*-\d+)/?$")
_LINEAR = re.compile(r"^/[\w-]+/issue/(?P<key>[A-Z][A-Z0-9]*-\d+)(?:/[^/]*)?/?$")


@dataclass(frozen=True)
class IssueRef:
    tracker: Tracker
    key: str  #: as the tracker's webhooks name the issue
    url: str


class NotAnIssueUrl(ValueError):
    pass


def parse_issue_url(url: str) -> IssueRef:
    """The tracker and key of an issue's web address, or NotAnIssueUrl saying what fits."""
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise NotAnIssueUrl("Paste the issue's web address (https://…).")
    host = parts.hostname.lower()
    path = parts.path
    if host == "linear.app" and (m := _LINEAR.match(path)):
        return IssueRef(Tracker.linear, m["key"], url)
    if m := _JIRA.match(path):
        return IssueRef(Tracker.jira, m["key"], url)
    if m := _GITLAB.match(path):
        return IssueRef(Tracker.gitlab, f"{m['project']}#{m['number']}", url)
    if m := _GITHUB.match(path):
        return IssueRef(Tracker.github, f"{m['repo']}#{m['number']}", url)
    raise NotAnIssueUrl(
        "This is not an issue address the portal knows: a GitHub …/owner/repo/issues/12, "
        "a GitLab …/group/project/-/issues/12, a Jira …/browse/KEY-12 or a Linear "
        "linear.app/team/issue/KEY-12 link."
    )


# --- inbound -----------------------------------------------------------------------------


class Refused(Exception):
    """The delivery does not prove it comes from the tracker (401), or lacks what every
    delivery carries (400)."""

    def __init__(self, message: str, status: int = 401):
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class Happening:
    """What one delivery says: `state` is None for an event that moves no idea."""

    delivery_id: str
    issue_key: str = ""
    state: IssueState | None = None
    ignored: str = ""  #: why it moves nothing


def _hmac_hex(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.strip().encode(), expected.encode())


def verify(tracker: Tracker, secret: str, headers, body: bytes) -> str:
    """Check a delivery's proof of origin; return its delivery id. Raises Refused."""
    if tracker is Tracker.github:
        proof, expected = (
            headers.get("X-Hub-Signature-256", ""),
            "sha256=" + _hmac_hex(secret, body),
        )
        delivery = headers.get("X-GitHub-Delivery", "")
    elif tracker is Tracker.gitlab:
        proof, expected = headers.get("X-Gitlab-Token", ""), secret
        delivery = headers.get("Idempotency-Key") or headers.get("X-Gitlab-Event-UUID", "")
    elif tracker is Tracker.jira:
        proof, expected = headers.get("X-Hub-Signature", ""), "sha256=" + _hmac_hex(secret, body)
        delivery = headers.get("X-Atlassian-Webhook-Identifier", "")
    else:
        proof, expected = headers.get("Linear-Signature", ""), _hmac_hex(secret, body)
        delivery = headers.get("Linear-Delivery", "")
    if not proof or not _same(proof, expected):
        raise Refused(f"The {tracker.label} signature does not match the configured secret.")
    if not delivery.strip():
        raise Refused(f"The {tracker.label} delivery id header is missing.", status=400)
    return delivery.strip()[:200]


def _dig(data, *path):
    for step in path:
        data = data.get(step) if isinstance(data, dict) else None
    return data


def read(tracker: Tracker, delivery_id: str, headers, body: bytes) -> Happening:
    """What a verified delivery says happened to which issue. Raises Refused (400) for a
    body that is not a JSON object or a Linear delivery outside its time window."""
    try:
        data = json.loads(body or b"null")
    except (ValueError, UnicodeDecodeError):
        raise Refused("The body is not JSON.", status=400) from None
    if not isinstance(data, dict):
        raise Refused("The body is not a JSON object.", status=400)
    return _READERS[tracker](delivery_id, headers, data)


def _github(delivery_id: str, headers, data: dict) -> Happening:
    event = headers.get("X-GitHub-Event", "")
    if event != "issues":
        return Happening(delivery_id, ignored=f"event {event or 'unnamed'}")
    repo, number = _dig(data, "repository", "full_name"), _dig(data, "issue", "number")
    if not isinstance(repo, str) or not isinstance(number, int):
        raise Refused("An issues event without repository.full_name and issue.number.", 400)
    action = data.get("action")
    state = {"opened": IssueState.opened, "reopened": IssueState.reopened}.get(action)
    if action == "closed":
        reason = _dig(data, "issue", "state_reason")
        state = IssueState.not_planned if reason == "not_planned" else IssueState.completed
    key = f"{repo}#{number}"
    return Happening(delivery_id, key, state, "" if state else f"action {action}")


def _gitlab(delivery_id: str, headers, data: dict) -> Happening:
    if data.get("object_kind") not in ("issue", "work_item"):
        return Happening(delivery_id, ignored=f"object kind {data.get('object_kind')}")
    project = _dig(data, "project", "path_with_namespace")
    number = _dig(data, "object_attributes", "iid")
    if not isinstance(project, str) or not isinstance(number, int):
        raise Refused("An issue event without project.path_with_namespace and its iid.", 400)
    action = _dig(data, "object_attributes", "action")
    state = {
        "open": IssueState.opened,
        "close": IssueState.completed,
        "reopen": IssueState.reopened,
    }.get(action)
    return Happening(delivery_id, f"{project}#{number}", state, "" if state else f"action {action}")


#: Jira resolutions that close an issue without doing the work.
NOT_DONE_RESOLUTIONS = frozenset(
    {"won't do", "won't fix", "declined", "duplicate", "cannot reproduce", "rejected"}
)


def _jira(delivery_id: str, headers, data: dict) -> Happening:
    event = data.get("webhookEvent")
    if event not in ("jira:issue_created", "jira:issue_updated"):
        return Happening(delivery_id, ignored=f"event {event}")
    key = _dig(data, "issue", "key")
    if not isinstance(key, str):
        raise Refused("An issue event without issue.key.", 400)
    category = _dig(data, "issue", "fields", "status", "statusCategory", "key")
    resolution = str(_dig(data, "issue", "fields", "resolution", "name") or "").lower()
    if category == "done":
        done = resolution not in NOT_DONE_RESOLUTIONS
        state = IssueState.completed if done else IssueState.not_planned
    else:
        state = {"new": IssueState.opened, "indeterminate": IssueState.started}.get(category)
    return Happening(delivery_id, key, state, "" if state else f"status category {category}")


def _linear(delivery_id: str, headers, data: dict) -> Happening:
    stamp = data.get("webhookTimestamp")
    if not isinstance(stamp, int | float) or abs(time.time() - stamp / 1000) > (
        LINEAR_MAX_SKEW_SECONDS
    ):
        raise Refused("The Linear delivery's webhookTimestamp is missing or too old.", 401)
    if data.get("type") != "Issue":
        return Happening(delivery_id, ignored=f"type {data.get('type')}")
    key = _dig(data, "data", "identifier")
    if not isinstance(key, str):
        raise Refused("An Issue event without data.identifier.", 400)
    kind = _dig(data, "data", "state", "type")
    state = {
        "triage": IssueState.opened,
        "backlog": IssueState.opened,
        "unstarted": IssueState.opened,
        "started": IssueState.started,
        "completed": IssueState.completed,
        "canceled": IssueState.not_planned,
    }.get(kind)
    return Happening(delivery_id, key, state, "" if state else f"state type {kind}")


_READERS = {
    Tracker.github: _github,
    Tracker.gitlab: _gitlab,
    Tracker.jira: _jira,
    Tracker.linear: _linear,
}


# --- outbound ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    url: str
    body: bytes
    headers: dict[str, str]


def comment_request(
    link_tracker: Tracker, key: str, issue_url: str, text: str, config
) -> Request | None:
    """The API call that posts `text` as a comment on the issue, or None when no token is
    configured for that tracker (then nothing is sent)."""
    headers = {"Content-Type": "application/json", "User-Agent": "vocportal-trackers/1"}
    if link_tracker is Tracker.github:
        token = config["TRACKER_GITHUB_TOKEN"]
        if not token:
            return None
        repo, number = key.rsplit("#", 1)
        api = config["TRACKER_GITHUB_API_URL"].rstrip("/")
        headers |= {"Authorization": f"Bearer {token}", "Accept": "application/vnd.github+json"}
        return Request(
            f"{api}/repos/{repo}/issues/{number}/comments", _json({"body": text}), headers
        )
    site = urlsplit(issue_url)
    origin = f"{site.scheme}://{site.netloc}"
    if link_tracker is Tracker.gitlab:
        token = config["TRACKER_GITLAB_TOKEN"]
        if not token:
            return None
        project, number = key.rsplit("#", 1)
        url = f"{origin}/api/v4/projects/{quote(project, safe='')}/issues/{number}/notes"
        return Request(url, _json({"body": text}), headers | {"PRIVATE-TOKEN": token})
    if link_tracker is Tracker.jira:
        email, token = config["TRACKER_JIRA_EMAIL"], config["TRACKER_JIRA_TOKEN"]
        if not (email and token):
            return None
        basic = base64.b64encode(f"{email}:{token}".encode()).decode()
        paragraphs = [
            {"type": "paragraph", "content": [{"type": "text", "text": line}]}
            for line in text.splitlines()
            if line.strip()
        ]
        body = {"body": {"type": "doc", "version": 1, "content": paragraphs}}
        url = f"{origin}/rest/api/3/issue/{key}/comment"
        return Request(url, _json(body), headers | {"Authorization": f"Basic {basic}"})
    token = config["TRACKER_LINEAR_TOKEN"]
    if not token:
        return None
    mutation = (
        "mutation($issueId: String!, $body: String!) "
        "{ commentCreate(input: {issueId: $issueId, body: $body}) { success } }"
    )
    body = {"query": mutation, "variables": {"issueId": key, "body": text}}
    return Request(
        config["TRACKER_LINEAR_API_URL"], _json(body), headers | {"Authorization": token}
    )


def _json(data: dict) -> bytes:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()


def token_configured(tracker: Tracker, config) -> bool:
    """Whether a new link to this tracker posts a comment (else the settings page says so)."""
    return comment_request(tracker, "a/b#1", "https://example.invalid/x", "", config) is not None
