"""`vocportal worker`, `vocportal scheduler` and `vocportal redis`: the background
processes. Worker-side: the worker runs `jobs/`, the scheduler queues `jobs.maintenance`."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from rq.cron import CronScheduler

from jobs import maintenance
from jobs import worker as worker_process
from vocportal.queue.operations import QUEUES
from vocportal.redis_client import EmbeddedRedis, get_redis


@click.command("worker")
@click.argument("queues", nargs=-1)
@click.option("--burst", is_flag=True, help="Stop when the queues are empty.")
@click.option("--no-warm-up", is_flag=True, help="Do not load the models before the first job.")
@with_appcontext
def worker(queues: tuple[str, ...], burst: bool, no_warm_up: bool) -> None:
    """Run an RQ worker for QUEUES (default: all) inside the app context.

    The worker does not fork per job: the embedding model and BERTopic's compiled code
    stay loaded, so only the first job after start pays their cold start (the warm-up
    pays it before the first job).
    """
    names = list(queues) or list(QUEUES)
    unknown = set(names) - set(QUEUES)
    if unknown:
        raise click.BadParameter(f"unknown queue(s): {', '.join(sorted(unknown))}")
    worker_process.run(current_app._get_current_object(), names, burst=burst, warm=not no_warm_up)


@click.command("scheduler")
@with_appcontext
def scheduler() -> None:
    """Run RQ's cron scheduler: sweeper, theme refresh, daily digests, theme alerts."""
    cron = CronScheduler(connection=get_redis(), name="vocportal")
    maintenance.register_schedule(cron, current_app.config)
    cron.start()


@click.command("redis")
@with_appcontext
def redis_server() -> None:
    """Run the embedded Redis server in the foreground (when REDIS_URL is not set)."""
    if current_app.config["REDIS_URL"]:
        raise click.ClickException("REDIS_URL is set: use that Redis server.")
    server = EmbeddedRedis(current_app.instance_path)
    server.start()
    click.echo(f"Embedded Redis on {server.socket}; Ctrl-C stops it.")
    try:
        server.process.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
