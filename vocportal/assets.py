"""Fingerprinted static files: `url_for('static', ...)` adds `?v=<content hash>`, and a
request carrying the file's current hash may be cached for a year.

A changed file gets a new hash, so a new URL, so browsers never use a stale copy; a request
without the hash (or with an old one) is answered as before, revalidated each time.
"""

from __future__ import annotations

import hashlib
import os
import threading

from flask import Flask, request
from werkzeug.security import safe_join
from werkzeug.wrappers import Response

#: Cache-Control for a static file requested with its current hash.
IMMUTABLE = "public, max-age=31536000, immutable"


class Fingerprints:
    """Content hashes of static files (sha256, first 12 hex digits), each computed once and
    again only when the file's size or modification time changes."""

    def __init__(self, folder: str) -> None:
        self.folder = folder
        self._hashes: dict[str, tuple[tuple[int, int], str]] = {}
        self._lock = threading.Lock()

    def get(self, filename: str) -> str | None:
        path = safe_join(self.folder, filename)
        if path is None:
            return None
        try:
            stat = os.stat(path)
        except OSError:
            return None
        key = (stat.st_mtime_ns, stat.st_size)
        with self._lock:
            cached = self._hashes.get(filename)
        if cached and cached[0] == key:
            return cached[1]
        digest = hashlib.sha256()
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(65536), b""):
                digest.update(block)
        value = digest.hexdigest()[:12]
        with self._lock:
            self._hashes[filename] = (key, value)
        return value


def register_assets(app: Flask) -> None:
    """Fingerprint every `url_for('static', filename=...)` and cache fingerprinted responses."""
    if not app.static_folder:
        return
    fingerprints = Fingerprints(app.static_folder)
    app.extensions["static_fingerprints"] = fingerprints

    @app.url_defaults
    def _add_fingerprint(endpoint: str, values: dict) -> None:
        if endpoint == "static" and "filename" in values and "v" not in values:
            version = fingerprints.get(values["filename"])
            if version:
                values["v"] = version

    @app.after_request
    def _cache_fingerprinted(response: Response) -> Response:
        if request.endpoint != "static" or response.status_code not in (200, 304):
            return response
        filename = (request.view_args or {}).get("filename", "")
        version = request.args.get("v")
        if version and version == fingerprints.get(filename):
            response.headers["Cache-Control"] = IMMUTABLE
        return response
