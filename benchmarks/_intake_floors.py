"""The floors benchmarks/intake.py compares with: one executemany INSERT of the same rows,
and the embedding model alone; and the fresh, migrated databases the runs use."""

from __future__ import annotations

import os
import time
from pathlib import Path

import psutil
from _harness import log, reset_postgresql
from sqlalchemy import func, insert, select


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


def insert_floor(args, workdir: Path, instance_dir: Path, channels: dict[str, list[dict]]):
    """Seconds for one executemany INSERT (and commit) of each channel's rows, in order,
    into a fresh database whose authors and companies already exist."""
    from vocportal.accounts.models import Role, User
    from vocportal.companies.models import Company
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
    from vocportal.embeddings.encoder import embed

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
