"""Similar ideas on a cold start: how long after someone types a new idea's title do the
first suggestions arrive, on a freshly started web process?

Run by hand from the repository root (never part of the test suite):

    .venv/bin/python benchmarks/similar_cold.py                 # warm-up on (the default)
    .venv/bin/python benchmarks/similar_cold.py --runs 3 --compare-old

What it does:

1. once: a temporary instance folder with a SQLite database, migrated, seeded with the demo
   (`seed-demo`: 319 ideas) and embedded (`embeddings backfill --now`), through the CLI as a
   person would (this part loads the model; it is not timed);
2. per run: a fresh gunicorn, as the demo starts it (`vocportal:create_app()`, 1 gthread
   worker, 8 threads). As soon as its port accepts connections (no request before), a
   person opens the login page (the process's first request), logs in as the demo customer,
   opens "New idea" and, `--think` seconds later (default 0: at once, the worst case),
   types a title. The page waits `DEBOUNCE_S` after the last keystroke (hx-trigger delay),
   then asks for suggestions; the figure is that delay plus the response time. While the
   answer is marked pending (keyword matches while the model loads), the script asks again
   every `RETRY_S` like static/js/similar.js and reports when the model's suggestions came;
3. `--compare-old`: the same runs with SIMILAR_WARM_AT_START=false and
   SIMILAR_WAIT_FOR_MODEL=true, i.e. the first look-up loads the model (the behaviour
   before the warm-up).

Progress goes to stderr; stdout gets one JSON object. Target: first suggestions within 1 s
of typing.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import ROOT, free_port, log, stop_processes  # noqa: E402

#: What the new-idea form waits after the last keystroke (templates/ideas/form.html).
DEBOUNCE_S = 0.3
#: How often the page asks again while suggestions are pending (static/js/similar.js).
RETRY_S = 0.8
CUSTOMER = ("customer@brightlane.example", "tallyhive-customer-demo")
TITLES = (
    "Export timesheets to a spreadsheet",
    "Dark mode for the app",
    "Single sign-on with our company accounts",
)
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
_MODE = re.compile(r'data-similar-mode="(\w+)"')


def cli(env: dict, *args: str) -> None:
    command = [sys.executable, "-m", "vocportal.cli", *args]
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"{' '.join(args)} failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")


def prepare(env: dict) -> None:
    started = time.monotonic()
    cli(env, "db", "upgrade")
    cli(env, "seed-demo")
    cli(env, "embeddings", "backfill", "--now")
    log(f"database seeded and embedded in {time.monotonic() - started:.0f} s")


class Person:
    """A browser's requests: cookies kept, CSRF token read from the page's form."""

    def __init__(self, base: str) -> None:
        self.base = base
        jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

    def get(self, path: str, **params) -> str:
        url = self.base + path + ("?" + urllib.parse.urlencode(params) if params else "")
        with self.opener.open(url, timeout=120) as response:
            return response.read().decode()

    def post(self, path: str, data: dict) -> str:
        body = urllib.parse.urlencode(data).encode()
        with self.opener.open(self.base + path, data=body, timeout=120) as response:
            return response.read().decode()


def wait_for_port(port: int, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("gunicorn exited")
        try:
            with socket.create_connection(("127.0.0.1", port), 0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("gunicorn did not open its port")


def one_run(env: dict, title: str, think: float, workdir: Path) -> dict:
    port = free_port()
    command = [
        sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1",
        "--threads", "8", "--worker-class", "gthread", "--log-level", "warning",
        "vocportal:create_app()",
    ]  # fmt: skip
    with open(workdir / "gunicorn.log", "ab") as out:
        spawned = time.monotonic()
        proc = subprocess.Popen(command, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_for_port(port, proc)
        port_open = time.monotonic()
        person = Person(f"http://127.0.0.1:{port}")
        token = _CSRF.search(person.get("/login")).group(1)
        person.post("/login", {"email": CUSTOMER[0], "password": CUSTOMER[1], "csrf_token": token})
        try:
            form_status = 200 if 'id="title"' in person.get("/ideas/new") else 0
        except urllib.error.HTTPError as error:  # e.g. 403: a demo login not yet verified
            form_status = error.code
        if form_status != 200:
            log(f"the new-idea form answered {form_status}; timing the look-ups anyway")
        page_open = time.monotonic()
        time.sleep(think)
        typed = time.monotonic()
        time.sleep(DEBOUNCE_S)
        asked = time.monotonic()
        html = person.get("/ideas/similar", title=title)
        first = time.monotonic()
        mode = _MODE.search(html).group(1)
        first_mode, first_count = mode, html.count('data-testid="similar-idea"')
        retries = 0
        while "data-similar-pending" in html and retries < 200:
            time.sleep(RETRY_S)
            html = person.get("/ideas/similar", title=title)
            retries += 1
        semantic = time.monotonic()
        return {
            "title": title,
            "form_status": form_status,
            "think_s": think,
            "port_open_s": round(port_open - spawned, 3),
            "page_open_s": round(page_open - spawned, 3),
            "first_response_s": round(first - asked, 3),
            "first_after_typing_s": round(first - typed, 3),
            "first_mode": first_mode,
            "first_count": first_count,
            "semantic_after_typing_s": round(semantic - typed, 3),
            "semantic_after_start_s": round(semantic - spawned, 3),
            "semantic_count": html.count('data-testid="similar-idea"'),
            "retries": retries,
        }
    finally:
        stop_processes([proc])


def summary(runs: list[dict]) -> dict:
    first = [r["first_after_typing_s"] for r in runs]
    semantic = [r["semantic_after_typing_s"] for r in runs]
    return {
        "first_after_typing_s_median": round(statistics.median(first), 3),
        "first_after_typing_s_max": max(first),
        "semantic_after_typing_s_median": round(statistics.median(semantic), 3),
        "first_modes": sorted({r["first_mode"] for r in runs}),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="fresh starts per setting (3)")
    parser.add_argument("--think", type=float, default=0.0, help="seconds before typing (0)")
    parser.add_argument("--compare-old", action="store_true", help="also without the warm-up")
    parser.add_argument("--workdir", help="keep the instance here (default: a temp folder)")
    args = parser.parse_args()

    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="similar-cold-"))
    instance = workdir / "instance"
    env = {
        **os.environ,
        "VOCPORTAL_INSTANCE_PATH": str(instance),
        "SECRET_KEY": "bench-similar-cold",
        "RATELIMIT_ENABLED": "false",
        "DATABASE_URL": f"sqlite:///{instance / 'vocportal.db'}",
    }
    if not (instance / "vocportal.db").exists():
        prepare(env)
    settings = {"warm_up": {"SIMILAR_WARM_AT_START": "true", "SIMILAR_WAIT_FOR_MODEL": "false"}}
    if args.compare_old:
        settings["old"] = {"SIMILAR_WARM_AT_START": "false", "SIMILAR_WAIT_FOR_MODEL": "true"}
    from vocportal.embeddings import encoder

    result = {
        "backend": encoder.backend(),
        "cpus": os.cpu_count(),
        "debounce_s": DEBOUNCE_S,
    }
    runs: dict[str, list[dict]] = {name: [] for name in settings}
    for i in range(args.runs):  # settings interleaved, so a busy spell hits both alike
        for name, values in settings.items():
            run = one_run({**env, **values}, TITLES[i % len(TITLES)], args.think, workdir)
            log(f"{name} run {i + 1}: {json.dumps(run)}")
            runs[name].append(run)
    for name in settings:
        result[name] = {"summary": summary(runs[name]), "runs": runs[name]}
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
