"""The demo's process supervisor: embedded Redis, gunicorn, an RQ worker and the scheduler
on one machine, started in order and all stopped whatever ends the demo.

Each child runs in a session (process group) of its own, so a Ctrl-C in the terminal
reaches only this process, which then stops the children in order: the web first (no new
work), then the worker and scheduler, then Redis. A stop signals the child's whole group:
gunicorn's workers and RQ's forked scheduler go with their parent. SIGTERM and SIGHUP (a
closed terminal) stop the demo exactly as Ctrl-C does.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

from flask import Flask

#: Seconds a child gets to stop after SIGTERM before it is killed.
STOP_GRACE_SECONDS = 20
#: Paths of the links in account emails, which the demo shows on its console.
ACCOUNT_LINKS = ("/password/reset/", "/verify/", "/login/link/")
#: Seconds gunicorn gets to answer on its port.
START_TIMEOUT_SECONDS = 60


class StopDemo(Exception):
    """Raised in the main thread by SIGTERM or SIGHUP, like KeyboardInterrupt for SIGINT."""


class Supervisor:
    """Starts and stops the demo's processes; `failed` tells whether one died on its own."""

    def __init__(self, app: Flask, verbose: bool, echo: Callable[[str], None]) -> None:
        self.app = app
        self.verbose = verbose
        self.echo = echo
        self.log_dir = Path(app.instance_path) / "logs"
        self.env = dict(os.environ)
        self.env["VOCPORTAL_INSTANCE_PATH"] = app.instance_path
        # The demo's printed staff and admin logins work without an authenticator app (set
        # REQUIRE_STAFF_MFA=true to try the enforced enrolment).
        self.env.setdefault("REQUIRE_STAFF_MFA", "false")
        self.embedded = None
        self.children: list[tuple[str, subprocess.Popen]] = []
        self.logs: list[IO] = []
        self.failed = False
        self.started = time.monotonic()

    def say(self, message: str) -> None:
        """One line on the console, with seconds since the start."""
        self.echo(f"[{time.monotonic() - self.started:5.1f}s] {message}")

    @contextlib.contextmanager
    def signals_stop(self) -> Iterator[None]:
        """Turn SIGTERM and SIGHUP into StopDemo (handled like Ctrl-C) for the block."""

        def stop(signum, _frame):
            raise StopDemo(signal.Signals(signum).name)

        previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGHUP)}
        try:
            yield
        except (KeyboardInterrupt, StopDemo):
            pass
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def start_redis(self) -> None:
        """Start the embedded Redis unless REDIS_URL names a server."""
        from vocportal.redis_client import EmbeddedRedis

        if self.app.config["REDIS_URL"]:
            self.env["REDIS_URL"] = self.app.config["REDIS_URL"]
            return
        self.embedded = EmbeddedRedis(self.app.instance_path)
        self.embedded.start()
        self.env["REDIS_URL"] = self.embedded.url
        self.app.config["REDIS_URL"] = self.embedded.url
        self.say(f"Embedded Redis running on {self.embedded.socket}")

    def _spawn(self, name: str, command: list[str]) -> None:
        output: IO | None = None
        if not self.verbose:
            self.log_dir.mkdir(parents=True, exist_ok=True)
            output = open(self.log_dir / f"{name}.log", "a")  # noqa: SIM115 (closed in stop)
            self.logs.append(output)
        process = subprocess.Popen(
            command,
            env=self.env,
            stdout=output,
            stderr=subprocess.STDOUT if output else None,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        self.children.append((name, process))

    def start_children(self, host: str, port: int) -> None:
        """Start gunicorn, the worker and the scheduler."""
        cli = [sys.executable, "-m", "vocportal.cli"]
        # Two workers: mail, notifications and embeddings flow at once, while the themes
        # worker pays BERTopic's one-time compile (a minute or more) before its first fit.
        self._spawn("worker", [*cli, "worker", "default", "notifications", "embeddings"])
        self._spawn("themes-worker", [*cli, "worker", "topics"])
        self._spawn("scheduler", [*cli, "scheduler"])
        # One process with threads: similar-ideas look-ups share one copy of the model.
        self._spawn(
            "web",
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--bind",
                f"{host}:{port}",
                "--workers",
                "1",
                "--threads",
                "8",
                "--worker-class",
                "gthread",
                # An open page's live-update stream is an in-flight request: without this a
                # stop would wait gunicorn's default 30 s for it (pages reconnect or poll).
                "--graceful-timeout",
                "5",
                "--access-logfile",
                "-" if self.verbose else str(self.log_dir / "access.log"),
                "vocportal:create_app()",
            ],
        )
        self.say("Started web (gunicorn), workers and scheduler")

    def wait_until_serving(self, host: str, port: int) -> None:
        """Return when the web answers on its port; fail if a child dies first."""
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            self._check_children()
            with contextlib.suppress(OSError), socket.create_connection((host, port), 1):
                self.say("Web answering")
                return
            time.sleep(0.2)
        raise RuntimeError(f"the web did not answer on {host}:{port}")

    @staticmethod
    def warm_web(host: str, port: int) -> None:
        """A first request starts the web process loading the similar-ideas model in the
        background, before the first person types. Sent from a thread after the banner is
        printed: on a busy machine it can take seconds, and neither the person nor the
        echo of account emails should wait for it."""

        def first_request() -> None:
            with contextlib.suppress(OSError):
                urllib.request.urlopen(f"http://{host}:{port}/login", timeout=10).close()

        threading.Thread(target=first_request, name="warm-web", daemon=True).start()

    def _check_children(self) -> None:
        for name, process in self.children:
            if process.poll() is not None:
                self.failed = True
                where = "" if self.verbose else f" (see {self.log_dir / (name + '.log')})"
                raise RuntimeError(f"the {name} stopped with code {process.returncode}{where}")

    def watch(self) -> None:
        """Wait until a signal stops the demo, or a child dies (which stops it too).

        Account emails (password reset, address confirmation, sign-in link) are echoed from
        the worker's log, one line each with the link whole: on a local demo that line is
        how a person gets the link."""
        worker_log = None if self.verbose else self.log_dir / "worker.log"
        position = worker_log.stat().st_size if worker_log and worker_log.exists() else 0
        try:
            while True:
                self._check_children()
                if worker_log is not None:
                    position = self._echo_account_emails(worker_log, position)
                time.sleep(0.5)
        except RuntimeError as error:
            self.echo(f"Stopping: {error}")

    def _echo_account_emails(self, path: Path, position: int) -> int:
        with contextlib.suppress(OSError), path.open("rb") as log:
            log.seek(position)
            data = log.read()
            complete = data[: data.rfind(b"\n") + 1]
            for line in complete.decode("utf-8", "replace").splitlines():
                at = line.find("email to ")
                if at >= 0 and any(p in line for p in ACCOUNT_LINKS):
                    self.echo(line[at:])
            return position + len(complete)
        return position

    def stop(self) -> None:
        """Stop every child (web first), then Redis. Safe to call at any point."""
        # A second signal while stopping must not cut the stop short.
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, signal.SIG_IGN)
        for _name, process in self.children:
            _signal_group(process, signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for _name, process in self.children:
            try:
                process.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                _signal_group(process, signal.SIGKILL)
                process.wait()
            # Whatever the child left in its group (a forked helper) goes too.
            _signal_group(process, signal.SIGKILL)
        if self.embedded is not None:
            self.embedded.stop()
        for log in self.logs:
            log.close()


def _signal_group(process: subprocess.Popen, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, sig)
