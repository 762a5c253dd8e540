"""Pieces the process-level benchmarks (web.py, fanout.py, intake.py) share: logging to
stderr, SIGTERM as an exception, a free port, stopping server and worker processes, and a
PostgreSQL database of their own to reset."""

from __future__ import annotations

import socket
import sys
from urllib.parse import urlsplit

from sqlalchemy import create_engine, text


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def _raise_on_sigterm(signum, frame):
    raise KeyboardInterrupt


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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
    import subprocess

    for proc in procs:
        if proc.poll() is None:
            proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
