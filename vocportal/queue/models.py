"""A row per background job, so the portal can show and re-drive work Redis may lose."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Enum, Float, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from vocportal.extensions import db
from vocportal.timeutil import utcnow


class JobState(enum.Enum):
    queued = "queued"  #: written; enqueued in RQ after the commit (or re-driven by the sweeper)
    started = "started"  #: a worker is running it
    retrying = "retrying"  #: an attempt failed; RQ will run it again after a pause
    finished = "finished"
    failed = "failed"  #: every attempt failed; `error` says why

    @property
    def active(self) -> bool:
        return self in (JobState.queued, JobState.started, JobState.retrying)


ACTIVE_STATES = (JobState.queued, JobState.started, JobState.retrying)


class JobRecord(db.Model):
    __tablename__ = "job_records"
    __table_args__ = (Index("ix_job_records_state_created", "state", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: What the job does, for people: "embed idea", "refresh themes".
    kind: Mapped[str] = mapped_column(String(60))
    #: Dotted path of the function in `jobs/` that RQ runs, and its arguments after the id.
    func: Mapped[str] = mapped_column(String(200))
    args: Mapped[list] = mapped_column(JSON, default=list)
    queue: Mapped[str] = mapped_column(String(40))
    #: Jobs with the same key are not queued twice while one is still active.
    dedupe_key: Mapped[str | None] = mapped_column(String(120), index=True)
    state: Mapped[JobState] = mapped_column(
        Enum(JobState, name="job_state", native_enum=False, length=16), default=JobState.queued
    )
    #: 0..1, and what the job is doing now; long jobs update both as they go.
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    progress_message: Mapped[str] = mapped_column(String(200), default="")
    #: The last failure's exception and message (the traceback is in the worker's log).
    error: Mapped[str] = mapped_column(Text, default="")
    attempts: Mapped[int] = mapped_column(default=0)
    max_attempts: Mapped[int] = mapped_column(default=1)
    #: Seconds an attempt may take before RQ stops it.
    timeout: Mapped[int] = mapped_column(default=300)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: When it was last handed to RQ; NULL if Redis was unreachable at commit time.
    enqueued_at: Mapped[datetime | None]
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]

    @property
    def rq_job_id(self) -> str:
        return f"vocportal-job-{self.id}"

    @property
    def seconds(self) -> float | None:
        if self.started_at is None:
            return None
        end = self.finished_at or utcnow()
        return (end - self.started_at).total_seconds()
