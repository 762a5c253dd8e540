"""Schemathesis fuzzes every operation of the live OpenAPI document (loaded from the app as
clients see it) with a staff write token, so writes run too: valid and invalid input, no
5xx, and every response matches what the document says for its status.

Each operation is one test. Schemathesis's own lazy pytest loader
(`schemathesis.pytest.from_fixture`) reads a pytest internal that pytest 9.2 removed
(`Node._nodeid`), so the tests drive Schemathesis's Hypothesis strategies directly.
"""

from __future__ import annotations

import contextvars

import numpy as np
import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from vocportal.api import operations as api_ops
from vocportal.api.views import register_api
from vocportal.companies.models import Company
from vocportal.extensions import db
from vocportal.ideas import commenting
from vocportal.themes.models import Theme, ThemeItem, ThemeStatus
from vocportal.web import BoundedIntConverter

pytestmark = [
    pytest.mark.usefixtures("embedded_redis_url"),
    # The fuzzer sends hundreds of requests; rate limits have their own tests.
    pytest.mark.app_config(RATELIMIT_ENABLED=False),
]

#: Examples per operation and generation mode: bounded, and the same on every run.
FUZZ = settings(
    max_examples=25,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


def document_operations() -> list[tuple[str, str]]:
    """(method, path) of every operation, read from the API on a bare app (no database), to
    name one test per operation; `test_every_operation_is_fuzzed` checks the live list."""
    bare = Flask("vocportal-openapi")
    bare.url_map.converters["int"] = BoundedIntConverter
    bare.config["PORTAL_NAME"] = "vocportal"
    spec = register_api(bare).spec.to_dict()
    return sorted(
        (method.upper(), path)
        for path, item in spec["paths"].items()
        for method in item
        if method != "parameters"
    )


OPERATIONS = document_operations()


class Isolated:
    """Each request in an empty context, with its own app context and database session as
    in production (the test's pushed app context would otherwise be shared by them all)."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        return contextvars.Context().run(self.app, environ, start_response)


@pytest.fixture
def fuzz_target(app, make_user, make_board, make_idea):
    """The live document, on an app with some of everything, and a staff write token."""
    staff = make_user(role="staff")
    board = make_board()
    ideas = [make_idea(f"Idea {n} about exports", board=board, votes=n % 3) for n in range(4)]
    commenting.add_comment(staff, ideas[0], "Thanks, noted.", official=True)
    vector = np.zeros(384, dtype="<f4")
    vector[0] = 1.0
    theme = Theme(
        label="exports",
        top_words=["exports"],
        centroid=vector.tobytes(),
        size=2,
        status=ThemeStatus.active,
    )
    db.session.add(theme)
    db.session.flush()
    for idea in ideas[:2]:
        db.session.add(ThemeItem(item_type="idea", item_id=idea.id, theme_id=theme.id))
    company = Company(name="Acme", plan="team", attributes={"region": "EU"})
    db.session.add(company)
    archived = make_board(archived=True)
    _token, secret = api_ops.create_token(staff, "fuzzer", "write")
    db.session.commit()
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", Isolated(app))
    known = {
        "idea_id": [i.id for i in ideas],
        "theme_id": [theme.id],
        "company_id": [company.id],
        "board": [board.slug, archived.slug],
        "email": ["dana@example.com", "lee@example.org"],
    }
    return schema, {"Authorization": f"Bearer {secret}"}, known


def with_known_values(strategy, known: dict):
    """Also cases that use ids, board slugs and emails that exist or are valid, so valid
    input reaches the operations (random ids are nearly always 404s)."""

    def use(pair):
        case, picks = pair
        for name in list(case.path_parameters or {}):
            if name in picks:
                case.path_parameters[name] = picks[name]
        if isinstance(case.query, dict) and "board" in case.query:
            case.query["board"] = picks["board"]
        bodies = [case.body] if isinstance(case.body, dict) else []
        if bodies and isinstance(case.body.get("items"), list):
            bodies += [item for item in case.body["items"] if isinstance(item, dict)]
        for body in bodies:
            for name in ("board", "email"):
                if name in body:
                    body[name] = picks[name]
        return case

    picks = st.fixed_dictionaries({name: st.sampled_from(values) for name, values in known.items()})
    return st.one_of(strategy, st.tuples(strategy, picks).map(use))


def test_every_operation_is_fuzzed(fuzz_target):
    schema, _headers, _known = fuzz_target
    live = sorted(
        (method.upper(), path)
        for path, item in schema.raw_schema["paths"].items()
        for method in item
        if method != "parameters"
    )
    assert live == OPERATIONS and len(live) == 14


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
@pytest.mark.parametrize("method,path", OPERATIONS)
def test_operation_conforms_to_the_document(fuzz_target, method, path, mode):
    schema, headers, known = fuzz_target
    strategy = schema[path][method].as_strategy(generation_mode=mode)
    if mode is GenerationMode.POSITIVE:
        strategy = with_known_values(strategy, known)

    @FUZZ
    @given(case=strategy)
    def fuzz(case):
        case.call_and_validate(
            headers=headers, checks=[not_a_server_error, response_schema_conformance]
        )

    fuzz()
