"""One error shape for every API answer that is not a success.

    {"error": {"status": 422, "message": "...", "fields": {"title": ["..."]}}}

Validation errors from webargs/marshmallow, refusals from operations, HTTP errors raised by
Flask, Werkzeug or Flask-Limiter, and unknown addresses under /api/v1 all answer this way.
"""

from __future__ import annotations

from http import HTTPStatus

import marshmallow as ma
from flask import Blueprint, current_app, jsonify, request
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException, InternalServerError

from vocportal.errors import OperationError, PermissionDenied
from vocportal.extensions import db

API_PREFIX = "/api/v1"

#: Our wording for the statuses the API answers with (Werkzeug's is generic).
MESSAGES = {
    400: "The request could not be understood.",
    401: "Send a valid API token: Authorization: Bearer <token>.",
    403: "This token may not do that.",
    404: "There is nothing at this address.",
    405: "This address does not take that method.",
    409: "The request conflicts with the current state of the resource.",
    413: "The request body is too large.",
    415: "Send JSON (Content-Type: application/json).",
    422: "The request's data is not valid.",
    429: "Too many requests; wait a little and try again.",
    500: "Something went wrong on our side; it was logged.",
}


class ErrorDetailSchema(ma.Schema):
    status = ma.fields.Integer(required=True, metadata={"description": "The HTTP status."})
    message = ma.fields.String(required=True, metadata={"description": "What went wrong."})
    fields_ = ma.fields.Dict(
        data_key="fields",
        attribute="fields",
        keys=ma.fields.String(),
        values=ma.fields.List(ma.fields.String()),
        required=True,
        metadata={
            "description": "Problems per input field (dotted paths for nested input), "
            "empty when the error is not about a field."
        },
    )


class ErrorSchema(ma.Schema):
    """The body of every error response."""

    error = ma.fields.Nested(ErrorDetailSchema, required=True)


def flatten_messages(messages, prefix: str = "") -> dict[str, list[str]]:
    """Marshmallow/webargs messages -> {"field.path": ["message", ...]}.

    webargs nests them under the location ("json", "query"), which is left out; marshmallow's
    "_schema" (about the whole input) becomes the empty path.
    """
    out: dict[str, list[str]] = {}

    def walk(node, path: str) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                key = str(key)
                sub = path if key == "_schema" else (f"{path}.{key}" if path else key)
                walk(value, sub)
        elif isinstance(node, list | tuple):
            for value in node:
                if isinstance(value, dict | list | tuple):
                    walk(value, path)
                else:
                    out.setdefault(path, []).append(str(value))
        else:
            out.setdefault(path, []).append(str(node))

    if isinstance(messages, dict) and prefix == "":
        for location in ("json", "query", "path", "headers", "form", "view_args"):
            if location in messages and isinstance(messages[location], dict | list):
                walk(messages[location], "")
                messages = {k: v for k, v in messages.items() if k != location}
    walk(messages, prefix)
    return out


def error_response(status: int, message: str | None = None, fields=None, headers=None):
    body = {
        "error": {
            "status": status,
            "message": message or MESSAGES.get(status) or HTTPStatus(status).phrase,
            "fields": fields or {},
        }
    }
    response = jsonify(body)
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


def handle_http_exception(error: HTTPException):
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    fields = flatten_messages(data["messages"]) if "messages" in data else {}
    message = data.get("message")
    if message is None and fields:
        message = MESSAGES[422] if status == 422 else None
    if message is None:
        description = error.description
        generic = getattr(type(error), "description", None)
        if status == 429:
            message = f"{MESSAGES[429]} (limit: {description})"
        elif status == 413 and request.max_content_length:
            message = f"{MESSAGES[413]} (limit: {request.max_content_length:,} bytes)"
        elif description and description != generic and status != 500:
            message = description
    headers = dict(data.get("headers") or {})
    if status == 405 and getattr(error, "valid_methods", None):
        headers["Allow"] = ", ".join(sorted(error.valid_methods))
    return error_response(status, message, fields, headers)


def handle_operation_error(error: OperationError):
    """A rule refused the request: 422 when about a field, else 409 (the state forbids it)."""
    if error.field:
        return error_response(422, error.message, {error.field: [error.message]})
    return error_response(409, error.message)


def handle_permission_denied(_error: PermissionDenied):
    return error_response(403)


def handle_integrity_error(error: IntegrityError):
    """Two requests wrote the same thing at once: the loser is told to retry."""
    db.session.rollback()
    current_app.logger.warning("API write conflict: %s", error.orig)
    return error_response(409, "This clashed with a change made at the same time; try again.")


def handle_unexpected(error: Exception):
    if isinstance(error, HTTPException):
        return handle_http_exception(error)
    current_app.logger.exception("API error", exc_info=error)
    return handle_http_exception(InternalServerError())


def register_api_errors(bp: Blueprint) -> None:
    """Answer every error raised while the blueprint handles a request in the API's shape."""
    for status in (400, 401, 403, 404, 405, 409, 413, 415, 422, 429, 500):
        bp.register_error_handler(status, handle_http_exception)
    bp.register_error_handler(HTTPException, handle_http_exception)
    bp.register_error_handler(OperationError, handle_operation_error)
    bp.register_error_handler(PermissionDenied, handle_permission_denied)
    bp.register_error_handler(IntegrityError, handle_integrity_error)
    bp.register_error_handler(Exception, handle_unexpected)

    @bp.before_app_request
    def unknown_api_address():
        """Unknown addresses and methods under /api/v1 answer in JSON too (these requests
        match no route, so no blueprint error handler sees them)."""
        error = request.routing_exception
        if (
            isinstance(error, HTTPException)
            and error.code in (404, 405)
            and (request.path == API_PREFIX or request.path.startswith(API_PREFIX + "/"))
        ):
            return handle_http_exception(error)
        return None
