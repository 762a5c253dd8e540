"""A short-lived, per-process cache of public pages as anonymous visitors see them.

The public board is what crawlers, link previews and logged-out readers hit most; a page a
few seconds old is fine for them. Logged-in people, pages with flashed messages and
anything but a GET are never cached. The CSP nonce in a cached page is replaced by the
current request's nonce, so every response still carries a fresh one.

A few seconds old is fine for a vote count, not for an idea staff just hid: every commit
that changes what the public may see of an idea or a comment (hidden, withdrawn, a status,
a merge, a deletion) increments a generation counter in Redis, shared by every web process,
and the generation is part of each cache key. A cached request costs one Redis GET; when
Redis cannot answer, the page is rendered afresh (never served from a cache that might be
stale).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from functools import wraps

from flask import current_app, has_app_context, request, session
from flask_login import current_user
from redis.exceptions import RedisError
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from vocportal.redis_client import get_redis

log = logging.getLogger("vocportal.pagecache")

_MAX_ENTRIES = 256
#: The Redis key of the generation counter (a missing key is generation 0).
GENERATION_KEY = "vocportal:pagecache:generation"
#: A model lists, in this class attribute, the columns whose change alters what anonymous
#: readers may see of a row (ideas, comments); other changes (votes, counters, edits) may
#: show a few seconds late. Models without it never clear the cache.
WATCHED_ATTRIBUTE = "__public_columns__"
_STALE = "vocportal_pagecache_stale"


class PageCache:
    def __init__(self) -> None:
        self._entries: OrderedDict[str, tuple[float, str, str]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> tuple[str, str] | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            expires, html, nonce = entry
            if expires < time.monotonic():
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return html, nonce

    def put(self, key: str, html: str, nonce: str, seconds: float) -> None:
        with self._lock:
            self._entries[key] = (time.monotonic() + seconds, html, nonce)
            self._entries.move_to_end(key)
            while len(self._entries) > _MAX_ENTRIES:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def _cacheable() -> bool:
    return (
        request.method == "GET"
        and not current_user.is_authenticated
        and not session.get("_flashes")
        and current_app.config["ANONYMOUS_PAGE_CACHE_SECONDS"] > 0
    )


def generation() -> bytes | None:
    """The current generation of public pages (None: Redis cannot say; do not cache)."""
    try:
        return get_redis().get(GENERATION_KEY) or b"0"
    except RedisError as error:
        log.warning("page cache bypassed: Redis did not give its generation: %s", error)
        return None


def invalidate() -> None:
    """Make every process's cached anonymous pages stale (the next request renders)."""
    current_app.extensions.get("vocportal_page_cache", PageCache()).clear()
    try:
        get_redis().incr(GENERATION_KEY)
    except RedisError as error:  # other processes keep theirs until it expires
        log.error("page cache generation not incremented: %s", error)


def _note_visibility_changes(session: Session, _flush_context) -> None:
    """After a flush: remember whether it changed what the public may see."""
    if session.info.get(_STALE):
        return
    for obj in session.deleted:
        if getattr(type(obj), WATCHED_ATTRIBUTE, None):
            session.info[_STALE] = True
            return
    for obj in session.dirty:
        columns = getattr(type(obj), WATCHED_ATTRIBUTE, None)
        if columns:
            state = inspect(obj)
            if any(state.attrs[name].history.has_changes() for name in columns):
                session.info[_STALE] = True
                return


def _invalidate_after_commit(session: Session) -> None:
    # After the commit, so a page rendered under the new generation sees the change.
    if session.info.pop(_STALE, False) and has_app_context():
        invalidate()


def _forget_after_rollback(session: Session) -> None:
    session.info.pop(_STALE, None)


def register_invalidation() -> None:
    """Invalidate the page cache after commits that change visibility (idempotent)."""
    if not event.contains(Session, "after_commit", _invalidate_after_commit):
        event.listen(Session, "after_flush", _note_visibility_changes)
        event.listen(Session, "after_commit", _invalidate_after_commit)
        event.listen(Session, "after_rollback", _forget_after_rollback)


def cache_for_anonymous(view: Callable) -> Callable:
    """Serve `view` from the page cache to anonymous visitors (see the module docstring)."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not _cacheable():
            return view(*args, **kwargs)
        current = generation()
        if current is None:
            return view(*args, **kwargs)
        cache: PageCache = current_app.extensions.setdefault("vocportal_page_cache", PageCache())
        nonce = getattr(request, "csp_nonce", "") or ""  # set by Flask-Talisman per request
        key = f"{current.decode()}:{request.full_path}"
        hit = cache.get(key)
        if hit is not None:
            html, old_nonce = hit
            return html.replace(old_nonce, nonce) if old_nonce and nonce else html
        result = view(*args, **kwargs)
        if isinstance(result, str):
            cache.put(key, result, nonce, current_app.config["ANONYMOUS_PAGE_CACHE_SECONDS"])
        return result

    return wrapped
