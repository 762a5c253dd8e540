"""Errors operations raise, and the pages that tell people what happened."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request


class OperationError(Exception):
    """A rule refused the input; `field` names the form field it belongs to, if any."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class PermissionDenied(Exception):
    """The acting user may not do this to this object."""


def _wants_json() -> bool:
    return (
        request.path.startswith("/api/")
        or request.is_json
        or request.accept_mimetypes.best == "application/json"
    )


def _size(n: int) -> str:
    """1048576 -> "1 MiB"; 1500 -> "1,500 bytes"."""
    for unit, size in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if n >= size and n % size == 0:
            return f"{n // size:,} {unit}"
    return f"{n:,} bytes"


def register_error_handlers(app: Flask) -> None:
    """Render 400/403/404/405/413/422/429/500 as pages that say what happened (JSON for the API)."""

    def handler(code: int, title: str, text: str):
        def handle(error):
            description = getattr(error, "description", None)
            if not description or description == getattr(type(error), "description", None):
                description = text  # werkzeug's generic wording; ours says more
            if code == 429:
                description = f"{text} (limit: {getattr(error, 'description', '')})"
            if code == 413:
                limit = request.max_content_length
                description = f"{text} (limit: {_size(limit)})" if limit else text
            if _wants_json():
                return jsonify(error=title, detail=description), code
            return render_template("error.html", code=code, title=title, text=description), code

        return handle

    app.register_error_handler(
        400, handler(400, "Bad request", "The request could not be understood.")
    )
    app.register_error_handler(
        403, handler(403, "Not allowed", "You do not have permission to do that.")
    )
    app.register_error_handler(
        PermissionDenied, handler(403, "Not allowed", "You do not have permission to do that.")
    )
    app.register_error_handler(
        422, handler(422, "Cannot be stored", "The request holds something we cannot store.")
    )
    app.register_error_handler(
        413,
        handler(413, "Request too large", "The request body is larger than this address takes."),
    )
    app.register_error_handler(404, handler(404, "Not found", "There is nothing at this address."))
    app.register_error_handler(
        405, handler(405, "Method not allowed", "That action is not available here.")
    )
    app.register_error_handler(
        429,
        handler(429, "Too many requests", "You did that too often. Wait a little and try again."),
    )
    app.register_error_handler(
        500, handler(500, "Server error", "Something went wrong on our side; it was logged.")
    )
