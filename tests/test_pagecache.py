"""Anonymous visitors may get a public page a few seconds old; nobody else does."""

from __future__ import annotations

import re

from tests.conftest import PortalClient
from vocportal.accounts.models import User
from vocportal.extensions import db
from vocportal.ideas import merge as merges
from vocportal.ideas import operations as ideas
from vocportal.ideas.models import Idea, IdeaStatus


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


def test_a_hidden_idea_leaves_every_processs_cached_pages_at_once(
    app_factory, make_idea, make_user, embedded_redis_url
):
    # Two apps on one Redis and one database: two web processes, each with its own cache.
    first_process = app_factory(ANONYMOUS_PAGE_CACHE_SECONDS=600)
    second_process = app_factory(ANONYMOUS_PAGE_CACHE_SECONDS=600)
    with first_process.app_context():
        staff = make_user(role="staff")
        kept = make_idea(title="Kept public idea")
        hidden = make_idea(title="Soon hidden idea")
        withdrawn = make_idea(title="Soon withdrawn idea")
        staff_id, kept_id, hidden_id, withdrawn_id = staff.id, kept.id, hidden.id, withdrawn.id
    readers = [PortalClient(first_process), PortalClient(second_process)]
    pages = ["/", "/roadmap", "/changelog"]
    for reader in readers:
        for path in pages:
            reader.get(path)
        assert "Soon hidden idea" in reader.get("/").get_data(as_text=True)

    # A vote (or an edit) may show a little late: the cache is still used.
    with first_process.app_context():
        db.session.get(Idea, kept_id).vote_count = 7
        db.session.commit()
    assert "Soon hidden idea" in readers[1].get("/").get_data(as_text=True)

    with second_process.app_context():  # a change in one process (or a worker)...
        actor = db.session.get(User, staff_id)
        ideas.set_idea_hidden(actor, db.session.get(Idea, hidden_id), True)
        withdrawn = db.session.get(Idea, withdrawn_id)
        ideas.withdraw_idea(withdrawn.author, withdrawn)
        db.session.commit()
    for reader in readers:  # ... is on every process's next anonymous page
        html = reader.get("/").get_data(as_text=True)
        assert "Kept public idea" in html
        assert "Soon hidden idea" not in html and "Soon withdrawn idea" not in html

    # A status change (the roadmap) and a merge do the same.
    with first_process.app_context():
        actor = db.session.get(User, staff_id)
        ideas.change_status(actor, db.session.get(Idea, kept_id), IdeaStatus.planned, "")
        db.session.commit()
    for reader in readers:
        assert "Kept public idea" in reader.get("/roadmap").get_data(as_text=True)
    with first_process.app_context():
        actor = db.session.get(User, staff_id)
        other = make_idea(title="Merged away idea")
        other_id = other.id
    for reader in readers:
        assert "Merged away idea" in reader.get("/").get_data(as_text=True)
    with first_process.app_context():
        actor = db.session.get(User, staff_id)
        merges.merge(actor, db.session.get(Idea, other_id), db.session.get(Idea, kept_id))
        db.session.commit()
    for reader in readers:
        assert "Merged away idea" not in reader.get("/").get_data(as_text=True)


def test_without_redis_pages_are_rendered_not_served_stale(app_factory, make_idea, make_user):
    app = app_factory(
        ANONYMOUS_PAGE_CACHE_SECONDS=600,
        REDIS_URL="redis://127.0.0.1:9/0",  # nothing listens there
        RATELIMIT_STORAGE_URI="memory://",
    )
    with app.app_context():
        staff = make_user(role="staff")
        idea = make_idea(title="Soon hidden idea")
        staff_id, idea_id = staff.id, idea.id
    reader = PortalClient(app)
    assert "Soon hidden idea" in reader.get("/").get_data(as_text=True)
    with app.app_context():
        ideas.set_idea_hidden(db.session.get(User, staff_id), db.session.get(Idea, idea_id), True)
        db.session.commit()
    assert "Soon hidden idea" not in reader.get("/").get_data(as_text=True)
