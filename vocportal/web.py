"""Template helpers shared by every page."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Flask, request
from werkzeug.routing import IntegerConverter

from vocportal.ideas.models import IdeaStatus


class BoundedIntConverter(IntegerConverter):
    """Flask's int converter, limited to what an INTEGER id column can hold (a larger id is
    a 404, not a database error)."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)  # INTEGER columns (PostgreSQL int4)
        super().__init__(map, *args, **kwargs)


def register_template_helpers(app: Flask) -> None:
    @app.template_global()
    def url_with(**changes) -> str:
        """The current URL with some query arguments changed (None removes one)."""
        args = request.args.to_dict()
        for key, value in changes.items():
            if value is None:
                args.pop(key, None)
            else:
                args[key] = value
        return request.path + ("?" + urlencode(args) if args else "")

    @app.template_filter()
    def timeago(value) -> str:
        from vocportal.timeutil import utcnow

        seconds = int((utcnow() - value).total_seconds())
        for unit, size in (
            ("year", 31_536_000),
            ("month", 2_592_000),
            ("day", 86_400),
            ("hour", 3_600),
            ("minute", 60),
        ):
            if seconds >= size:
                n = seconds // size
                return f"{n} {unit}{'s' if n != 1 else ''} ago"
        return "just now"

    @app.context_processor
    def globals_():
        return {"IdeaStatus": IdeaStatus, "portal_name": app.config["PORTAL_NAME"]}
