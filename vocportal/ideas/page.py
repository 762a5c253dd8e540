"""What other features add to an idea's page, without ideas importing them.

`ideas.views` sends `idea_page` while rendering an idea; each receiver (connected in its
own feature's `subscribers` module) returns a dict of template values, or None to add
nothing: similar ideas (embeddings) and the staff panel (triage: owner, notes, demand,
linked feedback, who a status update will reach). A receiver must only read.

`shipped_in` asks, the same way, where shipped ideas were announced (the changelog), for
the similar-while-typing suggestions, which say "This shipped in …" first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from blinker import Namespace

from vocportal.accounts.models import User
from vocportal.ideas.models import Idea

_signals = Namespace()

idea_page = _signals.signal(
    "idea-page",
    doc="""An idea's page is being rendered. Sender: the Idea. Keyword arguments: `viewer`
    (the User, or None for an anonymous reader). Receivers return a dict of template values
    (or None).""",
)

#: What the page shows when no receiver adds anything.
DEFAULTS = {"related": [], "duplicate_similarity": 1.0, "staff": {}}


def extras(idea: Idea, viewer: User | None) -> dict:
    """The template values every receiver of `idea_page` adds, over `DEFAULTS`."""
    values = dict(DEFAULTS)
    for _receiver, added in idea_page.send(idea, viewer=viewer):
        values.update(added or {})
    return values


@dataclass(frozen=True)
class ShippedIn:
    """Where a shipped idea was announced (a changelog entry), for "This shipped in …"."""

    title: str
    path: str  #: the announcement's address in the portal ("/changelog#entry-3")
    published_at: datetime


shipped_in = _signals.signal(
    "shipped-in",
    doc="""Shipped ideas match a new idea someone is typing. Sender: the list of Ideas.
    Receivers (the changelog) return {idea id: ShippedIn} for the ones they announced, or
    None. A receiver must only read.""",
)


def announcements(ideas: list[Idea]) -> dict[int, ShippedIn]:
    """What every receiver of `shipped_in` says announced these shipped ideas."""
    found: dict[int, ShippedIn] = {}
    if ideas:
        for _receiver, added in shipped_in.send(ideas):
            found.update(added or {})
    return found
