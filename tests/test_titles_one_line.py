"""Titles are one line: the web form and the API refuse line breaks and control characters
with a message on the field, and the migration makes stored titles one line."""

from __future__ import annotations

import html
import re

import numpy as np
import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import func, select, text

from vocportal.api import operations as api_ops
from vocportal.changelog.models import ChangelogEntry
from vocportal.extensions import db
from vocportal.ideas import operations as ideas
from vocportal.ideas.models import Idea, IdeaStatus
from vocportal.notifications.models import NotificationEvent
from vocportal.themes.models import Theme

pytestmark = pytest.mark.usefixtures("embedded_redis_url")

BAD_TITLES = [
    ("Export to CSV\r\nBcc: everyone@example.com", "one line"),
    ("Export to CSV\n\nplease", "one line"),
    ("Export\u2028to CSV", "one line"),
    ("Export \x1b[31mto CSV", "control characters"),
]


@pytest.mark.parametrize(("title", "message"), BAD_TITLES)
def test_form_refuses_a_title_with_line_breaks_and_keeps_the_text(
    client, make_user, make_board, title, message
):
    user = make_user()
    board = make_board()
    client.login(user.email)
    response = client.post(
        "/ideas/new", {"title": title, "body": "Monthly.", "board": board.id}, page="/ideas/new"
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert re.search(rf'class="field-error"[^>]*>[^<]*{message}', page)
    # The person's text comes back in the field to correct, not lost.
    value = re.search(r'<input[^>]*name="title"[^>]*value="([^"]*)"', page).group(1)
    assert html.unescape(value) == title
    assert db.session.scalar(select(func.count()).select_from(Idea)) == 0


def test_edit_form_refuses_a_title_with_line_breaks(client, make_user, make_idea):
    user = make_user()
    idea = make_idea(author=user, title="Export to CSV")
    client.login(user.email)
    response = client.post(
        f"/ideas/{idea.id}/edit",
        {"title": "Export\r\nto CSV", "body": "Monthly.", "board": idea.board_id},
        page=f"/ideas/{idea.id}/edit",
    )
    assert response.status_code == 400 and "one line" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Idea, idea.id).title == "Export to CSV"


@pytest.mark.parametrize(("title", "message"), BAD_TITLES)
def test_api_refuses_a_title_with_line_breaks(client, make_user, make_board, title, message):
    board = make_board()
    _token, secret = api_ops.create_token(make_user(), "script", "write")
    db.session.commit()
    response = client.http.post(
        "/api/v1/ideas",
        json={"board": board.slug, "title": title},
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert response.status_code == 422, response.get_data(as_text=True)
    fields = response.get_json()["error"]["fields"]
    assert list(fields) == ["title"] and message in fields["title"][0]
    assert db.session.scalar(select(func.count()).select_from(Idea)) == 0


def test_changelog_titles_and_theme_names_are_one_line(client, make_user, make_idea):
    staff = make_user(role="staff")
    idea = make_idea(title="Dark mode")
    theme = Theme(label="billing invoices", top_words=[], centroid=np.zeros(4, "<f4").tobytes())
    db.session.add(theme)
    db.session.commit()
    client.login(staff.email)
    response = client.post(
        "/changelog/new",
        {"title": "November\r\nrelease", "ideas": [idea.id]},
        page="/changelog/new",
    )
    assert response.status_code == 400 and "one line" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(ChangelogEntry)) == 0

    # A theme's name goes into the subject of staff alert emails.
    response = client.post(
        f"/staff/themes/{theme.id}",
        {"name": "Billing\nBcc: x@example.com"},
        page=f"/staff/themes/{theme.id}",
    )
    assert "one line" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Theme, theme.id).name is None


def test_migration_makes_stored_titles_one_line(app, make_user, make_idea):
    staff = make_user(role="staff")
    idea = make_idea(title="Export to CSV")
    ideas.change_status(staff, idea, IdeaStatus.planned, "")
    db.session.commit()
    # Rows written before titles were checked (straight into the database).
    db.session.execute(
        text("UPDATE ideas SET title = :title"), {"title": "Export\r\n  to\u2028CSV\n"}
    )
    db.session.execute(
        text("UPDATE notification_events SET title = :title"),
        {"title": "Export\r\nBcc: x@example.com: now planned"},
    )
    db.session.execute(
        text(
            "INSERT INTO changelog_entries (title, body, body_html, author_id, published_at)"
            " VALUES (:title, '', '', :author, CURRENT_TIMESTAMP)"
        ),
        {"title": "Faster\r\n\r\nexports", "author": staff.id},
    )
    db.session.execute(text("UPDATE users SET display_name = :name"), {"name": "Ann\nBcc: x"})
    db.session.commit()

    downgrade(revision="0006_customers_feedback_api")  # the one-line migration's downgrade
    upgrade()

    db.session.expire_all()
    assert db.session.scalar(select(Idea.title)) == "Export to CSV"
    assert db.session.scalar(select(NotificationEvent.title)) == (
        "Export Bcc: x@example.com: now planned"
    )
    assert db.session.scalar(text("SELECT title FROM changelog_entries")) == "Faster exports"
    names = set(db.session.scalars(text("SELECT display_name FROM users")))
    assert names == {"Ann Bcc: x"}
