"""Where an action comes from: set once per request by the web layer, read by `record`.

Operations never read `request`; a before_request hook copies the client's address (after
ProxyFix) and User-Agent into `flask.g`. Outside a request, an RQ job is "worker", a
command is "cli", anything else "system".
"""

from __future__ import annotations

from dataclasses import dataclass

import click
from flask import Flask, g, has_app_context, request
from rq import get_current_job


@dataclass(frozen=True)
class Origin:
    #: "web", "api", "worker", "cli" or "system".
    kind: str
    ip: str = ""
    user_agent: str = ""


def _remember_origin() -> None:
    kind = "api" if request.path.startswith("/api/") else "web"
    g.audit_origin = Origin(kind, (request.remote_addr or "")[:45], request.user_agent.string[:255])


def register_origin(app: Flask) -> None:
    """Remember each request's origin for the audit entries it records."""
    app.before_request(_remember_origin)


def current_origin() -> Origin:
    """The origin of the action being recorded now."""
    if has_app_context():
        origin = g.get("audit_origin")
        if origin is not None:
            return origin
    if get_current_job() is not None:
        return Origin("worker")
    if click.get_current_context(silent=True) is not None:
        return Origin("cli")
    return Origin("system")
