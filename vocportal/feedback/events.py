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

feedback_linked = _signals.signal(
    "feedback-linked",
    doc="""Staff linked a feedback item to an idea (not sent for an unlink, nor when it was
    linked to that idea already). Sender: the FeedbackItem. Keyword arguments: `actor` (the
    staff member) and `idea` (the Idea). Notifications tell the feedback's sender, saying
    so when the idea is already planned, in progress or shipped.""",
)

inbound_email = _signals.signal(
    "inbound-email",
    doc="""An email arrived at the inbound-email webhook, before it is stored as feedback.
    Sender: None. Keyword arguments: `address` (the sender's address), `recipient` (the
    address(es) it was sent to, as the service gave them; may be empty), `subject`, `text`
    (the plain-text body as received, quoted history included) and `message_id`.

    A receiver that recognises the email as a reply to something the portal sent (a token
    in the recipient address or the subject: `vocportal.questions`) handles it and returns
    (HTTP status, JSON body); the email is then not stored as feedback, and the route
    commits only when the status is below 400. Others return None. Receivers flush only.""",
)

feedback_page = _signals.signal(
    "feedback-page",
    doc="""A feedback item's staff page is being rendered. Sender: the FeedbackItem. Keyword
    arguments: `viewer` (the staff User). Receivers return a dict of template values (or
    None), as `vocportal.ideas.page.idea_page` receivers do. A receiver must only read.""",
)


def reply_to(**email) -> tuple[int, dict] | None:
    """Ask `inbound_email`'s receivers whether the email answers something; their (status,
    body), or None when it is plain feedback."""
    for _receiver, handled in inbound_email.send(None, **email):
        if handled is not None:
            return handled
    return None


def page_extras(item, viewer) -> dict:
    """The template values every receiver of `feedback_page` adds."""
    values: dict = {}
    for _receiver, added in feedback_page.send(item, viewer=viewer):
        values.update(added or {})
    return values
