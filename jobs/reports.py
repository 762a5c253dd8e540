"""The weekly voice-of-customer report: build it once, write its deliveries, send them."""

from __future__ import annotations

from datetime import date

from jobs.runtime import task
from vocportal.reports import sending


@task
def send_weekly(week: str, *, progress) -> int:
    """Build the report of the week starting on Monday `week` (ISO date) unless built, write
    each recipient's row once and send the pending ones (safe to run twice)."""
    return sending.run_week(date.fromisoformat(week), progress=progress)
