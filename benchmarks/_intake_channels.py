"""The two ways benchmarks/intake.py brings feedback in: `vocportal import-feedback` on a
CSV file, and `POST /api/v1/feedback/bulk` to the portal under gunicorn."""

from __future__ import annotations

import json
import re
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from _harness import ROOT, children_cpu_seconds, gunicorn, log

STAFF_EMAIL = "bench-staff@example.com"
START_TIMEOUT_S = 60


def run_cli(args_: list[str], env: dict, logfile: Path) -> tuple[float, str]:
    """Run `vocportal ARGS` to completion; return (seconds, its output)."""
    command = [sys.executable, "-m", "vocportal.cli", *args_]
    started = time.perf_counter()
    with open(logfile, "wb") as out:
        result = subprocess.run(command, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    seconds = time.perf_counter() - started
    output = logfile.read_text()
    if result.returncode != 0:
        raise RuntimeError(f"vocportal {' '.join(args_)} failed:\n{output[-3000:]}")
    return seconds, output


def import_csv(path: Path, n: int, env: dict, workdir: Path) -> float:
    """Seconds for `vocportal import-feedback path`; check every row was created."""
    seconds, output = run_cli(["import-feedback", str(path)], env, workdir / f"{path.stem}.log")
    found = re.search(r"(\d+) imported, (\d+) already there, (\d+) rejected", output)
    if not found or int(found.group(1)) != n:
        raise RuntimeError(f"CSV import of {n} rows said:\n{output[-2000:]}")
    return seconds


def http(port: int, method: str, path: str, body: bytes | None = None, token: str = ""):
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", data=body, headers=headers, method=method
    )
    try:
        with urllib.request.urlopen(request, timeout=300) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def staff_token() -> str:
    """A staff member and a write token for them; return the token's secret."""
    from vocportal.accounts.models import Role, User
    from vocportal.api.operations import create_token
    from vocportal.extensions import db

    staff = User(email=STAFF_EMAIL, display_name="Bench Staff", password_hash="", role=Role.staff)
    db.session.add(staff)
    db.session.flush()
    _, secret = create_token(staff, "intake benchmark", "write")
    db.session.commit()
    return secret


def import_api(rows: list[dict], batch: int, env: dict, workdir: Path, token: str) -> dict:
    """POST the rows in batches, one request at a time; time first request to last answer."""
    bodies = [
        json.dumps(
            {
                "items": [
                    {
                        "text": r["text"],
                        "email": r["email"],
                        "name": r["name"],
                        "company": r["company"],
                        "external_id": r["id"],
                        "source": "api",
                    }
                    for r in rows[start : start + batch]
                ]
            }
        ).encode()
        for start in range(0, len(rows), batch)
    ]
    latencies = []
    created = 0
    serve = gunicorn(
        "portal",
        "wsgi:app",
        env,
        workdir,
        ready_path="/api/v1/ideas",
        start_timeout=START_TIMEOUT_S,
        extra=("--timeout", "300"),
    )
    with serve as (proc, port):
        cpu_before = children_cpu_seconds(proc.pid)
        started = time.perf_counter()
        for number, body in enumerate(bodies, 1):
            sent = time.perf_counter()
            status, answer = http(port, "POST", "/api/v1/feedback/bulk", body, token)
            latencies.append(time.perf_counter() - sent)
            if status != 200:
                raise RuntimeError(f"bulk request {number}: HTTP {status}: {answer[:500]!r}")
            result = json.loads(answer)
            statuses = {item["status"] for item in result["results"]}
            expected = len(json.loads(body)["items"])
            if result["created"] != expected or statuses != {"created"}:
                raise RuntimeError(
                    f"bulk request {number}: created {result['created']} of {expected}, "
                    f"existing {result['existing']}, failed {result['failed']}"
                )
            created += result["created"]
            if number % 10 == 0:
                log(
                    f"API: {number} of {len(bodies)} requests "
                    f"({time.perf_counter() - started:.1f} s)"
                )
        seconds = time.perf_counter() - started
        server_cpu = children_cpu_seconds(proc.pid) - cpu_before
    latencies.sort()
    return {
        "seconds": seconds,
        "created": created,
        "requests": len(bodies),
        "batch": batch,
        "request_p50_ms": round(statistics.median(latencies) * 1000, 1),
        "request_max_ms": round(latencies[-1] * 1000, 1),
        "request_bytes_mean": round(sum(map(len, bodies)) / len(bodies)),
        "server_cpu_seconds": round(server_cpu, 2),
        "server_cpu_ms_per_row": round(server_cpu * 1000 / max(created, 1), 3),
    }
