"""Live updates benchmark: 1,000 idle event streams on one web process, the time from a vote
to its update arriving at every stream, and the idea list's throughput with and without them.

Run by hand from the repository root (never part of the test suite):

    .venv/bin/python benchmarks/live.py                   # 1,000 streams, 20 s per load
    .venv/bin/python benchmarks/live.py --streams 200 --threads 300 --duration 10

What it does:

1. creates a temporary SQLite database (or resets --database-url, a PostgreSQL database of
   its own) and loads ideas and votes as benchmarks/web.py does; one customer can log in;
2. serves the portal (`wsgi:app`) with ONE gunicorn gthread worker whose threads are the
   streams plus the threads kept for requests (--threads, 64), --worker-connections 200
   above that, LIVE_MAX_STREAMS = streams, the anonymous page cache off (every list
   request rendered) and an embedded Redis (or --redis URL);
3. loads the idea list (anonymous `GET /`) from a separate process with --concurrency
   keep-alive connections for --duration seconds: the throughput without streams;
4. opens --streams event streams (`GET /live/stream?ideas=<the first page>`) from another
   process, which reads all of them with one selector and stamps each `idea` event's
   arrival (time.monotonic, the same clock in every process);
5. loads the idea list with the streams open and idle (the throughput ratio), then again
   while the customer votes for and un-votes the list's first idea that takes votes every
   --vote-every seconds through the portal's own forms; each vote's latency to each stream
   is the event's arrival minus the moment before the POST;
6. closes the streams and loads the list once more: the ratios compare with the mean of
   the first and last runs (a shared machine's load drifts);
7. prints one JSON object on stdout (progress on stderr): the throughputs and ratios, the
   vote-to-update latency p50/p95/p99/max over every (vote, stream) pair and the votes' own
   request time, updates missed, the worker's threads and RSS, and the load average.

Targets (issue 16): p95 < 1 s with 1,000 streams, the list at >= 0.8x its throughput
without them (`throughput_ratio`: idle streams; `throughput_ratio_while_voting` also
counts the work of sending every vote to every stream).
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing as mp
import os
import re
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

import psutil
from _harness import (
    cpu_seconds,
    gunicorn,
    log,
    machine_busy,
    redis_for_run,
    reset_postgresql,
    run_script,
)
from _live_clients import latencies, load_list, percentile, stream_process
from web import CUSTOMER_PASSWORD, _session_cookie, build_database, check_idea_list, log_in

CLOSED = {"shipped", "declined", "duplicate"}
TARGETS = {"vote_to_update_p95_ms": "< 1000", "throughput_ratio": ">= 0.8"}


# --- the voter ----------------------------------------------------------------------------


def vote_forms(port: int, cookie: str, idea_id: int) -> tuple[str, str, bool]:
    """The CSRF token of the idea's page (for the vote forms), the cookie after it, and
    whether the customer has voted for the idea."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", f"/ideas/{idea_id}", headers={"Cookie": cookie})
    response = conn.getresponse()
    page = response.read().decode()
    conn.close()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    if response.status != 200 or token is None:
        raise RuntimeError(f"GET /ideas/{idea_id}: status {response.status}, no form")
    voted = f"/ideas/{idea_id}/unvote" in page
    return token.group(1), _session_cookie(response, cookie), voted


def first_page(port: int) -> tuple[list[int], int]:
    """The ids of the ideas on the list's first page (what a reader's stream watches), and
    the first of them that takes votes (not shipped, declined or a duplicate)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", "/")
    page = conn.getresponse().read().decode()
    conn.close()
    rows = re.findall(r'id="vote-(\d+)".*?class="status status-(\w+)', page, re.DOTALL)
    open_ids = [int(i) for i, status in rows if status not in CLOSED]
    if not open_ids:
        raise RuntimeError("no idea on the first page takes votes")
    return [int(i) for i, _status in rows], open_ids[0]


def cast(port: int, cookie: str, token: str, idea_id: int, action: str) -> int:
    """Vote or take the vote back through the vote form; return the count the page shows."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request(
        "POST",
        f"/ideas/{idea_id}/{action}",
        body=urlencode({"csrf_token": token}),
        headers={
            "Cookie": cookie,
            "Content-Type": "application/x-www-form-urlencoded",
            "HX-Request": "true",
        },
    )
    response = conn.getresponse()
    body = response.read().decode()
    conn.close()
    count = re.search(r'data-testid="vote-count">(\d+)<', body)
    if response.status != 200 or count is None:
        raise RuntimeError(f"POST /ideas/{idea_id}/{action}: status {response.status}")
    error = re.search(r'class="field-error"[^>]*>([^<]+)<', body)
    if error:
        raise RuntimeError(f"POST /ideas/{idea_id}/{action}: {error.group(1)}")
    return int(count.group(1))


def current_votes(port: int, idea_id: int) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", f"/live/state?ideas={idea_id}")
    data = json.loads(conn.getresponse().read())
    conn.close()
    return data["ideas"][str(idea_id)]["votes"]


def measure(port: int, args, worker: psutil.Process) -> dict:
    """Load the idea list for --duration seconds; its rate, the share of the machine busy
    and the worker's CPU time per request."""
    cpu, worker_cpu = psutil.cpu_times(), cpu_seconds([worker])
    process = load_list(port, args.duration, args.concurrency)
    result = process.result.get()
    process.join()
    result["machine_busy"] = machine_busy(cpu)
    result["worker_cpu_ms_per_request"] = round(
        (cpu_seconds([worker]) - worker_cpu) * 1000 / max(1, result["requests"]), 2
    )
    return result


# --- main ---------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--streams", type=int, default=1000, help="idle streams to hold (1000)")
    parser.add_argument(
        "--threads", type=int, default=64, help="gunicorn threads kept for requests (64)"
    )
    parser.add_argument("--duration", type=float, default=20, help="seconds per load (20)")
    parser.add_argument("--concurrency", type=int, default=8, help="list connections (8)")
    parser.add_argument("--vote-every", type=float, default=2.0, help="seconds between votes")
    parser.add_argument("--ideas", type=int, default=2_000, help="ideas to load (2000)")
    parser.add_argument("--votes", type=int, default=20_000, help="votes to load (20000)")
    parser.add_argument("--users", type=int, default=500, help="users to load (500)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--redis", default="embedded", help="'embedded' or a Redis URL")
    parser.add_argument(
        "--database-url", default="", help="a PostgreSQL database to reset and use (else SQLite)"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    load_before = os.getloadavg()
    with (
        tempfile.TemporaryDirectory(prefix="vocportal-live-") as tmp,
        redis_for_run(args.redis, Path(tmp) / "instance", ()) as redis_url,
    ):
        workdir = Path(tmp)
        instance_dir = workdir / "instance"
        instance_dir.mkdir(exist_ok=True)
        db_url = args.database_url or f"sqlite:///{workdir / 'bench.db'}"
        if args.database_url:
            reset_postgresql(db_url)
        env = {
            **os.environ,
            "DATABASE_URL": db_url,
            "SECRET_KEY": "bench",
            "RATELIMIT_ENABLED": "false",
            "REDIS_URL": redis_url,
            "ANONYMOUS_PAGE_CACHE_SECONDS": "0",
            "SIMILAR_WARM_AT_START": "false",
            "LIVE_UPDATES": "sse",
            "LIVE_MAX_STREAMS": str(args.streams),
            "LIVE_STREAM_SECONDS": "3600",
            "VOCPORTAL_INSTANCE_PATH": str(instance_dir),
            "PYTHONDONTWRITEBYTECODE": "1",
        }
        os.environ.update({k: env[k] for k in ("DATABASE_URL", "SECRET_KEY", "RATELIMIT_ENABLED")})
        expected = build_database(db_url, instance_dir, args)
        threads = args.streams + args.threads
        extra = (
            "--threads", str(threads), "--worker-connections", str(threads + 200),
            "--timeout", "120", "--keep-alive", "75",
        )  # fmt: skip
        server = gunicorn(
            "portal", "wsgi:app", env, workdir, workers=1, extra=extra, start_timeout=180
        )
        with server as (proc, port):
            check_idea_list(port, expected)
            worker = psutil.Process(proc.pid).children()[0]
            ids, idea_id = first_page(port)
            cookie = log_in(port, expected["customer_email"], CUSTOMER_PASSWORD)
            token, cookie, voted = vote_forms(port, cookie, idea_id)

            log(f"idea list without streams: {args.duration:g} s, {args.concurrency} connections")
            load_list(port, 3, args.concurrency).join()  # warm-up
            baseline = measure(port, args, worker)

            log(f"opening {args.streams} streams")
            path = f"/live/stream?ideas={','.join(map(str, ids))}"
            ready, stop, result = mp.Queue(), mp.Event(), mp.Queue()
            holder = mp.Process(
                target=stream_process,
                args=(port, args.streams, path, ready, stop, result),
                daemon=True,  # gone with this process, if it fails
            )
            opened_at = time.monotonic()
            holder.start()
            opened = ready.get(timeout=300)
            opened["seconds"] = round(time.monotonic() - opened_at, 1)
            log(f"streams open: {opened}")
            if opened["started"] < args.streams:
                raise RuntimeError(f"only {opened['started']} of {args.streams} streams started")
            idle = {
                "worker_threads": worker.num_threads(),
                "worker_rss_mb": round(worker.memory_info().rss / 2**20, 1),
            }

            log("idea list with the streams open and idle")
            with_idle = measure(port, args, worker)

            log(f"idea list with the streams open, voting every {args.vote_every:g} s")
            start = current_votes(port, idea_id)
            cpu, worker_cpu = psutil.cpu_times(), cpu_seconds([worker])
            loaded_proc = load_list(port, args.duration, args.concurrency)
            votes: list[tuple[int, float]] = []
            answered: list[float] = []  # seconds each vote's POST took
            until = time.monotonic() + args.duration - 1
            action = "unvote" if voted else "vote"
            while time.monotonic() < until:
                sent = time.monotonic()
                count = cast(port, cookie, token, idea_id, action)
                if count == start:  # refused (a vote budget, say): nothing to send
                    raise RuntimeError(f"the {action} left the count at {count}")
                votes.append((count, sent))
                answered.append(time.monotonic() - sent)
                action = "unvote" if action == "vote" else "vote"
                start = count
                time.sleep(args.vote_every)
            loaded = loaded_proc.result.get()
            loaded_proc.join()
            loaded["machine_busy"] = machine_busy(cpu)
            loaded["worker_cpu_ms_per_request"] = round(
                (cpu_seconds([worker]) - worker_cpu) * 1000 / max(1, loaded["requests"]), 2
            )
            time.sleep(2)  # the last vote's events
            stop.set()
            streams = result.get(timeout=120)
            holder.join()

            log("idea list again, the streams closed (the machine's load drifts)")
            time.sleep(2)
            after = measure(port, args, worker)
    found, missed = latencies(votes, streams)
    ms = [x * 1000 for x in found]
    without = (baseline["rps"] + after["rps"]) / 2
    report = {
        "streams": args.streams,
        "gunicorn": {"workers": 1, "worker_class": "gthread", "threads": threads},
        "streams_open_seconds": opened["seconds"],
        **idle,
        # Without streams: before opening them and after closing them (mean of the two).
        "idea_list_rps_without_streams": [baseline["rps"], after["rps"]],
        "idea_list_rps_with_idle_streams": with_idle["rps"],
        "throughput_ratio": round(with_idle["rps"] / without, 3) if without else 0,
        # The same while the votes' updates go out to every stream.
        "idea_list_rps_while_voting": loaded["rps"],
        "throughput_ratio_while_voting": round(loaded["rps"] / without, 3) if without else 0,
        "worker_cpu_ms_per_request_without_streams": [
            baseline["worker_cpu_ms_per_request"],
            after["worker_cpu_ms_per_request"],
        ],
        "worker_cpu_ms_per_request_with_idle_streams": with_idle["worker_cpu_ms_per_request"],
        "worker_cpu_ms_per_request_while_voting": loaded["worker_cpu_ms_per_request"],
        "idea_list_errors": sum(r["errors"] for r in (baseline, with_idle, loaded, after)),
        "votes": len(votes),
        "updates_expected": len(votes) * args.streams,
        "updates_missed": missed,
        "vote_to_update_p50_ms": round(percentile(ms, 0.50), 1),
        "vote_to_update_p95_ms": round(percentile(ms, 0.95), 1),
        "vote_to_update_p99_ms": round(percentile(ms, 0.99), 1),
        "vote_to_update_max_ms": round(max(ms), 1) if ms else None,
        # Of which the vote's own request (its POST, answered after the commit and publish).
        "vote_request_p50_ms": round(percentile(answered, 0.50) * 1000, 1),
        "vote_request_max_ms": round(max(answered) * 1000, 1) if answered else None,
        "machine_busy_without_streams": [baseline["machine_busy"], after["machine_busy"]],
        "machine_busy_with_idle_streams": with_idle["machine_busy"],
        "machine_busy_while_voting": loaded["machine_busy"],
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "cpus": os.cpu_count(),
        "database": "postgresql" if args.database_url else "sqlite",
        "redis": "embedded" if args.redis == "embedded" else "server",
        "targets": TARGETS,
    }
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    run_script(main, "server and clients")
