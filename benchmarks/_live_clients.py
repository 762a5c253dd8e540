"""benchmarks/live.py's clients, each in a process of its own so they do not share the
voter's interpreter: the idea list under load, and the holder of every event stream (one
selector, each `idea` event's arrival stamped with time.monotonic); and the latency
arithmetic over their records."""

from __future__ import annotations

import http.client
import json
import multiprocessing as mp
import selectors
import socket
import threading
import time

# --- the idea list under load (its own process) -------------------------------------------


def _load_worker(port: int, seconds: float, out: list, stop_at: float) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    done, errors = 0, 0
    while time.monotonic() < stop_at:
        try:
            conn.request("GET", "/")
            response = conn.getresponse()
            body = response.read()
            if response.status == 200 and b'class="idea-row"' in body:
                done += 1
            else:
                errors += 1
        except (OSError, http.client.HTTPException):
            errors += 1
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.close()
    out.append((done, errors))


def _load_process(port: int, seconds: float, concurrency: int, result) -> None:
    out: list = []
    stop_at = time.monotonic() + seconds
    threads = [
        threading.Thread(target=_load_worker, args=(port, seconds, out, stop_at))
        for _ in range(concurrency)
    ]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    done = sum(d for d, _ in out)
    result.put(
        {"rps": round(done / elapsed, 1), "requests": done, "errors": sum(e for _, e in out)}
    )


def load_list(port: int, seconds: float, concurrency: int) -> mp.Process:
    """Start loading the idea list in a child process; `.result.get()` gives the figures."""
    result = mp.Queue()
    process = mp.Process(
        target=_load_process, args=(port, seconds, concurrency, result), daemon=True
    )
    process.result = result
    process.start()
    return process


# --- the streams (their own process) ------------------------------------------------------


def stream_process(port: int, n: int, path: str, ready, stop, result) -> None:
    """Open `n` streams, report readiness once each has its first event, then stamp the
    arrival of each `idea` event until `stop` is set; put [(votes, arrival), ...] per stream."""
    selector = selectors.DefaultSelector()
    buffers: dict[int, bytes] = {}
    arrivals: dict[int, list] = {}
    started: set[int] = set()
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n"
    socks = []
    for index in range(n):
        sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        sock.sendall(request.encode())
        sock.setblocking(False)
        selector.register(sock, selectors.EVENT_READ, index)
        socks.append(sock)
        buffers[index], arrivals[index] = b"", []
        if index % 50 == 49:  # let the server take them in batches
            _read(selector, buffers, arrivals, started, 0.05)
    deadline = time.monotonic() + 120
    while len(started) < n and time.monotonic() < deadline:
        _read(selector, buffers, arrivals, started, 0.2)
    ready.put({"streams": n, "started": len(started)})
    while not stop.is_set():
        _read(selector, buffers, arrivals, started, 0.2)
    _read(selector, buffers, arrivals, started, 0.5)
    for sock in socks:
        sock.close()
    result.put([arrivals[i] for i in range(n)])


def _read(selector, buffers, arrivals, started, timeout: float) -> None:
    for key, _mask in selector.select(timeout):
        index = key.data
        try:
            chunk = key.fileobj.recv(65536)
        except BlockingIOError:
            continue
        except OSError:
            selector.unregister(key.fileobj)
            continue
        now = time.monotonic()
        if not chunk:
            selector.unregister(key.fileobj)
            continue
        buffers[index] += chunk
        while b"\n\n" in buffers[index]:
            block, buffers[index] = buffers[index].split(b"\n\n", 1)
            if b"event: state" in block:
                started.add(index)
            elif b"event: idea" in block:
                data = block.split(b"data: ", 1)[1].split(b"\n", 1)[0]
                arrivals[index].append((json.loads(data)["votes"], now))


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def latencies(votes: list[tuple[int, float]], streams: list[list]) -> tuple[list[float], int]:
    """Each vote's latency to each stream: the first event after the vote carrying the count
    the vote made (votes alternate between two counts); and how many never arrived."""
    out, missed = [], 0
    for k, (count, sent) in enumerate(votes):
        until = votes[k + 1][1] if k + 1 < len(votes) else float("inf")
        for events in streams:
            hit = next((at for c, at in events if c == count and sent <= at < until), None)
            if hit is None:
                missed += 1
            else:
                out.append(hit - sent)
    return out, missed
