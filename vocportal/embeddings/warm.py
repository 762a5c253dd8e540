"""Warm the similar-ideas model and index in the background, once per web process.

Loading the embedding model takes seconds (about 11 s with torch on a small machine), and
the first look-up used to pay for it while the person typing saw nothing and posted a
duplicate. Now a web process loads the model and its in-process idea index on a daemon
thread, and until that is done a look-up answers with keyword matches from the full-text
search (`vocportal.embeddings.similar.suggestions`), marked as such.

Settings (read once, when the app is built):

* ``SIMILAR_WARM_AT_START`` (default on; off under TESTING): start warming at the process's
  first request. Only processes that serve requests ever warm: RQ workers and CLI commands
  build the app but never start the thread.
* ``SIMILAR_WAIT_FOR_MODEL`` (default off; on under TESTING): a look-up made before the
  model is ready embeds in the request, waiting for the load, instead of showing keyword
  matches while the model loads in the background (started by that look-up if need be).

A thread does not survive fork(), so the state is per process id: with gunicorn's
``--preload`` the app is built in the master, nothing is started there, and each worker
starts its own warm-up at its first request. To warm before the first request, call
`start_warm_up(worker.wsgi)` from gunicorn's ``post_worker_init`` hook.

To load the model and the index once per machine instead of once per worker, call
`preload(server.app.wsgi())` from gunicorn's ``when_ready`` hook with ``preload_app = True``:
the workers fork with both in memory and share their pages copy-on-write (measured: 6 MB
private per worker instead of ~260 MB at 100,000 ideas); each worker's own warm-up then
only catches up with new rows.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
from dataclasses import dataclass, field

from flask import Flask, current_app

log = logging.getLogger(__name__)

_KEY = "vocportal_similar_warm"
#: After a failed warm-up, a look-up may start another one this many seconds later.
RETRY_AFTER_SECONDS = 60.0
_start_lock = threading.Lock()


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


@dataclass
class WarmUp:
    """One process's warm-up: started once, ready when the model and index are loaded."""

    pid: int
    ready: threading.Event = field(default_factory=threading.Event)
    thread: threading.Thread | None = None
    #: Seconds the warm-up took, once done.
    seconds: float | None = None
    #: The last failure, and when (time.monotonic()).
    error: str | None = None
    failed_at: float | None = None

    @property
    def failed(self) -> bool:
        return self.error is not None and not self.ready.is_set()


def register_warm_up(app: Flask) -> None:
    """Read the warm-up settings; when on, warm up from the process's first request."""
    app.config.setdefault(
        "SIMILAR_WARM_AT_START", _env_bool("SIMILAR_WARM_AT_START", not app.testing)
    )
    app.config.setdefault(
        "SIMILAR_WAIT_FOR_MODEL", _env_bool("SIMILAR_WAIT_FOR_MODEL", app.testing)
    )
    if app.config["SIMILAR_WARM_AT_START"]:
        app.before_request(_start_on_request)


def state(app: Flask) -> WarmUp | None:
    """This process's warm-up of `app`, if one was started here (not before a fork)."""
    warm = app.extensions.get(_KEY)
    return warm if warm is not None and warm.pid == os.getpid() else None


def is_ready(app: Flask) -> bool:
    """Whether look-ups in this process may embed without waiting for the model."""
    warm = state(app)
    return warm is not None and warm.ready.is_set()


def _needs_start(warm: WarmUp | None) -> bool:
    if warm is None:
        return True
    if warm.ready.is_set() or (warm.thread is not None and warm.thread.is_alive()):
        return False
    if warm.failed:
        return time.monotonic() - warm.failed_at >= RETRY_AFTER_SECONDS
    return warm.thread is None


def start_warm_up(app: Flask) -> WarmUp:
    """Start warming `app` in this process on a daemon thread, unless already started
    (or failed less than RETRY_AFTER_SECONDS ago); return the warm-up."""
    if not isinstance(app, Flask):  # e.g. gunicorn's worker.wsgi wrapped in middleware
        raise TypeError("start_warm_up needs the Flask app")
    warm = state(app)
    if not _needs_start(warm):
        return warm
    with _start_lock:
        warm = state(app)
        if not _needs_start(warm):
            return warm
        if warm is None:
            warm = WarmUp(pid=os.getpid())
            app.extensions[_KEY] = warm
        warm.error = warm.failed_at = None
        warm.thread = threading.Thread(
            target=run_warm_up, args=(app, warm), name="similar-warm-up", daemon=True
        )
        warm.thread.start()
        atexit.register(_finish_before_exit, warm.thread)
    return warm


#: How long a process that is exiting waits for a warm-up still loading the model.
EXIT_WAIT_SECONDS = 120


def _finish_before_exit(thread: threading.Thread) -> None:
    """Let a warm-up still inside the model's native code finish before the interpreter
    ends: a daemon thread killed there aborts the whole process ("terminate called without
    an active exception") instead of letting it exit cleanly."""
    thread.join(EXIT_WAIT_SECONDS)


def _start_on_request() -> None:
    start_warm_up(current_app._get_current_object())


def run_warm_up(app: Flask, warm: WarmUp) -> None:
    """Load the embedding model and the idea index, then mark the warm-up ready.

    What the background thread runs; never raises (a failure is logged and recorded)."""
    began = time.monotonic()
    try:
        _load(app)
    except Exception as exc:  # noqa: BLE001  (a look-up falls back to keywords, and says so)
        warm.error = f"{type(exc).__name__}: {exc}"
        warm.failed_at = time.monotonic()
        log.exception("Similar ideas: warm-up failed; keyword matches only until it works")
        return
    warm.seconds = time.monotonic() - began
    warm.ready.set()
    log.info("Similar ideas: model and index ready in %.1f s", warm.seconds)


def preload(app: Flask) -> None:
    """Load the model and the idea index in this process before it forks web workers.

    Needs one encoder thread (the web default): a thread pool does not survive fork().
    Closes the database connections it used, so no socket is shared with the workers."""
    from vocportal.embeddings.encoder import encoder_threads

    if encoder_threads() > 1:
        raise RuntimeError("preload needs VOCPORTAL_TORCH_THREADS=1 (threads die at fork)")
    _load(app, dispose=True)


def _load(app: Flask, dispose: bool = False) -> None:
    """Load the model, then the idea index, and search it once (loads its kernels)."""
    from vocportal.embeddings.encoder import embed

    vector = embed(["warm up the similar ideas model"])[0]
    with app.app_context():
        from vocportal.embeddings.similar import idea_index
        from vocportal.extensions import db

        try:
            idea_index().index.search(vector, 1)
        finally:
            db.session.remove()
            if dispose:
                db.engine.dispose()


def wait(app: Flask, timeout: float | None = None) -> bool:
    """Wait for this process's warm-up of `app` to end; return whether it is ready."""
    warm = state(app)
    if warm is None:
        return False
    if warm.thread is not None:
        warm.thread.join(timeout)
    return warm.ready.is_set()
