"""Inbox benchmark: server time of the staff inbox with 1,000 untriaged ideas.

Run by hand from the repository root (never part of the test suite):

    .venv/bin/python benchmarks/inbox.py                 # 1,000 ideas, 200 requests a page
    .venv/bin/python benchmarks/inbox.py --ideas 10000 --requests 100

It builds a throw-away SQLite database like benchmarks/web.py (the app's migrations, then
bulk inserts: boards, people, ideas nobody on staff has acted on yet, votes), makes five of
the people staff, gives the admin a real password and logs in through the portal's login
form (REQUIRE_STAFF_MFA off: nobody here has an authenticator). Then it requests the inbox's
first page, and its last page, through the whole app in this process (every hook, session
and template; no HTTP server): the time from the request to the last byte of the body is
the server time. Prints one JSON object on stdout; progress goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import tempfile
import time
from pathlib import Path

from _harness import log, run_script
from web import build_database

TARGET_MS = 30
PER_PAGE = 50  # vocportal.triage.views.PER_PAGE
PASSWORD = "benchmark-password-1"


def _staff_client(app):
    """A test client logged in as the admin through the login form."""
    from vocportal.accounts.models import Role, User
    from vocportal.extensions import db
    from vocportal.security import hash_password
    from vocportal.timeutil import utcnow

    with app.app_context():
        admin = db.session.get(User, 1)
        admin.password_hash = hash_password(PASSWORD)
        admin.email_verified_at = utcnow()
        for user_id in range(3, 8):  # the owner menu lists every staff member
            db.session.get(User, user_id).role = Role.staff
        db.session.commit()
        email = admin.email
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    form = {"email": email, "password": PASSWORD, "csrf_token": token}
    response = client.post("/login", data=form)
    if response.status_code != 302:
        raise RuntimeError(f"login: status {response.status_code}")
    return client


def _time(client, path: str, requests: int, warmup: int = 10) -> dict:
    """Request `path` `requests` times; the server time (wall and CPU) of each."""
    for _ in range(warmup):
        client.get(path)
    wall, cpu = [], []
    for _ in range(requests):
        started, cpu_started = time.perf_counter(), time.process_time()
        response = client.get(path)
        body = response.get_data()
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - cpu_started) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"GET {path}: status {response.status_code}")
    wall.sort()
    rows = body.count(b'data-testid="inbox-row"')
    return {
        "path": path,
        "rows": rows,
        "bytes": len(body),
        "p50_ms": round(statistics.median(wall), 2),
        "p95_ms": round(wall[int(0.95 * (len(wall) - 1))], 2),
        "max_ms": round(wall[-1], 2),
        "cpu_ms_mean": round(statistics.fmean(cpu), 2),
    }


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ideas", type=int, default=1_000, help="untriaged ideas (1000)")
    parser.add_argument("--votes", type=int, default=10_000, help="votes to load (10000)")
    parser.add_argument("--users", type=int, default=500, help="people to load (500)")
    parser.add_argument("--requests", type=int, default=200, help="timed requests a page (200)")
    parser.add_argument("--seed", type=int, default=1, help="random seed for the data (1)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="vocportal-inbox-") as tmp:
        instance_dir = Path(tmp) / "instance"
        instance_dir.mkdir()
        db_url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        build_database(db_url, instance_dir, args)
        from vocportal import create_app

        config = {
            "SQLALCHEMY_DATABASE_URI": db_url,
            "SECRET_KEY": "bench",
            "RATELIMIT_ENABLED": False,
            "REQUIRE_STAFF_MFA": False,
            "SIMILAR_WARM_AT_START": False,
        }
        app = create_app(config, instance_dir)
        client = _staff_client(app)
        last_page = max(1, -(-args.ideas // PER_PAGE))
        log(f"timing /staff/inbox, pages 1 and {last_page}, {args.requests} requests each")
        pages = [
            _time(client, "/staff/inbox", args.requests),
            _time(client, f"/staff/inbox?page={last_page}", args.requests),
        ]
    worst_p95 = max(p["p95_ms"] for p in pages)
    report = {
        "inbox": pages,
        "untriaged_ideas": args.ideas,
        "votes": args.votes,
        "users": args.users,
        "staff": 6,
        "per_page": PER_PAGE,
        "server": "the whole app in-process (Flask test client), SQLite; no HTTP server",
        "load_average_1m": {"before": round(load_before, 2), "after": round(os.getloadavg()[0], 2)},
        "cpus": os.cpu_count(),
        "target": f"server time < {TARGET_MS} ms",
        "meets_target": worst_p95 < TARGET_MS,
    }
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    run_script(main, "benchmark")
