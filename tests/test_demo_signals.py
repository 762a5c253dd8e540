"""`vocportal demo` stops every process it started on SIGTERM and SIGHUP (a closed
terminal) as it does on Ctrl-C, serves with gunicorn and keeps the console short."""

from __future__ import annotations

import re
import signal
import time
import urllib.parse
import urllib.request

import psutil
import pytest

from tests.smtp import free_port
from tests.test_demo import start_demo, wait_for

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGHUP], ids=["TERM", "HUP"])
def test_demo_stops_everything_on_a_signal(tmp_path, stop_signal):
    port = free_port()
    instance = tmp_path / "instance"
    demo = start_demo(instance, port)
    try:
        wait_for(f"http://127.0.0.1:{port}/", timeout=120)
        # Every process under the demo: Redis, gunicorn and its worker, the RQ worker and
        # the scheduler (and whatever they forked).
        descendants = psutil.Process(demo.pid).children(recursive=True)
        commands = [" ".join(p.cmdline()) for p in descendants]
        assert any("gunicorn" in c for c in commands), commands
        assert sum("gunicorn" in c for c in commands) >= 2, commands  # master and worker
        assert any("redis-server" in c for c in commands), commands
        assert any(" worker default notifications embeddings" in c for c in commands)
        assert any(c.endswith(" worker topics") for c in commands), commands
        assert any(c.endswith(" scheduler") for c in commands), commands
        if stop_signal == signal.SIGTERM:
            ask_for_password_reset(port, "customer@brightlane.example")
            wait_for_line(instance / "logs" / "worker.log", "email to customer@", timeout=180)
            time.sleep(1.5)  # the demo echoes the worker's log twice a second
    finally:
        demo.send_signal(stop_signal)
        output, _ = demo.communicate(timeout=90)
    assert demo.returncode == 0, output[-3000:]
    assert "Stopped web, worker, scheduler and Redis." in output
    gone, alive = psutil.wait_procs(descendants, timeout=10)
    assert not [p for p in alive if p.status() != psutil.STATUS_ZOMBIE], alive
    assert not (instance / "redis.sock").exists()
    # A quiet console: no development-server warning, no model or migration chatter.
    assert "development server" not in output
    assert "alembic" not in output
    assert len(output.splitlines()) < 20, output
    assert (instance / "logs" / "web.log").exists() and (instance / "logs" / "worker.log").exists()
    if stop_signal == signal.SIGTERM:
        # The reset email is one console line with its link whole, and the link works.
        (line,) = [x for x in output.splitlines() if x.startswith("email to customer@")]
        assert re.search(r"links: http://127\.0\.0\.1:\d+/password/reset/[\w.-]+$", line), line


def ask_for_password_reset(port: int, email: str) -> None:
    """Fill in the forgotten-password form as a browser would (cookie and CSRF token)."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
    url = f"http://127.0.0.1:{port}/password/forgot"
    page = opener.open(url, timeout=30).read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode({"csrf_token": token, "email": email}).encode()
    assert opener.open(url, data=body, timeout=30).status == 200


def wait_for_line(path, text: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and text in path.read_text(errors="replace"):
            return
        time.sleep(0.5)
    raise AssertionError(f"{text!r} not in {path} within {timeout} s")
