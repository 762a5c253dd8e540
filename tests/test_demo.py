"""`vocportal demo` runs web, embedded Redis, worker and scheduler, and stops them all."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request

import psutil
import pytest

from tests.smtp import free_port

pytestmark = pytest.mark.slow


def wait_for(url: str, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.read().decode()
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"{url} did not answer within {timeout} s")


def test_demo_starts_everything_and_ctrl_c_stops_everything(tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "VOCPORTAL_INSTANCE_PATH": str(tmp_path / "instance"),
        "DATABASE_URL": "",
        "REDIS_URL": "",
        "SECRET_KEY": "demo-test",
    }
    demo = subprocess.Popen(
        [sys.executable, "-m", "vocportal.cli", "demo", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        page = wait_for(f"http://127.0.0.1:{port}/", timeout=120)
        assert "What should we build next?" in page and 'data-testid="vote-count"' in page
        children = psutil.Process(demo.pid).children()
        commands = [" ".join(c.cmdline()) for c in children]
        assert any("redis-server" in c for c in commands), commands
        assert any(c.endswith(" worker") for c in commands), commands
        assert any(c.endswith(" scheduler") for c in commands), commands
        assert (tmp_path / "instance" / "redis.sock").exists()
    finally:
        demo.send_signal(signal.SIGINT)  # what Ctrl-C in the terminal sends
        output, _ = demo.communicate(timeout=90)
    assert demo.returncode == 0, output[-3000:]
    assert "log in as staff" in output
    assert "Stopped web, worker, scheduler and Redis." in output
    assert all(not c.is_running() or c.status() == psutil.STATUS_ZOMBIE for c in children)
    assert not (tmp_path / "instance" / "redis.sock").exists()
