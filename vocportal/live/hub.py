"""The hub: one Redis subscription per web process, fanned out to its open streams.

Each open stream (one `GET /live/stream`, one gunicorn thread) registers what it watches:
some idea ids and, when logged in, its person's bell. The hub's thread reads the portal's
channel (`publish.channel`) and puts each message in the inbox of every stream that
watches it, so a thousand idle streams cost one Redis connection and no polling. When the
subscription breaks, the thread subscribes again and tells every stream to re-send its
snapshot (messages published meanwhile are lost).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import queue
import threading
import time
from collections import defaultdict

from flask import Flask
from redis import Redis
from redis.exceptions import RedisError

from vocportal.live.publish import channel
from vocportal.redis_client import redis_url

log = logging.getLogger("vocportal.live")

#: Put in a stream's inbox: its person's bell changed (each stream reads its own count).
BELL = object()
#: Put in a stream's inbox: messages may have been lost, send a fresh snapshot.
RESYNC = object()
#: Put in a stream's inbox: end now (`Hub.close_all`).
CLOSE = object()
#: Seconds the hub's thread stays subscribed with no stream open.
IDLE_SECONDS = 30.0


def event_text(name: str, data: dict) -> str:
    """One server-sent event."""
    return f"event: {name}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"


class Stream:
    """One open event stream: what it watches and its inbox (event texts, BELL, RESYNC,
    CLOSE)."""

    def __init__(self, user_id: int | None, idea_ids: list[int]) -> None:
        self.user_id = user_id
        self.idea_ids = tuple(idea_ids)
        self.inbox: queue.SimpleQueue = queue.SimpleQueue()


class Hub:
    def __init__(self, app: Flask) -> None:
        self.app = app
        self._lock = threading.Lock()
        self._by_idea: dict[int, set[Stream]] = defaultdict(set)
        self._by_user: dict[int, set[Stream]] = defaultdict(set)
        self._streams: set[Stream] = set()
        self._thread: threading.Thread | None = None
        self.subscribed = threading.Event()

    def __len__(self) -> int:
        return len(self._streams)

    def open(self, user_id: int | None, idea_ids: list[int], limit: int) -> Stream | None:
        """Register a stream; None when the process already holds `limit` of them."""
        stream = Stream(user_id, idea_ids)
        with self._lock:
            if len(self._streams) >= limit:
                return None
            self._streams.add(stream)
            for idea_id in stream.idea_ids:
                self._by_idea[idea_id].add(stream)
            if user_id is not None:
                self._by_user[user_id].add(stream)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._listen, name="live-hub", daemon=True)
                self._thread.start()
        return stream

    def close(self, stream: Stream) -> None:
        with self._lock:
            self._streams.discard(stream)
            for idea_id in stream.idea_ids:
                self._forget(self._by_idea, idea_id, stream)
            if stream.user_id is not None:
                self._forget(self._by_user, stream.user_id, stream)

    @staticmethod
    def _forget(index: dict, key: int, stream: Stream) -> None:
        watchers = index.get(key)
        if watchers is not None:
            watchers.discard(stream)
            if not watchers:
                del index[key]

    def close_all(self, timeout: float = 10.0) -> int:
        """End every open stream (each after what it is doing now); return how many are
        still open after `timeout` seconds."""
        with self._lock:
            streams = list(self._streams)
        for stream in streams:
            stream.inbox.put(CLOSE)
        deadline = time.monotonic() + timeout
        while self._streams and time.monotonic() < deadline:
            time.sleep(0.05)
        return len(self._streams)

    def dispatch(self, data: bytes | str) -> None:
        """Hand one published message to the streams that watch it."""
        try:
            message = json.loads(data)
            kind = message.get("t")
            with self._lock:
                if kind == "idea":
                    # The same text for every stream: encoded once, here.
                    text = event_text("idea", {k: v for k, v in message.items() if k != "t"})
                    targets = [(s, text) for s in self._by_idea.get(int(message["id"]), ())]
                elif kind == "bell":
                    targets = [
                        (s, BELL)
                        for user_id in message["users"]
                        for s in self._by_user.get(user_id, ())
                    ]
                else:
                    targets = []
        except (ValueError, TypeError, KeyError, AttributeError):
            log.warning("ignored a malformed live message: %r", data[:200])
            return
        for stream, item in targets:
            stream.inbox.put(item)

    def _resync_all(self) -> None:
        with self._lock:
            streams = list(self._streams)
        for stream in streams:
            stream.inbox.put(RESYNC)

    def _stop_when_idle(self, idle_since: float) -> bool:
        """With no stream open for IDLE_SECONDS, the thread ends (`open` starts another)."""
        if time.monotonic() - idle_since < IDLE_SECONDS:
            return False
        with self._lock:
            if self._streams:
                return False
            self._thread = None
            self.subscribed.clear()
            return True

    def _listen(self) -> None:
        backoff, broken = 0.5, False
        while True:
            pubsub = None
            try:
                client = Redis.from_url(
                    redis_url(self.app), socket_connect_timeout=5, health_check_interval=30
                )
                pubsub = client.pubsub(ignore_subscribe_messages=True)
                pubsub.subscribe(channel(self.app))
                self.subscribed.set()
                if broken:
                    self._resync_all()
                backoff, broken = 0.5, False
                idle_since = time.monotonic()
                while True:
                    message = pubsub.get_message(timeout=1.0)
                    if message is not None and message.get("type") == "message":
                        self.dispatch(message["data"])
                    if self._streams:
                        idle_since = time.monotonic()
                    elif self._stop_when_idle(idle_since):
                        return
            except (RedisError, OSError) as error:
                self.subscribed.clear()
                broken = True
                log.warning("live updates: Redis subscription lost (%s); retrying", error)
                self._resync_all()  # streams re-read their snapshot while this retries
                with self._lock:
                    if not self._streams:
                        self._thread = None
                        return
                time.sleep(backoff)
                backoff = min(backoff * 2, 10.0)
            finally:
                if pubsub is not None:
                    with contextlib.suppress(RedisError, OSError):
                        pubsub.close()


def hub_of(app: Flask) -> Hub:
    """This process's hub for `app` (a forked child makes its own)."""
    state = app.extensions.setdefault("vocportal_live_hub", {})
    with _hub_lock:
        if state.get("pid") != os.getpid():
            state["hub"] = Hub(app)
            state["pid"] = os.getpid()
    return state["hub"]


_hub_lock = threading.Lock()
