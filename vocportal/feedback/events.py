"""What happens to feedback, announced for the features that react to it.

`feedback` takes feedback in from every channel; webhooks (and whoever comes next) listen
in their own `subscribers` module, connected by the application factory. `feedback`
imports none of them (as `vocportal.ideas.events` does for ideas).

Signals are sent inside the caller's transaction, after the rows are flushed. Receivers
only add rows to the same session (webhook deliveries, pending jobs): nothing leaves the
process until the request or job commits, so feedback that is rolled back leaves no trace of
its announcement either. Receivers must not commit.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

feedback_received = _signals.signal(
    "feedback-received",
    doc="""New feedback was stored, from any channel (widget, inbound email, API single or
    bulk, CSV import, staff): sent once per `create_feedback` / `create_feedback_bulk` call
    that stored at least one new item, never for items that were already there. Sender: the
    channel (a `FeedbackSource`). Keyword arguments: `item_ids` (the new items' ids, in the
    order they were given).

    One signal for a whole batch, with ids rather than loaded items, so that a CSV import of
    100,000 rows costs a receiver that has nothing to do (no webhook endpoint takes
    `feedback.created`) one query, not 100,000 objects.""",
)
