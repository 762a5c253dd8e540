"""Anonymous visitors may get a public page a few seconds old; nobody else does."""

from __future__ import annotations

import re

from tests.conftest import PortalClient
from vocportal.extensions import db


def _nonce(response) -> str:
    return re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"]).group(1)


def test_anonymous_list_is_cached_with_fresh_nonce_and_no_cookie(app_factory, make_idea):
    app = app_factory(ANONYMOUS_PAGE_CACHE_SECONDS=60)
    with app.app_context():
        idea = make_idea(title="Cached title")
        idea_id = idea.id
    reader = PortalClient(app)
    first = reader.get("/")
    assert "Cached title" in first.get_data(as_text=True)
    assert "Set-Cookie" not in first.headers  # no session for anonymous readers
    with app.app_context():
        from vocportal.ideas.models import Idea

        db.session.get(Idea, idea_id).title = "Renamed title"
        db.session.commit()
    second = reader.get("/")
    html = second.get_data(as_text=True)
    assert "Cached title" in html  # served from the cache
    nonce = _nonce(second)
    assert nonce != _nonce(first)
    assert all(f'nonce="{nonce}"' in tag for tag in re.findall(r"<script[^>]*>", html))
    # Other query strings are other pages.
    assert "Renamed title" in reader.get("/?sort=new").get_data(as_text=True)


def test_logged_in_people_never_get_cached_pages(app_factory, make_idea, make_user):
    app = app_factory(ANONYMOUS_PAGE_CACHE_SECONDS=60)
    with app.app_context():
        idea = make_idea(title="Before")
        user = make_user()
        idea_id, email = idea.id, user.email
    anonymous = PortalClient(app)
    anonymous.get("/")
    with app.app_context():
        from vocportal.ideas.models import Idea

        db.session.get(Idea, idea_id).title = "After"
        db.session.commit()
    member = PortalClient(app)
    member.login(email)
    page = member.get("/").get_data(as_text=True)
    assert "After" in page and "Log out" in page
