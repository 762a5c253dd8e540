"""Notification jobs: fan an event out to its recipients, send emails, send digests."""

from __future__ import annotations

from jobs.runtime import task
from vocportal.notifications import delivery, sending


@task
def fan_out(event_id: int, *, progress) -> int:
    """Create every recipient's rows for one event (commits per chunk; safe to re-run)."""
    return delivery.fan_out(event_id, progress=progress)


@task
def send_emails(event_id: int, shard: int, shards: int, *, progress) -> int:
    """Send one shard of an event's pending emails; each row is claimed before sending."""
    return sending.send_emails(event_id, shard, shards, progress=progress)


@task
def send_digests(*, progress) -> int:
    """Send the daily digest to everyone who has updates waiting for it."""
    return sending.send_digests(progress=progress)
