"""What other features add to an idea's page, without ideas importing them.

`ideas.views` sends `idea_page` while rendering an idea; each receiver (connected in its
own feature's `subscribers` module) returns a dict of template values, or None to add
nothing: similar ideas (embeddings) and the staff panel (triage: owner, notes, demand,
linked feedback, who a status update will reach). A receiver must only read.
"""

from __future__ import annotations

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
