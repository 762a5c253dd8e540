"""The changelog: publishing ships the linked ideas; the changelog and idea feeds are Atom."""

from __future__ import annotations

import feedparser

from vocportal.extensions import db
from vocportal.ideas.models import Idea, IdeaStatus, StatusChange


def test_publishing_an_entry_ships_its_ideas_and_links_back(client, make_idea, make_user):
    staff = make_user(role="staff")
    wanted = make_idea(title="Dark mode", votes=2)
    also = make_idea(title="Keyboard shortcuts")
    client.login(staff.email)
    form = client.get("/changelog/new").get_data(as_text=True)
    assert "Dark mode" in form
    bad = client.post("/changelog/new", {"title": "", "ideas": [wanted.id]}, page="/changelog/new")
    assert bad.status_code == 400 and "This field is required." in bad.get_data(as_text=True)
    response = client.post(
        "/changelog/new",
        {
            "title": "November release",
            "body": "Dark mode is **here**.",
            "ideas": [wanted.id, also.id],
        },
        page="/changelog/new",
    )
    assert response.status_code == 302
    db.session.expire_all()
    for idea_id in (wanted.id, also.id):
        idea = db.session.get(Idea, idea_id)
        assert idea.status is IdeaStatus.shipped
        change = db.session.scalar(db.select(StatusChange).where(StatusChange.idea_id == idea_id))
        assert "November release" in change.message_html and "/changelog#entry-" in change.message
    public = client.__class__(client.app).get("/changelog").get_data(as_text=True)
    assert "November release" in public and "<strong>here</strong>" in public
    assert f'href="/ideas/{wanted.id}"' in public


def test_customers_cannot_publish(client, make_user):
    client.login(make_user().email)
    assert client.get("/changelog/new").status_code == 403
    assert client.post("/changelog/new", {"title": "x"}, page="/").status_code == 403


def test_feeds_are_valid_atom(client, make_idea, make_user):
    staff = make_user(role="staff")
    idea = make_idea(title="Offline timer")
    client.login(staff.email)
    client.post(
        f"/ideas/{idea.id}/status",
        {"status": "planned", "message": "Next **month**"},
        page=f"/ideas/{idea.id}",
    )
    client.post(
        "/changelog/new",
        {"title": "Offline release", "body": "It works offline.", "ideas": [idea.id]},
        page="/changelog/new",
    )
    for url, expected in [
        ("/changelog.atom", ["Offline release"]),
        (f"/ideas/{idea.id}/feed.atom", ["Shipped", "Planned"]),
    ]:
        response = client.get(url)
        assert response.mimetype == "application/atom+xml"
        parsed = feedparser.parse(response.get_data())
        assert not parsed.bozo, parsed.get("bozo_exception")
        assert parsed.version == "atom10"
        titles = [e.title for e in parsed.entries]
        for word in expected:
            assert any(word in t for t in titles), titles
    idea_feed = feedparser.parse(client.get(f"/ideas/{idea.id}/feed.atom").get_data())
    assert idea_feed.entries[0].title.endswith("Shipped")  # newest first
    assert client.get("/ideas/999/feed.atom").status_code == 404
