"""The demo: its data files ship with the package and seed the same portal every time, and
`vocportal demo` runs web, embedded Redis, worker and scheduler, and stops them all."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import tomllib
import urllib.request
from pathlib import Path

import psutil
import pytest
from sqlalchemy import select

import vocportal
from tests.smtp import free_port
from vocportal.demo import content
from vocportal.demo.seed import seed
from vocportal.extensions import db
from vocportal.feedback.models import FeedbackItem
from vocportal.ideas.models import Board, Idea

ROOT = Path(__file__).resolve().parent.parent


def test_demo_data_files_are_package_data():
    """Every file in vocportal/demo/data/ matches [tool.setuptools.package-data], so a built
    wheel carries what the seeder reads."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    globs = config["tool"]["setuptools"]["package-data"]["vocportal"]
    package = Path(vocportal.__file__).parent
    shipped = {path for pattern in globs for path in package.glob(pattern)}
    data_files = set((package / "demo" / "data").iterdir())
    assert data_files, "no demo data files"
    assert data_files <= shipped, sorted(str(p) for p in data_files - shipped)


def test_seed_loads_the_same_demo_from_the_data_files(app):
    counts = seed()
    # The seeder is deterministic (seed 7): these are the figures of the demo as shipped.
    assert counts == {
        "feedback items": 10,
        "boards": 6,
        "people": 93,
        "ideas": 319,
        "votes": 1755,
        "comments": 358,
        "status changes": 243,
        "changelog entries": 6,
        "notification events": 373,
        # Questions to customers (vocportal/demo/questions.py), after the history above.
        "questions": 6,
        "answers": 4,
        # Last week's voice-of-customer report (vocportal/reports), built by the seed.
        "weekly reports": 1,
        # Tags and custom fields (vocportal/demo/tags.py): labels, no events.
        "tags": 4,
        "tagged ideas": 37,
        "custom fields": 3,
        # Issues linked to the ideas staff work on (vocportal/demo/trackers.py): no token,
        # so nothing is posted on them.
        "linked issues": 3,
    }
    boards = db.session.scalars(select(Board.name).order_by(Board.position)).all()
    assert boards == [b["name"] for b in content.BOARDS]
    titles = db.session.scalars(select(Idea.title)).all()
    assert sorted(titles) == sorted(i["title"] for i in content.IDEAS)
    feedback = db.session.execute(select(FeedbackItem.source, FeedbackItem.text)).all()
    assert sorted((s.value, t) for s, t in feedback) == sorted(
        (f["source"], f["text"]) for f in content.FEEDBACK
    )


def wait_for(url: str, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.read().decode()
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"{url} did not answer within {timeout} s")


@pytest.mark.slow
def start_demo(instance, port: int) -> subprocess.Popen:
    """`vocportal demo` on a fresh SQLite database and embedded Redis in `instance`."""
    env = {
        **os.environ,
        "VOCPORTAL_INSTANCE_PATH": str(instance),
        "DATABASE_URL": "",
        "REDIS_URL": "",
        "SECRET_KEY": "demo-test",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "vocportal.cli", "demo", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


class OutputReader(threading.Thread):
    """Collects a process's output as it comes, so a test can wait for a line and still
    read everything after the process ends."""

    def __init__(self, stream):
        super().__init__(daemon=True)
        self.stream = stream
        self.lines: list[str] = []
        self.changed = threading.Condition()

    def run(self) -> None:
        for line in self.stream:
            with self.changed:
                self.lines.append(line)
                self.changed.notify_all()

    def wait_for(self, text: str, timeout: float) -> None:
        with self.changed:
            if not self.changed.wait_for(lambda: text in self.output, timeout):
                raise AssertionError(f"{text!r} not printed within {timeout} s:\n{self.output}")

    @property
    def output(self) -> str:
        return "".join(self.lines)


def test_demo_starts_everything_and_ctrl_c_stops_everything(tmp_path):
    port = free_port()
    demo = start_demo(tmp_path / "instance", port)
    reader = OutputReader(demo.stdout)
    reader.start()
    try:
        page = wait_for(f"http://127.0.0.1:{port}/", timeout=120)
        # What a person waits for before pressing Ctrl-C: the banner with the logins.
        reader.wait_for("Press Ctrl-C to stop everything", timeout=60)
        assert "What should we build next?" in page and 'data-testid="vote-count"' in page
        children = psutil.Process(demo.pid).children()
        commands = [" ".join(c.cmdline()) for c in children]
        assert any("redis-server" in c for c in commands), commands
        assert any(" worker default notifications embeddings" in c for c in commands), commands
        assert any(c.endswith(" worker topics") for c in commands), commands
        assert any(c.endswith(" scheduler") for c in commands), commands
        assert (tmp_path / "instance" / "redis.sock").exists()
    finally:
        demo.send_signal(signal.SIGINT)  # what Ctrl-C in the terminal sends
        demo.wait(timeout=90)
        reader.join(timeout=10)
        demo.stdout.close()
    output = reader.output
    assert demo.returncode == 0, output[-3000:]
    assert "log in as staff" in output
    assert "Stopped web, worker, scheduler and Redis." in output
    assert all(not c.is_running() or c.status() == psutil.STATUS_ZOMBIE for c in children)
    assert not (tmp_path / "instance" / "redis.sock").exists()
