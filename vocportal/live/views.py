"""The live endpoints: an event stream, and the JSON snapshot polled without it.

`GET /live/stream?ideas=1,2,3` (Server-Sent Events): first a `state` event (the snapshot,
`vocportal.live.state`), then an `idea` event per change of a watched idea and a `bell`
event per change of the person's bell, a comment line every LIVE_HEARTBEAT_SECONDS
(so proxies keep it open and a gone client is noticed), and the end after
LIVE_STREAM_SECONDS (the browser reconnects, with a fresh snapshot). It answers 204, which
tells a browser not to reconnect, when streams are off (LIVE_UPDATES=poll), when the
process already holds LIVE_MAX_STREAMS streams, or under a server without threads (each
stream holds one): the page polls instead.

`GET /live/state?ideas=1,2,3` (JSON): the same snapshot, for polling.
"""

from __future__ import annotations

import queue
import time

from flask import Blueprint, Response, current_app, request, stream_with_context, url_for
from flask_login import current_user

from vocportal.accounts.models import User
from vocportal.extensions import db
from vocportal.live import state
from vocportal.live.hub import BELL, CLOSE, RESYNC, event_text, hub_of

bp = Blueprint("live", __name__, url_prefix="/live")

#: Seconds the hub may take to subscribe before a new stream sends its snapshot anyway.
SUBSCRIBE_WAIT_SECONDS = 2.0


@bp.app_context_processor
def live_settings() -> dict:
    """What static/js/live.js needs, as data attributes of its script tag (base.html)."""
    config = current_app.config
    return {
        "live_updates": {
            "mode": config["LIVE_UPDATES"],
            "stream": url_for("live.stream"),
            "state": url_for("live.poll"),
            "poll_seconds": config["LIVE_POLL_SECONDS"],
        }
    }


def _viewer() -> User | None:
    return current_user if current_user.is_authenticated else None


@bp.get("/state")
def poll():
    """The snapshot of the page's ideas and the viewer's bell, as JSON."""
    ids = state.parse_ids(request.args.get("ideas"))
    response = current_app.json.response(state.snapshot(_viewer(), ids))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/stream")
def stream():
    """The page's live updates as Server-Sent Events (204: poll instead)."""
    config = current_app.config
    if config["LIVE_UPDATES"] != "sse" or not request.environ.get("wsgi.multithread"):
        return Response(status=204)
    viewer = _viewer()
    user_id = viewer.id if viewer is not None else None
    ids = state.visible_ids(viewer, state.parse_ids(request.args.get("ideas")))
    hub = hub_of(current_app._get_current_object())
    opened = hub.open(user_id, ids, config["LIVE_MAX_STREAMS"])
    if opened is None:
        return Response(status=204)
    hub.subscribed.wait(SUBSCRIBE_WAIT_SECONDS)
    try:
        first = state.snapshot(viewer, ids)
    except BaseException:
        hub.close(opened)
        raise
    # An idle stream must not hold a database connection: every read below takes one from
    # the pool and gives it back.
    db.session.close()
    heartbeat = config["LIVE_HEARTBEAT_SECONDS"]
    ends_at = time.monotonic() + config["LIVE_STREAM_SECONDS"]

    def bellevent_text() -> str:
        person = db.session.get(User, user_id)
        data = state.bell_state(person) if person is not None else {"unread": 0, "latest": None}
        db.session.close()
        return event_text("bell", data)

    def resyncevent_text() -> str:
        person = db.session.get(User, user_id) if user_id is not None else None
        data = state.snapshot(person, ids)
        db.session.close()
        return event_text("state", data)

    def events():
        try:
            yield f"retry: {int(config['LIVE_POLL_SECONDS'] * 1000)}\n" + event_text("state", first)
            while (left := ends_at - time.monotonic()) > 0:
                try:
                    items = [opened.inbox.get(timeout=min(heartbeat, left))]
                except queue.Empty:
                    yield ": keep-alive\n\n"
                    continue
                while True:  # everything already waiting, each kind of re-read once
                    try:
                        items.append(opened.inbox.get_nowait())
                    except queue.Empty:
                        break
                if CLOSE in items:
                    return
                if RESYNC in items:
                    yield resyncevent_text()
                    continue
                chunk = "".join(item for item in items if isinstance(item, str))
                if BELL in items:
                    chunk += bellevent_text()
                yield chunk
        finally:
            hub.close(opened)

    response = Response(stream_with_context(events()), mimetype="text/event-stream")
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Accel-Buffering"] = "no"  # nginx: pass each event on at once
    return response
