"""A short-lived, per-process cache of public pages as anonymous visitors see them.

The public board is what crawlers, link previews and logged-out readers hit most; a page a
few seconds old is fine for them. Logged-in people, pages with flashed messages and
anything but a GET are never cached. The CSP nonce in a cached page is replaced by the
current request's nonce, so every response still carries a fresh one.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from functools import wraps

from flask import current_app, request, session
from flask_login import current_user

_MAX_ENTRIES = 256


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


def cache_for_anonymous(view: Callable) -> Callable:
    """Serve `view` from the page cache to anonymous visitors (see the module docstring)."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not _cacheable():
            return view(*args, **kwargs)
        cache: PageCache = current_app.extensions.setdefault("vocportal_page_cache", PageCache())
        nonce = getattr(request, "csp_nonce", "") or ""  # set by Flask-Talisman per request
        key = request.full_path
        hit = cache.get(key)
        if hit is not None:
            html, old_nonce = hit
            return html.replace(old_nonce, nonce) if old_nonce and nonce else html
        result = view(*args, **kwargs)
        if isinstance(result, str):
            cache.put(key, result, nonce, current_app.config["ANONYMOUS_PAGE_CACHE_SECONDS"])
        return result

    return wrapped
