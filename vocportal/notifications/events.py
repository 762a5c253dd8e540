"""What happens to people's bells, announced for the features that react to it.

Sent inside the caller's transaction, after the rows are flushed, like the ideas' events
(`vocportal.ideas.events`): a receiver acts only once that transaction commits. Live
updates (`vocportal.live`) listen, so an open page's bell lights up without a reload.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

bell_changed = _signals.signal(
    "bell-changed",
    doc="""In-app notifications were added to, or marked read in, some people's bells.
    Sender: None. Keyword arguments: `user_ids` (a list of the people's ids).""",
)
