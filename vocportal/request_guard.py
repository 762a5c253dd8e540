"""What every request body and query must be before any view reads it.

Input that no person types and no database stores is dealt with here, once, for every
route, instead of in each view:

* **NUL characters** (PostgreSQL cannot store them in text) are removed from form values,
  query arguments and their names (outside the JSON API, whose schemas refuse them).
  Nobody types one; a browser never sends one unless a script or a paste of binary data
  put it there, so removing it loses nothing a person wrote, and the form still re-renders
  with everything else.
* **JSON bodies** are parsed once, up front, by a parser that cannot be driven into
  recursion (nesting deeper than :data:`MAX_JSON_DEPTH` is a 400) and that refuses text
  no database can store: NUL characters and lone UTF-16 surrogates (``"\\ud800"`` is valid
  JSON but not a Unicode string). That answer is a 422 with a JSON reason naming where in
  the document the bad value sits. A JSON client is told, not silently corrected: it can
  fix its request, and a stored payload never differs from what was sent.
* **Body size**: ``MAX_CONTENT_LENGTH`` applies to every route (Flask answers 413), and a
  view that takes uploads raises its own ceiling with :func:`allow_body`.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from functools import cached_property
from typing import Any, TypeVar

from flask import Flask, Request, current_app, request
from werkzeug.datastructures import ImmutableMultiDict, MultiDict
from werkzeug.exceptions import BadRequest, UnprocessableEntity

#: Where the JSON API lives: it refuses NUL in query arguments rather than dropping it.
API_PREFIX = "/api/"

#: Deepest nesting of arrays and objects a JSON body may have. Every document the portal
#: reads is two or three levels deep; 32 leaves room for any payload a mail provider wraps.
MAX_JSON_DEPTH = 32

F = TypeVar("F", bound=Callable[..., Any])


class JSONTooDeep(BadRequest):
    """A JSON body nested deeper than MAX_JSON_DEPTH (400)."""

    def __init__(self) -> None:
        super().__init__(f"The JSON body nests deeper than {MAX_JSON_DEPTH} levels.")


class JSONSyntaxError(BadRequest):
    """A body that is not JSON at all (400). The guard leaves these to the views, which
    answer in their own words (the API lists them per location)."""


class UnstorableText(UnprocessableEntity):
    """Well-formed JSON whose text no database can store (422), naming where it sits."""

    def __init__(self, path: list[str], reason: str) -> None:
        where = ".".join(path) or "the body"
        super().__init__(f"The text at {where} {reason}.")
        # The API's error handler lists webargs-shaped messages per field.
        self.data = {"messages": {"json": {where: [f"Text that {reason}."]}}}


#: Anything the guard refuses in a JSON body.
BadJSON = (JSONTooDeep, JSONSyntaxError, UnstorableText)


def _bad_text(value: str) -> str | None:
    """Why `value` cannot be stored as text, or None when it can."""
    if "\x00" in value:
        return "contains a NUL character"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "contains an unpaired UTF-16 surrogate (not valid Unicode)"
    return None


def check_json_value(document: Any) -> None:
    """Raise JSONTooDeep or UnstorableText if `document` nests too deep or holds text no
    database can store. Walks without recursion, so no input can exhaust the stack here."""
    stack: list[tuple[Any, list[str]]] = [(document, [])]
    while stack:
        node, path = stack.pop()
        if isinstance(node, str):
            reason = _bad_text(node)
            if reason:
                raise UnstorableText(path, reason)
        elif isinstance(node, dict | list):
            if len(path) >= MAX_JSON_DEPTH:
                raise JSONTooDeep()
            if isinstance(node, dict):
                for key, value in node.items():
                    reason = _bad_text(key)
                    if reason:
                        raise UnstorableText(path, f"has a key that {reason}")
                    stack.append((value, [*path, key[:40]]))
            else:
                stack.extend((value, [*path, str(i)]) for i, value in enumerate(node))


def parse_json(data: bytes | str) -> Any:
    """Parse a JSON body, or raise one of BadJSON with a reason a client can act on."""
    try:
        document = json.loads(data)
    except RecursionError:
        raise JSONTooDeep() from None
    except UnicodeDecodeError:
        raise JSONSyntaxError("The JSON body is not UTF-8 text.") from None
    except ValueError as error:
        raise JSONSyntaxError(f"The body is not valid JSON ({error}).") from None
    check_json_value(document)
    return document


def _strip_nul(values: MultiDict) -> MultiDict:
    if not any("\x00" in k or "\x00" in v for k, v in values.items(multi=True)):
        return values
    return type(values)(
        (k.replace("\x00", ""), v.replace("\x00", "")) for k, v in values.items(multi=True)
    )


class PortalRequest(Request):
    """Flask's request, with NUL-free form values and query arguments and a JSON parser
    that refuses what the portal cannot store (see the module docstring)."""

    @property
    def _corrects_nul(self) -> bool:
        # The JSON API tells its clients instead (its schemas refuse NUL with a 422).
        return not self.path.startswith(API_PREFIX)

    @cached_property
    def args(self) -> MultiDict[str, str]:  # type: ignore[override]
        args = super().args
        return _strip_nul(args) if self._corrects_nul else args

    def _load_form_data(self) -> None:
        super()._load_form_data()
        form = self.__dict__.get("form")
        if isinstance(form, ImmutableMultiDict) and self._corrects_nul:
            self.__dict__["form"] = _strip_nul(form)

    def get_json(self, force: bool = False, silent: bool = False, cache: bool = True):
        if not (force or self.is_json):
            return super().get_json(force=force, silent=silent, cache=cache)
        try:
            return parse_json(self.get_data(cache=cache))
        except BadJSON:
            if silent:
                return None
            raise


def allow_body(config_key: str) -> Callable[[F], F]:
    """Let a view (or every view of a blueprint) take bodies up to the config value
    `config_key` (bytes) instead of MAX_CONTENT_LENGTH: an upload form, the bulk API."""

    def decorate(view: F) -> F:
        view.max_body_config = config_key  # type: ignore[attr-defined]
        return view

    return decorate


def register_request_guard(app: Flask) -> None:
    """Use PortalRequest, and refuse bad JSON before any view (or the API's own parser,
    which reads the raw body) sees it."""
    app.request_class = PortalRequest

    @app.before_request
    def _guard_body():
        view = current_app.view_functions.get(request.endpoint or "")
        blueprint = current_app.blueprints.get(request.blueprint or "")
        key = getattr(view, "max_body_config", None) or getattr(blueprint, "max_body_config", None)
        if key:
            request.max_content_length = current_app.config[key]
        if request.is_json and request.method != "GET" and request.get_data(cache=True):
            # Too deep or unstorable: refused here with the reason. Not JSON at all: left to
            # the view, which says so in its own words. The parse is not cached; a view's
            # own get_json parses again (cheap next to the request it serves).
            with contextlib.suppress(JSONSyntaxError):
                parse_json(request.get_data(cache=True))
