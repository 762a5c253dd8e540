"""Atom feeds, made with feedgen."""

from __future__ import annotations

from datetime import UTC, datetime

from feedgen.feed import FeedGenerator
from flask import Response


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC)


def atom_response(
    feed_id: str, title: str, home: str, self_url: str, subtitle: str, items: list[dict]
) -> Response:
    """Render items ({id, title, link, html, updated}) as an Atom feed, newest first."""
    fg = FeedGenerator()
    fg.id(feed_id)
    fg.title(title)
    fg.subtitle(subtitle)
    fg.link(href=home, rel="alternate")
    fg.link(href=self_url, rel="self")
    fg.language("en")
    newest = max((i["updated"] for i in items), default=datetime(2025, 1, 1))
    fg.updated(_aware(newest))
    for item in reversed(items):  # feedgen lists entries in reverse order of adding
        entry = fg.add_entry()
        entry.id(item["id"])
        entry.title(item["title"])
        entry.link(href=item["link"])
        entry.updated(_aware(item["updated"]))
        entry.content(item["html"] or item["title"], type="html")
    return Response(fg.atom_str(pretty=True), mimetype="application/atom+xml")
