"""Fuzz every route: hostile input as every role, and the answer is never a server error.

The app's URL map is walked (`app.url_map.iter_rules()`); for every route and method (Flask's
static files aside: no code of ours reads input there), as anonymous, a customer, another
customer, staff and an admin, requests carry hostile values in every form field, query
argument, JSON key and path part the route reads (found by introspection, see
tests/fuzzing.py): Unicode of every category, lone surrogates, NUL, CR/LF, 100,000-character
strings, integers beyond 64 bits and negative ones, bytes that are not UTF-8, wrong JSON
types, 2,000 levels of nested JSON, JSON to form routes and forms to JSON routes, a method
the route does not take, and no CSRF token. Path ids point at real objects (so requests
reach deep code), and at 0, -1, 2**31 - 1, 2**31 and 2**64.

Each route and method is one test, in a fresh world (one app for the module, its tables
emptied after each test). A fixed list of cases runs first: the valid request, then each
class of bad value in one field at a time (the others valid, so it gets past validation of
the rest), in every field at once, and the body, content type, CSRF, method and path-id
cases. Roles the route turns away at the door (401, 403 or the redirect to log in, on the
valid request) get only the cases about reading a request (nested or invalid JSON, bytes
that are not UTF-8, NUL, surrogates): the view never reads the rest of their input. Then
Hypothesis draws mixes of valid, hostile and missing values (a fixed seed: `derandomize`),
each sent as every role. Every answer is checked: no 5xx and no exception; and a 4xx wrote
nothing (no write statement committed through the app's engine, tests/fuzzing.py WriteLog;
no table is exempt). Failures are collected over the whole run of a route and reported
together, so one test names every distinct failure of its route.

The rate limiter is off here (RATELIMIT_ENABLED=False): it would throttle the fuzzer, and
rate limits have their own tests. `FUZZ_EXAMPLES=200` runs more examples by hand (default
6 per route and method, each sent as every role); `FUZZ_REPORT=path.json` writes every
distinct failure with its request to a file.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote_from_bytes

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from redis import Redis
from sqlalchemy import update

from tests.conftest import PortalClient, base_config, empty_tables, make_app
from tests.factories import PASSWORD
from tests.fuzzing import (
    BAD_BYTES,
    Target,
    WriteLog,
    as_bytes,
    discover,
    form_pairs,
    hostile_form_value,
    hostile_json,
    hostile_text,
    json_bytes,
    nested_json,
    nested_json_object,
    one_line,
    short,
    urlencode,
    view_source,
)
from vocportal import create_app
from vocportal.accounts import operations as account_ops
from vocportal.accounts.models import User
from vocportal.api import operations as api_ops
from vocportal.changelog import operations as changelog_ops
from vocportal.customers import operations as customer_ops
from vocportal.extensions import db, limiter
from vocportal.feedback import operations as feedback_ops
from vocportal.feedback.models import FeedbackSource
from vocportal.ideas import commenting
from vocportal.ideas import merge as merges
from vocportal.ideas import operations as idea_ops
from vocportal.notifications import outbox, preferences
from vocportal.notifications.models import Channel, DeliveryState, EventKind, Notification
from vocportal.queue.models import JobRecord
from vocportal.themes.models import Theme, ThemeAlert, ThemeItem, ThemeStatus
from vocportal.timeutil import utcnow
from vocportal.triage import operations as triage_ops
from vocportal.webhooks.models import WebhookEndpoint

INBOUND_SECRET = "fuzz-inbound-secret"


@pytest.fixture(scope="module")
def fuzz_app(database_url, instance_dir, embedded_redis):
    """One app for every route's test (building one takes most of a second): the limiter
    off, the inbound-email webhook on; tables are emptied after each test."""
    app = make_app(
        database_url,
        instance_dir,
        REDIS_URL=embedded_redis.url,
        RATELIMIT_ENABLED=False,
        INBOUND_EMAIL_SECRET=INBOUND_SECRET,
    )
    yield app
    with app.app_context():
        db.engine.dispose()
    redis = Redis.from_url(embedded_redis.url)
    redis.flushdb()
    redis.close()


@pytest.fixture
def app(fuzz_app):
    """The module's app in place of a new one per test (the factories use this one)."""
    # The limiter is one object for every app: another app built since may have turned it on.
    limiter.enabled = False
    with fuzz_app.app_context():
        yield fuzz_app
        db.session.remove()
        empty_tables()


EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "6"))
FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    # Nothing raises inside an example (failures are collected), so there is nothing to shrink.
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)

ROLES = ("anonymous", "customer", "other_customer", "staff", "admin")

#: Views that start or end the caller's session (or change its password): after one of
#: them answers below 400, the role's client logs in afresh (password restored first).
SESSION_ENDPOINTS = {
    "accounts.login",
    "accounts.signup",
    "accounts.logout",
    "accounts.change_password",
}

NEW_PASSWORD = "a brand new passphrase 42"


def _targets() -> list[Target]:
    """The routes, read from an app built on a throwaway SQLite file (no query is run)."""
    instance = Path(tempfile.mkdtemp(prefix="fuzz-routes-"))
    app = create_app(base_config(f"sqlite:///{instance / 'x.db'}", instance), instance)
    return discover(app)


TARGETS = _targets()

#: Per backend: (rule, method, role) triples sent, requests, seconds, failures.
STATS: dict[str, dict] = defaultdict(
    lambda: {
        "targets": set(),
        "covered": set(),
        "requests": 0,
        "seconds": 0.0,
        "failures": {},
        "statuses": Counter(),
    }
)


# --- the world: real objects for path ids to point at ---------------------------------------


@dataclass
class World:
    users: dict[str, User]
    emails: dict[str, str]
    tokens: dict[str, str]
    ids: dict[str, list[int]]
    strings: dict[str, list[str]]
    board_slug: str
    #: The ids base values use (an idea to link or merge into, a board, ...).
    pick: dict[str, int]


def build_world(make_user, make_board, make_idea) -> World:
    users = {role: make_user(role=role_kind(role)) for role in ROLES if role != "anonymous"}
    victim = make_user()
    customer, other, staff, admin = (users[r] for r in ROLES[1:])
    board = make_board()
    archived = make_board(archived=True)
    ideas = {
        "public": make_idea("Export timesheets to CSV", author=customer, board=board, votes=2),
        "other": make_idea("Dark mode for the dashboard", author=other, board=board),
        "hidden": make_idea("Hidden idea about invoices", author=customer, board=board),
        "target": make_idea("Slack integration for alerts", author=other, board=board),
        "merged": make_idea("Post alerts to Slack", author=customer, board=board),
        "spare": make_idea("Bulk edit of projects", author=victim, board=board),
    }
    idea_ops.set_idea_hidden(staff, ideas["hidden"], True)
    merges.merge(staff, ideas["merged"], ideas["target"], "Same request.")
    comments = [
        commenting.add_comment(customer, ideas["public"], "I need this every month."),
        commenting.add_comment(staff, ideas["public"], "Thanks, noted.", official=True),
        commenting.add_comment(other, ideas["other"], "Me too."),
    ]
    triage_ops.add_note(staff, ideas["public"], "Ask the Acme team.")
    company = customer_ops.save_company(
        None, None, name="Acme", plan="team", attributes={"region": "EU"}
    )
    customer_ops.set_company(staff, customer, company)
    segment = customer_ops.save_segment(staff, None, name="Teams", weight=2.0, plan="team")
    item, _ = feedback_ops.create_feedback(
        text="The export times out.",
        source=FeedbackSource.widget,
        email="dana@example.com",
        name="Dana",
        external_id="fuzz-1",
    )
    vector = np.zeros(384, dtype="<f4")
    vector[0] = 1.0
    themes = [
        Theme(label=label, top_words=[label], centroid=vector.tobytes(), size=2)
        for label in ("exports", "alerts")
    ]
    for theme in themes:
        theme.status = ThemeStatus.active
    db.session.add_all(themes)
    db.session.flush()
    db.session.add(ThemeItem(item_type="idea", item_id=ideas["public"].id, theme_id=themes[0].id))
    db.session.add(ThemeItem(item_type="feedback", item_id=item.id, theme_id=themes[0].id))
    alert = ThemeAlert(
        theme_id=themes[0].id, week_start=utcnow(), measure="volume", value=9.0, baseline=1.0
    )
    endpoint = WebhookEndpoint(
        url="https://93.184.216.34/hook",
        secret="s3cret",
        events=["idea.created"],
        active=True,
        created_by_id=admin.id,
    )
    record = JobRecord(kind="refresh themes", func="jobs.topics.refresh", queue="topics")
    db.session.add_all([alert, endpoint, record])
    db.session.flush()
    notifications = []
    for person in (customer, other, victim):
        event = outbox.record_event(
            EventKind.status_update,
            title="Export timesheets to CSV is planned",
            text="Soon.",
            link=f"/ideas/{ideas['public'].id}",
            actor=staff,
            idea_id=ideas["public"].id,
        )
        row = Notification(
            event_id=event.id,
            user_id=person.id,
            channel=Channel.web,
            state=DeliveryState.sent,
            sent_at=utcnow(),
        )
        db.session.add(row)
        notifications.append(row)
    changelog_ops.publish_entry(staff, "Faster exports", "They are faster.", [], "/changelog")
    tokens, token_ids = {}, []
    for role, user in users.items():
        token, secret = api_ops.create_token(user, f"fuzz {role}", "write")
        tokens[role] = secret
        db.session.flush()
        token_ids.append(token.id)
    db.session.commit()
    idea_ids = [i.id for i in ideas.values()]
    return World(
        users={**users, "victim": victim},
        emails={role: u.email for role, u in users.items()} | {"victim": victim.email},
        tokens=tokens,
        ids={
            "idea_id": idea_ids,
            "comment_id": [c.id for c in comments],
            "token_id": token_ids,
            "board_id": [board.id, archived.id],
            "user_id": [victim.id, customer.id, staff.id],
            "company_id": [company.id],
            "notification_id": [n.id for n in notifications],
            "segment_id": [segment.id],
            "item_id": [item.id, ideas["public"].id],
            "theme_id": [t.id for t in themes],
            "alert_id": [alert.id],
            "endpoint_id": [endpoint.id],
            "record_id": [record.id],
        },
        strings={
            "reset": [account_ops.make_reset_token(victim)],
            "unsubscribe": [
                preferences.unsubscribe_token(victim.id, ideas["public"].id),
                preferences.unsubscribe_token(victim.id, None),
            ],
            "what": ["ideas", "votes", "feedback"],
            "fmt": ["csv", "json"],
            "item_type": ["idea", "feedback"],
        },
        board_slug=board.slug,
        pick={
            "idea": ideas["public"].id,
            "target_idea": ideas["target"].id,
            "board": board.id,
            "staff": staff.id,
            "company": company.id,
            "theme": themes[1].id,
            "segment": segment.id,
        },
    )


def role_kind(role: str) -> str:
    return {"customer": "customer", "other_customer": "customer"}.get(role, role)


#: Path ids a route must not point at: an admin blocking or demoting one of the fuzzing
#: roles would quietly turn that role into someone else for the rest of the run.
ID_OVERRIDES = {("admin.update_user", "user_id"): "victim"}

EDGE_IDS = [0, 2**31 - 1, 2**31, 2**64, -1]


def path_pool(world: World, target: Target, name: str) -> list:
    if (target.endpoint, name) in ID_OVERRIDES:
        return [world.users[ID_OVERRIDES[(target.endpoint, name)]].id]
    if name == "token":
        key = "reset" if target.endpoint.startswith("accounts.") else "unsubscribe"
        return world.strings[key]
    if name in world.strings:
        return world.strings[name]
    if name in world.ids:
        return world.ids[name]
    # A path part this file does not know yet (a new route): the view's own constant of
    # valid values if it has one (`if section not in ops.SECTIONS`), else a plain word.
    source, namespace = view_source(target.view)
    found = re.search(rf"\bif {name} not in ([\w.]+)", source)
    if found:
        holder, *attrs = found.group(1).split(".")
        values = namespace.get(holder)
        for attr in attrs:
            values = getattr(values, attr, None)
        if values:
            return list(values)
    return [1] if target.path[name] == "int" else ["all"]


# --- valid values to start from -------------------------------------------------------------

_counter = iter(range(1, 10**9))


def base_form_value(name: str, kind: str, choices: list[str], target: Target, world: World):
    n = next(_counter)
    pick = world.pick
    if kind == "file":
        return ("feedback.csv", b"text,email\nThe export is slow,dana@example.com\n")
    if kind == "bool":
        return "y"
    if kind == "multi":
        return [choices[0]] if choices else [str(pick["target_idea"])]
    if kind == "int-choice":
        key = {"board": "board", "owner": "staff", "company": "company", "target": "theme"}
        return str(pick[key.get(name, "idea")])
    if kind == "choice":
        preferred = {"status": "planned", "role": "customer", "scope": "read"}
        return preferred.get(name, choices[-1] if choices else "")
    if kind == "int":
        return {"target": str(pick["target_idea"]), "position": "2"}.get(name, str(pick["idea"]))
    if kind == "float":
        return {"weight": "2.5", "min_revenue": "10", "max_revenue": "5000"}.get(name, "1000")
    if kind == "hidden":
        return {"active": "0"}.get(name, "/")
    if name == "email":
        if target.endpoint in ("accounts.login", "accounts.forgot_password"):
            return world.emails["victim"]
        return f"new{n}@example.com"
    if name == "password":
        return PASSWORD if target.endpoint == "accounts.login" else NEW_PASSWORD
    text_values = {
        "confirm": NEW_PASSWORD,
        "current_password": PASSWORD,
        "name": f"Fuzz name {n}",
        "display_name": f"Fuzz name {n}",
        "title": f"Fuzz title number {n}",
        "url": "https://93.184.216.34/hook",
        "attributes": "region=EU\nsize=big",
        "action": "hide",
        "follow": "0",
        "hidden": "0",
        "external_id": f"crm-{n}",
        "plan": "team",
        "tier": "gold",
        "company": "Acme",
    }
    return text_values.get(name, "Some words about it.")


def base_query_value(name: str, world: World) -> str:
    return {
        "board": world.board_slug,
        "page": "2",
        "per_page": "5",
        "q": "export",
        "sort": "top",
        "status": "planned",
        "next": "/roadmap",
        "segment": str(world.pick["segment"]),
        "weighted": "0",
        "source": "widget",
        "unlinked": "1",
        "title": "Export to CSV please",
        "body": "Every month.",
    }.get(name, "1")


def base_json_value(field, world: World):
    n = next(_counter)
    by_name = {
        "text": "The export is slow.",
        "email": "dana@example.com",
        "name": "Dana",
        "id": f"w-{n}",
        "page": "https://example.com/pricing",
        "sender": "Dana <dana@example.com>",
        "from": "Dana <dana@example.com>",
        "From": "Dana <dana@example.com>",
        "subject": "Exports",
        "Subject": "Exports",
        "body-plain": "They time out.",
        "TextBody": "They time out.",
        "message_id": f"<m{n}@example.com>",
        "Message-Id": f"<m{n}@example.com>",
        "MessageID": f"<m{n}@example.com>",
        "board": world.board_slug,
        "title": f"Fuzz title number {n}",
        "body": "Some words.",
        "official": False,
        "status": "planned",
        "message": "Coming soon.",
        "company": "Acme",
        "source": "api",
        "external_id": f"ext-{n}",
        "received_at": "2024-05-01T12:00:00Z",
        "payload": {"k": "v"},
    }
    if field.name in by_name:
        return by_name[field.name]
    if field.kind == "array":
        return [{f.name: base_json_value(f, world) for f in field.item}]
    return {"integer": 1, "number": 1.5, "boolean": False, "object": {}}.get(field.kind, "words")


# --- a request, and the cases -----------------------------------------------------------------


@dataclass
class Case:
    """What to send, whatever the role: each input is kept valid, made hostile or left out."""

    label: str
    path: dict = field(default_factory=dict)
    query: dict = field(default_factory=dict)  # name -> ("base",) | ("value", v) | list
    inputs: dict = field(default_factory=dict)  # name -> ("base",) | ("value", v) | ("omit",)
    extra: dict = field(default_factory=dict)
    #: Replace the whole body: (bytes, content type).
    raw: tuple | None = None
    #: Send a form as JSON, or JSON as a form.
    swap_type: bool = False
    #: A JSON body that is not an object at all.
    top: tuple | None = None
    method: str | None = None
    csrf: bool = True
    htmx: bool = False
    #: About reading the request at all (sent even to roles the route turns away).
    parse: bool = False


CLASSES = {
    "100k": "a" * 100_000,
    "nul": "x\x00y",
    "surrogate": "\ud800",
    "crlf": "Title\r\nBcc: victim@example.com",
    "big": str(2**70),
    "negative": str(-(2**70)),
    "empty": "",
}
#: Classes sent in one field at a time, the others valid, so the value reaches the code
#: past validation of the other fields (a bad email would stop a good text at the door).
PER_FIELD = ("100k", "nul", "surrogate", "crlf", "big")
JSON_TYPES = {"list": [], "object": {}, "big-int": 2**70, "null": None, "bool": True}


def fixed_cases(target: Target, world: World) -> list[Case]:
    """The same cases for every route: known classes of bad input."""
    names = [f.name for f in target.fields]
    cases = [Case("valid"), Case("method not allowed", method=target.other_method)]
    for name in target.path:
        pool = EDGE_IDS if target.path[name] == "int" else [*CLASSES.values(), "..", "%"]
        cases += [Case(f"path {name}={short(v, 20)}", path={name: v}) for v in pool]
    if target.query:
        for label, value in CLASSES.items():
            cases.append(
                Case(f"every query argument {label}", query={q: value for q in target.query})
            )
        cases.append(
            Case("query arguments not UTF-8", query={q: BAD_BYTES[0] for q in target.query})
        )
    if target.body == "none":
        return cases
    for name in names:
        for label in PER_FIELD:
            cases.append(Case(f"{name} {label}", inputs={name: ("value", CLASSES[label])}))
    for label in ("nul", "surrogate", "negative", "empty"):
        cases.append(
            Case(
                f"every field {label}",
                inputs={n: ("value", CLASSES[label]) for n in names},
                parse=label in ("nul", "surrogate"),
            )
        )
    cases.append(Case("no fields", inputs={n: ("omit",) for n in names}))
    cases.append(Case("nested JSON arrays", raw=(nested_json(), "application/json"), parse=True))
    cases.append(
        Case("text/plain, not UTF-8", raw=(b"\xff\xfe\x00garbage", "text/plain"), parse=True)
    )
    cases.append(Case("JSON for a form, a form for JSON", swap_type=True))
    if target.body == "form":
        cases.append(Case("no CSRF token", csrf=False))
        cases.append(Case("every field not UTF-8", inputs={n: ("value", b"\xff") for n in names}))
        cases.append(Case("every field twice", inputs={n: ["x", "y"] for n in names}))
    else:
        cases.append(
            Case("nested JSON objects", raw=(nested_json_object(), "application/json"), parse=True)
        )
        cases.append(Case("invalid JSON", raw=(b'{"text": ', "application/json"), parse=True))
        for label, value in JSON_TYPES.items():
            cases.append(Case(f"every field {label}", inputs={n: ("value", value) for n in names}))
            cases.append(Case(f"body is {label}", top=(value,)))
    return cases


@st.composite
def drawn_case(draw, target: Target, world: World) -> Case:
    """A mix of valid, hostile and missing values in every input of the route."""
    case = Case("drawn")
    for name, kind in target.path.items():
        pool = path_pool(world, target, name)
        if kind == "int":
            case.path[name] = draw(st.sampled_from([*pool, *pool, *EDGE_IDS]))
        else:
            case.path[name] = draw(st.one_of(st.sampled_from(pool), hostile_text))
    modes = ["omit", "base", "value", "value"]
    for name in target.query:
        mode = draw(st.sampled_from([*modes, "list"]))
        if mode == "list":
            case.query[name] = draw(st.lists(hostile_form_value, min_size=2, max_size=3))
        elif mode != "omit":
            case.query[name] = ("base",) if mode == "base" else ("value", draw(hostile_form_value))
    if target.body == "form":
        for f in target.fields:
            mode = draw(st.sampled_from([*modes, "base", "list"]))
            if mode == "list":
                case.inputs[f.name] = draw(st.lists(hostile_form_value, min_size=2, max_size=3))
            elif mode == "value":
                case.inputs[f.name] = ("value", draw(hostile_form_value))
            else:
                case.inputs[f.name] = (mode,)
        if draw(st.booleans()):
            case.extra[draw(hostile_text)] = draw(hostile_form_value)
    elif target.body in ("json", "api"):
        if draw(st.integers(0, 9)) == 0:
            case.top = (draw(hostile_json),)
        for f in target.fields:
            mode = draw(st.sampled_from([*modes, "base"]))
            case.inputs[f.name] = ("value", draw(hostile_json)) if mode == "value" else (mode,)
        if draw(st.booleans()):
            case.extra[draw(st.text(max_size=10))] = draw(hostile_json)
    case.htmx = draw(st.booleans())
    return case


# --- sending and checking ---------------------------------------------------------------------


@dataclass
class Request:
    role: str
    method: str
    path: str
    query: str
    body: bytes | None
    content_type: str | None
    headers: dict

    def describe(self) -> str:
        url = self.path + (f"?{self.query}" if self.query else "")
        text = f"{self.role}: {self.method} {short(url, 200)}"
        if self.body is not None:
            text += f" [{self.content_type}] {short(self.body, 300)}"
        return text


class Fuzzer:
    """Sends cases to one route as every role and checks every answer."""

    def __init__(self, app, world: World, target: Target, backend: str):
        self.app, self.world, self.target, self.backend = app, world, target, backend
        self.stats = STATS[backend]
        self.failures: dict[str, dict] = {}
        self.hashes = {role: u.password_hash for role, u in world.users.items()}
        self.clients = {role: self._client(role) for role in ROLES}
        self.writes = WriteLog(db.engine)
        self.turned_away: set[str] = set()

    def _client(self, role: str) -> tuple[PortalClient, str]:
        client = PortalClient(self.app)
        if role != "anonymous":
            client.login(self.world.emails[role])
        return client, client.csrf_token("/login")

    def _restore(self, role: str) -> None:
        """Give the role back its password and a fresh session (after a login, logout,
        sign-up or password change went through)."""
        if role != "anonymous":
            user_id = self.world.users[role].id
            db.session.execute(
                update(User)
                .where(User.id == user_id)
                .values(password_hash=self.hashes[role], blocked=False)
            )
            db.session.commit()
        self.clients[role] = self._client(role)

    def build(self, case: Case, role: str) -> Request:
        target, world = self.target, self.world
        path = target.rule
        for name, kind in target.path.items():
            value = case.path.get(name)
            if value is None:
                value = path_pool(world, target, name)[0]
            part = quote_from_bytes(as_bytes(value), safe="")
            path = path.replace(f"<{'int:' if kind == 'int' else ''}{name}>", part)
        query_pairs = []
        for name, spec in case.query.items():
            if isinstance(spec, list):
                query_pairs += [(name, v) for v in spec]
            elif isinstance(spec, tuple):
                value = base_query_value(name, world) if spec[0] == "base" else spec[1]
                query_pairs.append((name, value))
            else:
                query_pairs.append((name, spec))
        headers = {}
        if case.htmx:
            headers["HX-Request"] = "true"
        if target.endpoint == "feedback.inbound_email":
            headers["X-Webhook-Secret"] = INBOUND_SECRET
        if target.endpoint.startswith("api.") and role in world.tokens:
            headers["Authorization"] = f"Bearer {world.tokens[role]}"
        method = case.method or target.method
        body, content_type = None, None
        if case.raw is not None:
            body, content_type = case.raw
        elif target.body == "form":
            body, content_type = self._form(case, role)
        elif target.body in ("json", "api"):
            body, content_type = self._json(case)
        return Request(role, method, path, urlencode(query_pairs), body, content_type, headers)

    def _values(self, case: Case, base) -> dict:
        values = {}
        for f in self.target.fields:
            spec = case.inputs.get(f.name, ("base",))
            if isinstance(spec, list):
                values[f.name] = spec
            elif spec[0] == "base":
                values[f.name] = base(f)
            elif spec[0] == "value":
                values[f.name] = spec[1]
        return values

    def _form(self, case: Case, role: str):
        target, world = self.target, self.world
        values = self._values(
            case, lambda f: base_form_value(f.name, f.kind, f.choices, target, world)
        )
        values.update(case.extra)
        if case.swap_type:
            plain = {k: v for k, v in values.items() if not isinstance(v, tuple)}
            plain["csrf_token"] = self.clients[role][1]
            return json.dumps(plain, default=str).encode(), "application/json"
        files = {k: v for k, v in values.items() if isinstance(v, tuple)}
        pairs = form_pairs({k: v for k, v in values.items() if k not in files})
        if case.csrf:
            pairs.append(("csrf_token", self.clients[role][1]))
        if any(f.kind == "file" for f in target.fields):
            return multipart(pairs, files)
        return urlencode(pairs).encode(), "application/x-www-form-urlencoded"

    def _json(self, case: Case):
        values = self._values(case, lambda f: base_json_value(f, self.world))
        values.update(case.extra)
        if case.swap_type:
            return urlencode(form_pairs(values)).encode(), "application/x-www-form-urlencoded"
        document = case.top[0] if case.top is not None else values
        return json_bytes(document), "application/json"

    def send(self, case: Case, roles=ROLES) -> None:
        for role in roles:
            self.send_one(self.build(case, role), case)

    def send_fixed(self, cases: list[Case]) -> None:
        """The fixed cases: the valid request first, to learn which roles the route turns
        away at the door (401, 403, or the redirect to log in); those get only the cases
        about reading the request, as the view never reads their input."""
        valid, *others = cases
        for role in ROLES:
            status, location = self.send_one(self.build(valid, role), valid)
            if status in (401, 403) or (status == 302 and "/login" in location):
                self.turned_away.add(role)
        for case in others:
            roles = ROLES if case.parse else [r for r in ROLES if r not in self.turned_away]
            self.send(case, roles)

    def send_one(self, request: Request, case: Case) -> None:
        before = self.writes.count
        client = self.clients[request.role][0]
        error, location = None, ""
        try:
            response = client.http.open(
                request.path,
                method=request.method,
                query_string=request.query,
                data=request.body,
                content_type=request.content_type,
                headers=request.headers,
            )
            status = response.status_code
            location = response.headers.get("Location", "")
            response.close()
        except Exception as exc:  # the app raised: the worst kind of 500
            status, error = 500, one_line(exc)
        self.stats["requests"] += 1
        self.stats["statuses"][status // 100] += 1
        self.stats["covered"].add((self.target.rule, self.target.method, request.role))
        if status >= 500:
            self.fail(error or f"HTTP {status}", request, case)
        elif status >= 400 and self.writes.count != before:
            wrote = "; ".join(self.writes.since(before))
            self.fail(f"HTTP {status} but wrote: {short(wrote, 300)}", request, case)
        if self.target.endpoint in SESSION_ENDPOINTS and (status < 400 or error):
            self._restore(request.role)
        return status, location

    def fail(self, what: str, request: Request, case: Case) -> None:
        key = f"{self.target.id}: {what}"
        found = self.failures.setdefault(
            key, {"roles": [], "case": case.label, "repro": request.describe(), "count": 0}
        )
        found["count"] += 1
        if request.role not in found["roles"]:
            found["roles"].append(request.role)
        self.stats["failures"].setdefault(key, found)


def multipart(pairs: list, files: dict) -> tuple[bytes, str]:
    """A multipart/form-data body built by hand (surrogates and bad bytes pass through)."""
    boundary = b"fuzz-boundary-3f1c"
    out = []
    for name, value in pairs:
        out += [
            b"--" + boundary,
            b'Content-Disposition: form-data; name="' + as_bytes(name) + b'"',
            b"",
            as_bytes(value),
        ]
    for name, (filename, content) in files.items():
        out += [
            b"--" + boundary,
            b'Content-Disposition: form-data; name="%s"; filename="%s"'
            % (as_bytes(name), as_bytes(filename)),
            b"Content-Type: text/csv",
            b"",
            content,
        ]
    out += [b"--" + boundary + b"--", b""]
    return b"\r\n".join(out), "multipart/form-data; boundary=" + boundary.decode()


# --- the tests --------------------------------------------------------------------------------


def _backend(database_url: str) -> str:
    return "sqlite" if database_url.startswith("sqlite") else "postgresql"


@pytest.mark.parametrize("target", TARGETS, ids=[f"{t.method}-{t.endpoint}" for t in TARGETS])
def test_route_survives_hostile_input(
    app, database_url, make_user, make_board, make_idea, target: Target
):
    started = time.monotonic()
    backend = _backend(database_url)
    world = build_world(make_user, make_board, make_idea)
    fuzzer = Fuzzer(app, world, target, backend)

    @FUZZ
    @given(case=drawn_case(target, world))
    def fuzz(case):
        fuzzer.send(case)

    try:
        fuzzer.send_fixed(fixed_cases(target, world))
        fuzz()
    finally:
        fuzzer.writes.close()
    STATS[backend]["seconds"] += time.monotonic() - started
    STATS[backend]["targets"].add(target.id)
    _write_report()
    assert not fuzzer.failures, "\n" + "\n".join(
        f"{key}\n    roles: {', '.join(f['roles'])}; case: {f['case']}; seen {f['count']}x"
        f"\n    e.g. {f['repro']}"
        for key, f in fuzzer.failures.items()
    )


def _write_report() -> None:
    path = os.environ.get("FUZZ_REPORT")
    if not path:
        return
    report = {
        backend: {
            "routes x roles": len(s["covered"]),
            "requests": s["requests"],
            "seconds": round(s["seconds"], 1),
            "statuses": {f"{k}xx": v for k, v in sorted(s["statuses"].items())},
            "failures": s["failures"],
        }
        for backend, s in STATS.items()
    }
    Path(path).write_text(json.dumps(report, indent=2, ensure_ascii=False))


def test_fuzz_summary(database_url, capsys):
    """Say what the fuzzer covered on this backend (it runs after the routes' tests)."""
    backend = _backend(database_url)
    stats = STATS[backend]
    expected = {(t.rule, t.method, role) for t in TARGETS for role in ROLES}
    with capsys.disabled():
        print(
            f"\nfuzz [{backend}]: {len({(r, m) for r, m, _ in stats['covered']})} routes and "
            f"methods x {len(ROLES)} roles = {len(stats['covered'])} of {len(expected)} "
            f"covered; {stats['requests']} requests in {stats['seconds']:.0f} s; "
            f"answers {dict(sorted(stats['statuses'].items()))} (by hundred); "
            f"{len(stats['failures'])} distinct failures"
        )
    if len(stats["targets"]) == len(TARGETS):  # every route's test ran (none deselected)
        assert stats["covered"] == expected
