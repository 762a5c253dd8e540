"""Template helpers shared by every page."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Flask, abort, request, url_for
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter
from werkzeug.wrappers import Response

from vocportal.formatting import register_formatting

#: The range of an INTEGER column (PostgreSQL int4): ids and numbers that reach a query.
INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1


class BoundedIntConverter(IntegerConverter):
    """Flask's int converter, limited to what an INTEGER id column can hold (a larger id is
    a 404, not a database error)."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", INT32_MAX)  # INTEGER columns (PostgreSQL int4)
        super().__init__(map, *args, **kwargs)


def bounded_int(value: str | int, *, min: int = INT32_MIN, max: int = INT32_MAX) -> int:
    """`value` as an int within [min, max] (an INTEGER column's range by default), else a
    ValueError; usable as `request.args.get(name, default, type=bounded_int)`."""
    number = int(value)
    if not min <= number <= max:
        raise ValueError(f"{number} is outside {min}..{max}")
    return number


def int_arg(name: str, *, min: int = INT32_MIN, max: int = INT32_MAX, status: int = 400):
    """The query argument `name` as an int within [min, max]; None when absent or blank.

    Anything else (not a number, or a number no INTEGER column holds) aborts with `status`:
    400, or 404 for an id ("no such thing"), never a database error.
    """
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    try:
        return bounded_int(raw, min=min, max=max)
    except ValueError:
        abort(status, f"The {name} argument must be a whole number from {min} to {max}.")


def per_id_url(endpoint: str, key: str = "idea_id") -> str:
    """`url_for(endpoint, <key>=id)` for any id, as a `str.format` pattern with `{0}` for the
    id: a list makes one url_for per page instead of one per row."""
    return url_for(endpoint, **{key: INT32_MAX}).replace(str(INT32_MAX), "{0}")


def private_cache(response: Response) -> Response:
    """after_request: a response to a logged-in person is theirs alone (Cache-Control:
    private, no-store), unless the view chose its own caching (static files, widget.js)."""
    from flask_login import current_user

    if "Cache-Control" not in response.headers and current_user.is_authenticated:
        response.headers["Cache-Control"] = "private, no-store"
        response.vary.add("Cookie")
    return response


def apply_proxy_fix(app: Flask) -> None:
    """Behind PROXY_FIX_HOPS trusted reverse proxies, take the client's address and scheme
    from the X-Forwarded-For and X-Forwarded-Proto headers they set (rate limits count per
    client address). 0, the default: the peer of the socket is the client."""
    hops = int(app.config.get("PROXY_FIX_HOPS") or 0)
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]


def register_template_helpers(app: Flask) -> None:
    register_formatting(app)

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
        return {"portal_name": app.config["PORTAL_NAME"]}
