"""Live updates (vocportal.live): what is published after a commit, to whom the hub hands
it, what a snapshot tells a viewer, and the event stream over a real threaded server."""

from __future__ import annotations

import json
import socket
import threading
import time
from contextlib import closing, contextmanager
from urllib.parse import urlsplit

import pytest
from redis import Redis

from tests.factories import PASSWORD
from tests.test_browser import serving
from tests.test_jobs import run_worker
from vocportal.extensions import db
from vocportal.ideas import operations as ops
from vocportal.ideas import support
from vocportal.ideas.models import IdeaStatus
from vocportal.live import publish, state
from vocportal.live.hub import BELL, Hub

# --- publishing --------------------------------------------------------------------------


@contextmanager
def listening(app):
    """A pub/sub subscription to the portal's live channel; yields a function returning the
    messages received so far (each waited for up to a few seconds, then none)."""
    client = Redis.from_url(app.config["REDIS_URL"])
    pubsub = client.pubsub(ignore_subscribe_messages=True)
    pubsub.subscribe(publish.channel(app))

    def received(expected: int = 1, seconds: float = 5.0) -> list[dict]:
        out: list[dict] = []
        deadline = time.monotonic() + seconds
        while len(out) < expected and time.monotonic() < deadline:
            message = pubsub.get_message(timeout=0.2)
            if message and message["type"] == "message":
                out.append(json.loads(message["data"]))
        return out

    try:
        yield received
    finally:
        pubsub.close()
        client.close()


def test_a_vote_is_published_after_commit_with_the_new_count(app, redis_url, make_user, make_idea):
    idea = make_idea(title="Dark mode", votes=2)
    voter = make_user()
    db.session.commit()
    before = idea.vote_count
    with listening(app) as received:
        support.vote(voter, idea)
        db.session.flush()
        assert received(seconds=0.5) == []  # not before the commit
        db.session.commit()
        assert received() == [{"t": "idea", "id": idea.id, "votes": before + 1, "update": 0}]


def test_a_rolled_back_vote_and_a_hidden_idea_publish_nothing(app, redis_url, make_user, make_idea):
    idea = make_idea(title="Secret roadmap")
    staff = make_user(role="staff")
    voter = make_user()
    db.session.commit()
    with listening(app) as received:
        support.vote(voter, idea)
        db.session.rollback()
        assert received(seconds=0.5) == []
        ops.set_hidden(staff, idea, True)
        db.session.commit()
        support.vote(voter, idea)  # (the page refuses; the rule is about what is published)
        db.session.commit()
        assert received(seconds=1.0) == []


def test_a_status_update_and_its_fan_out_are_published(app, redis_url, make_user, make_idea):
    staff = make_user(role="staff")
    voter = make_user()
    idea = make_idea(title="Calendar feed")
    support.vote(voter, idea)
    db.session.commit()
    with listening(app) as received:
        change = ops.change_status(staff, idea, IdeaStatus.planned, "Next quarter.", notify=True)
        db.session.commit()
        votes = idea.vote_count
        assert received() == [{"t": "idea", "id": idea.id, "votes": votes, "update": change.id}]
        run_worker(app, "notifications")  # the fan-out writes the bell rows
        (bell,) = received(expected=1)
        assert bell["t"] == "bell" and voter.id in bell["users"]
        assert staff.id not in bell["users"]  # the actor hears nothing


# --- the hub -----------------------------------------------------------------------------


def test_the_hub_hands_a_message_only_to_the_streams_that_watch_it(app):
    hub = Hub(app)
    hub._thread = threading.current_thread()  # no subscription: dispatch is called directly
    watching = hub.open(None, [1, 2], limit=10)
    other_idea = hub.open(None, [3], limit=10)
    mine = hub.open(7, [], limit=10)
    someone_else = hub.open(8, [], limit=10)
    assert hub.open(9, [], limit=4) is None  # full: that page polls instead

    hub.dispatch(json.dumps({"t": "idea", "id": 2, "votes": 5, "update": 0}))
    hub.dispatch(json.dumps({"t": "bell", "users": [7]}))
    hub.dispatch(b"not json")

    assert watching.inbox.get_nowait() == 'event: idea\ndata: {"id":2,"votes":5,"update":0}\n\n'
    assert mine.inbox.get_nowait() == BELL
    for stream in (watching, other_idea, mine, someone_else):
        assert stream.inbox.empty()
    hub.close(watching)
    hub.dispatch(json.dumps({"t": "idea", "id": 2, "votes": 6, "update": 0}))
    assert watching.inbox.empty() and len(hub) == 3


# --- what a viewer may be told -----------------------------------------------------------


def test_the_snapshot_tells_only_what_the_viewer_may_see(
    app, client, new_client, make_user, make_idea
):
    public = make_idea(title="Public", votes=4)
    hidden = make_idea(title="Hidden by staff", votes=9)
    votes = public.vote_count
    hidden.hidden_at = hidden.created_at
    reader = make_user()
    db.session.commit()
    ids = f"{public.id},{hidden.id},999999,junk"

    anonymous = client.get(f"/live/state?ideas={ids}").get_json()
    assert anonymous == {"ideas": {str(public.id): {"votes": votes, "update": 0}}}

    person = new_client()
    person.login(reader.email, PASSWORD)
    seen = person.get(f"/live/state?ideas={ids}").get_json()
    assert seen == {
        "ideas": {str(public.id): {"votes": votes, "update": 0}},
        "bell": {"unread": 0, "latest": None},
    }
    assert state.parse_ids(",".join(["1"] * 500) + ",2") == [1]


# --- the stream, served by a real threaded server ----------------------------------------


def _events(sock: socket.socket, want: int, seconds: float = 10.0) -> list[tuple[str, dict]]:
    """Read server-sent events from an open response until `want` arrived."""
    sock.settimeout(0.5)
    buffer, found = b"", []
    deadline = time.monotonic() + seconds
    while len(found) < want and time.monotonic() < deadline:
        try:
            chunk = sock.recv(65536)
        except TimeoutError:
            continue
        if not chunk:
            break
        buffer += chunk
        while b"\n\n" in buffer:
            block, buffer = buffer.split(b"\n\n", 1)
            lines = dict(
                line.split(": ", 1) for line in block.decode().splitlines() if ": " in line
            )
            if "event" in lines:
                found.append((lines["event"], json.loads(lines["data"])))
    return found


@contextmanager
def open_stream(url: str, path: str, cookie: str = ""):
    parts = urlsplit(url)
    with closing(socket.create_connection((parts.hostname, parts.port), timeout=5)) as sock:
        request = f"GET {path} HTTP/1.1\r\nHost: {parts.netloc}\r\nAccept: text/event-stream\r\n"
        if cookie:
            request += f"Cookie: {cookie}\r\n"
        sock.sendall((request + "\r\n").encode())
        yield sock


def test_a_stream_starts_with_the_snapshot_and_carries_votes_as_they_happen(
    app_factory, redis_url, make_user, make_idea
):
    live = app_factory(SERVER_NAME=None, REDIS_URL=redis_url)
    idea = make_idea(title="Slack digest", votes=1)
    other = make_idea(title="Not on this page")
    voter = make_user()
    db.session.commit()
    votes = idea.vote_count
    with serving(live) as url, open_stream(url, f"/live/stream?ideas={idea.id}") as sock:
        first = _events(sock, 1)
        assert first == [("state", {"ideas": {str(idea.id): {"votes": votes, "update": 0}}})]
        with live.app_context():
            support.vote(voter, db.session.get(type(other), other.id))
            db.session.commit()
            support.vote(voter, db.session.get(type(idea), idea.id))
            db.session.commit()
        assert _events(sock, 1) == [("idea", {"id": idea.id, "votes": votes + 1, "update": 0})]


def _stream_status(url: str) -> int:
    with open_stream(url, "/live/stream?ideas=1") as sock:
        return int(sock.recv(4096).split(b" ", 2)[1])


def test_no_stream_when_streams_are_off_the_process_is_full_or_has_no_threads(
    app_factory, redis_url
):
    with serving(app_factory(SERVER_NAME=None, REDIS_URL=redis_url)) as url:
        assert _stream_status(url) == 200  # the control: a threaded server streams
    polling = app_factory(SERVER_NAME=None, REDIS_URL=redis_url, LIVE_UPDATES="poll")
    with serving(polling) as url:
        assert _stream_status(url) == 204  # 204: the browser does not retry; the page polls
    full = app_factory(SERVER_NAME=None, REDIS_URL=redis_url, LIVE_MAX_STREAMS=1)
    with serving(full) as url, open_stream(url, "/live/stream") as first:
        assert [name for name, _data in _events(first, 1)] == ["state"]
        assert _stream_status(url) == 204
    # A server without threads (a sync gunicorn worker, here Flask's test client): a stream
    # would hold the whole process.
    assert app_factory(REDIS_URL=redis_url).test_client().get("/live/stream").status_code == 204


@pytest.mark.app_config(LIVE_UPDATES="poll")
def test_pages_load_the_script_unless_live_updates_are_off(app, app_factory, client):
    page = client.get("/").get_data(as_text=True)
    assert 'data-mode="poll"' in page and "js/live.js" in page
    off = app_factory(LIVE_UPDATES="off").test_client().get("/").get_data(as_text=True)
    assert "js/live.js" not in off
