"""Waiting in benchmarks/intake.py: until the workers have embedded every feedback row and
given it a theme row, with the rate per tenth; then where the rows were placed."""

from __future__ import annotations

import time

import psutil
from _harness import Workers, log, machine_busy
from sqlalchemy import func, select

POLL_INTERVAL_S = 1.0
#: Give up when the embedded count has not moved for this long.
STALL_TIMEOUT_S = 600


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
    share = machine_busy(machine_before)
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
        "machine_cpu_busy": share,
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


def refresh_queued() -> bool:
    """Whether a theme refresh waits (the embedding job asks for one after a large batch;
    no worker here serves the topics queue)."""
    from vocportal.extensions import db
    from vocportal.queue.models import JobRecord, JobState
    from vocportal.themes.refresh import REFRESH_KEY

    return bool(
        db.session.scalar(
            select(func.count())
            .select_from(JobRecord)
            .where(JobRecord.dedupe_key == REFRESH_KEY, JobRecord.state == JobState.queued)
        )
    )
