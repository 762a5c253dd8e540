"""A worker process: the app its jobs run in, its warm-up, and RQ's SimpleWorker."""

from __future__ import annotations

import os
import time

from flask import Flask
from rq import SimpleWorker

from jobs.runtime import set_app
from vocportal.redis_client import get_redis


def run(app: Flask, queues: list[str], *, burst: bool = False, warm: bool = True) -> None:
    """Run jobs from `queues` in `app` until stopped (or until they are empty, with `burst`).

    The worker does not fork per job: the embedding model and BERTopic's compiled code stay
    loaded, so only the first job after start pays their cold start (the warm-up pays it
    before the first job).
    """
    set_app(app)
    # A worker embeds in batches and fits themes: give torch every core.
    os.environ.setdefault("VOCPORTAL_TORCH_THREADS", str(os.cpu_count() or 1))
    if warm:
        print(f"worker warmed up in {warm_up(queues):.1f} s", flush=True)
    SimpleWorker(queues, connection=get_redis(app)).work(burst=burst, with_scheduler=True)


def warm_up(queues: list[str]) -> float:
    """Load the embedding model and compile BERTopic's code once, before any job; return the
    seconds it took."""
    started = time.monotonic()
    from vocportal.embeddings.encoder import embed

    if "embeddings" in queues or "topics" in queues:
        embed(["warm up"])
    if "topics" in queues:
        from vocportal.themes.pipeline import warm_up as warm_up_topics

        warm_up_topics()
    return time.monotonic() - started
