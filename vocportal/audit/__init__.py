"""The audit log: who did what to what, when and from where (append-only).

Other features call `vocportal.audit.operations.record(actor, action, ...)` inside their
transaction; the web layer says where requests come from (`origin.register_origin`), and
`subscribers` turns the ideas' domain events into entries.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Wire the audit log: its admin page, each request's origin, and the idea events."""
    from vocportal.audit import subscribers
    from vocportal.audit.origin import register_origin
    from vocportal.audit.views import bp

    app.register_blueprint(bp)
    register_origin(app)
    # Blinker keeps one connection per receiver, so building several apps connects once.
    subscribers.connect()
