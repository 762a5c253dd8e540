"""What tests/test_fuzz.py needs: the portal's routes and what each one reads (form fields,
query arguments, JSON keys, path parts), valid values to start from, hostile values to put
in their place, raw request encoding, a fingerprint of the database, and a world of real
objects for path ids to point at.

Inputs are found by introspection, not listed by hand: a view's source (and the module
functions it calls) names its WTForms classes, whose fields are read from the class, and
the `request.form`/`request.args`/`data.get` keys it reads; the JSON API's bodies and query
arguments come from its OpenAPI document.
"""

from __future__ import annotations

import inspect
import itertools
import json
import re
import sys
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote_from_bytes

from hypothesis import strategies as st
from sqlalchemy import event
from wtforms import (
    BooleanField,
    FileField,
    FloatField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
)
from wtforms.fields.core import UnboundField

PROJECT = Path(__file__).resolve().parent.parent
_seq = itertools.count(1)

# --- what each route reads ------------------------------------------------------------------


@dataclass
class Input:
    """One named input: a form field, a query argument or a JSON key."""

    name: str
    #: text, int, float, bool, choice, multi, file, hidden (forms); string, integer,
    #: number, boolean, array, object (JSON)
    kind: str
    choices: list[str] = field(default_factory=list)
    #: For a JSON array of objects: the item's keys.
    item: list[Input] = field(default_factory=list)


@dataclass
class Target:
    """One route and method, and what it reads."""

    rule: str
    method: str
    endpoint: str
    #: form (urlencoded, CSRF), json (a JSON object), api (JSON API, bearer token), none
    body: str
    fields: list[Input]
    query: list[str]
    #: path part name -> "int" or "string"
    path: dict[str, str]
    #: another method the rule does not take (expects 405)
    other_method: str
    #: the view function
    view: object = None

    @property
    def id(self) -> str:
        return f"{self.method} {self.rule}"


_FORM_CLASS = re.compile(r"\b([A-Z]\w*Form)\(")
_CALL = re.compile(r"\b(\w+)\(")
_FORM_KEY = re.compile(r"request\.form(?:\.get\(\s*|\[)[\"']([\w-]+)")
_ARG_KEY = re.compile(r"(?:request\.args(?:\.get\(\s*|\[)|\b\w*_arg\(\s*)[\"']([\w-]+)")
_JSON_KEY = re.compile(r"\bdata\.get\(\s*[\"']([\w-]+)")


def view_source(func) -> tuple[str, dict]:
    """The view's source and that of the functions of its module it calls (transitively)."""
    func = inspect.unwrap(func)
    namespace = sys.modules[func.__module__].__dict__
    seen, parts, todo = set(), [], [func]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        source = inspect.getsource(current)
        parts.append(source)
        for name in _CALL.findall(source):
            found = namespace.get(name)
            if inspect.isfunction(found) and found.__module__ == func.__module__:
                todo.append(found)
    return "\n".join(parts), namespace


def form_inputs(form_class) -> list[Input]:
    """The fields of a WTForms class, in declaration order, with their kind and choices."""
    unbound = sorted(
        (
            (value.creation_counter, name, value)
            for name, value in inspect.getmembers(form_class)
            if isinstance(value, UnboundField)
        ),
    )
    inputs = []
    for _, name, value in unbound:
        cls = value.field_class
        choices = value.kwargs.get("choices") or []
        choice_values = [
            str(getattr(c, "value", c[0] if isinstance(c, tuple) else c)) for c in choices
        ]
        if issubclass(cls, FileField):
            kind = "file"
        elif issubclass(cls, SelectMultipleField):
            kind = "multi"
        elif issubclass(cls, (SelectField, RadioField)):
            kind = "int-choice" if value.kwargs.get("coerce") is int else "choice"
        elif issubclass(cls, BooleanField):
            kind = "bool"
        elif issubclass(cls, IntegerField):
            kind = "int"
        elif issubclass(cls, FloatField):
            kind = "float"
        elif issubclass(cls, HiddenField):
            kind = "hidden"
        else:
            kind = "text"
        inputs.append(Input(name, kind, choice_values))
    return inputs


def _schema_inputs(schema: dict, spec: dict) -> list[Input]:
    schema = _resolve(schema, spec)
    inputs = []
    for name, prop in schema.get("properties", {}).items():
        prop = _resolve(prop, spec)
        kind = prop.get("type") or ("string" if "enum" in prop else "object")
        item = []
        if kind == "array":
            item = _schema_inputs(prop.get("items", {}), spec)
        choices = [str(v) for v in prop.get("enum", [])]
        if prop.get("format") == "date-time":
            kind = "datetime"
        inputs.append(Input(name, kind, choices, item))
    return inputs


def _resolve(schema: dict, spec: dict) -> dict:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        schema = spec["components"]["schemas"][name]
    return schema


def discover(app) -> list[Target]:
    """Every route and method of the app (static files aside), with the inputs it reads."""
    spec = app.extensions["vocportal_api"].spec.to_dict()
    targets = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint == "static":
            continue  # Flask's static files: no code of ours reads input there
        methods = sorted(rule.methods - {"HEAD", "OPTIONS"})
        if not rule.provide_automatic_options:
            methods.append("OPTIONS")  # the view answers OPTIONS itself (CORS preflight)
        other = next(m for m in ("PUT", "PATCH", "DELETE", "POST") if m not in rule.methods)
        path = {
            name: ("int" if type(conv).__name__.endswith("IntConverter") else "string")
            for name, conv in rule._converters.items()
        }
        view = app.view_functions[rule.endpoint]
        source, namespace = view_source(view)
        query = sorted(set(_ARG_KEY.findall(source)))
        for method in methods:
            fields: list[Input] = []
            if rule.endpoint.startswith("api."):
                body = "none" if method in ("GET", "DELETE") else "api"
                openapi_path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
                operation = spec["paths"][openapi_path][method.lower()]
                query = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
                request_body = operation.get("requestBody")
                if request_body:
                    schema = request_body["content"]["application/json"]["schema"]
                    fields = _schema_inputs(schema, spec)
            elif _JSON_KEY.search(source):
                body = "none" if method in ("GET", "OPTIONS") else "json"
                fields = [Input(k, "string") for k in dict.fromkeys(_JSON_KEY.findall(source))]
            elif method in ("GET", "OPTIONS"):
                body = "none"
            else:
                body = "form"
                names: dict[str, Input] = {}
                for class_name in dict.fromkeys(_FORM_CLASS.findall(source)):
                    form_class = namespace.get(class_name)
                    if form_class is None:
                        continue
                    for found in form_inputs(form_class):
                        names.setdefault(found.name, found)
                for key in _FORM_KEY.findall(source):
                    names.setdefault(key, Input(key, "text"))
                fields = list(names.values())
            targets.append(
                Target(rule.rule, method, rule.endpoint, body, fields, query, path, other, view)
            )
    return targets


# --- hostile values -------------------------------------------------------------------------

BIG_INTS = [2**31, 2**63, 2**64, -(2**63) - 1, 10**40, -(10**40)]

#: Strings every input gets at least once, and that the generator draws from.
NASTY = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\r\n",
    "Title\r\nBcc: victim@example.com",
    "line one\rline two\nX-Injected: 1",
    "\ud800",
    "x\udfffy",
    "\ufeff",
    "\u202egnp.exe",
    "%",
    "_",
    "%_%\\",
    "' OR '1'='1' --",
    '"><script>alert(1)</script>',
    "{{7*7}}{% raw %}",
    "../../../etc/passwd",
    '=HYPERLINK("http://x")',
    "-1",
    "0",
    "2147483647",
    "1e309",
    "-1e309",
    "nan",
    "inf",
    "0x10",
    "\u0661\u0662\u0663",  # Arabic-Indic digits: int() accepts them
    "\uff11\uff12",  # fullwidth digits
    "1_000",
    " 7 ",
    "true",
    "null",
    "[]",
    "{}",
    "a" * 100_000,
    "\u00e9" * 100_000,
    "\U0001f600" * 25_000,
    "\x00" * 1_000,
    *[str(n) for n in BIG_INTS],
]

#: Raw bytes that are not UTF-8 (a form value, a query argument or a body).
BAD_BYTES = [b"\xff\xfe", b"\xc0\xaf", b"\xed\xa0\x80", b"abc\x80"]

any_char = st.characters(exclude_categories=())  # every category, surrogates included

hostile_text = st.one_of(
    st.sampled_from(NASTY),
    st.text(any_char, max_size=40),
    st.integers().map(str),
    st.sampled_from(BIG_INTS).map(str),
    st.floats().map(repr),
)

#: A form or query value: text (encoded as UTF-8, surrogates passed through) or raw bytes.
hostile_form_value = st.one_of(hostile_text, st.binary(max_size=16), st.sampled_from(BAD_BYTES))

_json_scalar = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.sampled_from(BIG_INTS),
    st.floats(),
    hostile_text,
)

hostile_json = st.recursive(
    _json_scalar,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.text(any_char, max_size=8), children, max_size=4),
    ),
    max_leaves=8,
)


def nested_json(depth: int = 2_000) -> bytes:
    return b"[" * depth + b"]" * depth


def nested_json_object(depth: int = 2_000) -> bytes:
    return b'{"a":' * depth + b"1" + b"}" * depth


# --- encoding requests ----------------------------------------------------------------------


def as_bytes(value) -> bytes:
    if isinstance(value, bytes):
        return value
    return str(value).encode("utf-8", "surrogatepass")


def urlencode(pairs: list[tuple[str, object]]) -> str:
    """Percent-encode pairs as a browser would, but let surrogates and bad bytes through."""
    return "&".join(
        quote_from_bytes(as_bytes(k), safe="") + "=" + quote_from_bytes(as_bytes(v), safe="")
        for k, v in pairs
    )


def form_pairs(values: dict) -> list[tuple[str, object]]:
    pairs = []
    for name, value in values.items():
        for one in value if isinstance(value, list) else [value]:
            pairs.append((name, one))
    return pairs


def json_bytes(value) -> bytes:
    """JSON as a hostile client might send it: lone surrogates as \\u escapes, NaN allowed."""
    return json.dumps(value, ensure_ascii=True).encode()


# --- database fingerprint -------------------------------------------------------------------


class WriteLog:
    """Every transaction that wrote something and committed, through the app's engine.

    Listens to the engine: statements that write (INSERT, UPDATE, DELETE, ...) are noted on
    their connection, and a commit files the notes of its transaction (a rollback drops
    them). The app reaches its database only through this engine, so a request after
    which `count` has not moved wrote nothing, on any backend, at no cost per request
    (comparing every table's rows after every request made the run several times slower).
    """

    WRITES = {"INSERT", "UPDATE", "DELETE", "REPLACE", "MERGE", "TRUNCATE", "UPSERT"}

    def __init__(self, engine):
        self.engine = engine
        self.commits: list[list[str]] = []
        event.listen(engine, "after_cursor_execute", self._executed)
        event.listen(engine, "commit", self._commit)
        event.listen(engine, "rollback", self._rollback)

    @property
    def count(self) -> int:
        return len(self.commits)

    def since(self, count: int) -> list[str]:
        """The write statements committed since `count` (shortened)."""
        return [statement for commit in self.commits[count:] for statement in commit]

    def _executed(self, conn, cursor, statement, parameters, context, executemany):
        words = statement.split(None, 1)
        if words and words[0].upper() in self.WRITES:
            conn.info.setdefault("fuzz_writes", []).append(" ".join(statement.split())[:100])

    def _commit(self, conn):
        writes = conn.info.pop("fuzz_writes", None)
        if writes:
            self.commits.append(writes)

    def _rollback(self, conn):
        conn.info.pop("fuzz_writes", None)

    def close(self) -> None:
        event.remove(self.engine, "after_cursor_execute", self._executed)
        event.remove(self.engine, "commit", self._commit)
        event.remove(self.engine, "rollback", self._rollback)


# --- failures -------------------------------------------------------------------------------


def one_line(error: BaseException) -> str:
    """The exception and the deepest frame of the portal's own code it went through."""
    frames = traceback.extract_tb(error.__traceback__)
    ours = [f for f in frames if "/vocportal/" in f.filename or "/jobs/" in f.filename]
    frame = (ours or frames or [None])[-1]
    where = ""
    if frame is not None:
        try:
            name = str(Path(frame.filename).relative_to(PROJECT))
        except ValueError:
            name = Path(frame.filename).name
        where = f" at {name}:{frame.lineno} in {frame.name}"
    # The SQL and the row's values differ from one request to the next: not the message.
    message = re.split(r"\s\[SQL:|\sDETAIL:", str(error))[0].replace("\n", " ")[:160]
    return f"{type(error).__name__}: {message}{where}"


def short(value, limit: int = 160) -> str:
    """A repr short enough for a report, saying how long the value really was."""
    shown = repr(value)
    if len(shown) <= limit:
        return shown
    return f"{shown[:limit]}... ({len(value) if hasattr(value, '__len__') else '?'} long)"
