"""What happens to ideas, announced for the features that react to it.

`ideas` acts; notifications, webhooks, embeddings, triage, moderation, the audit log and
live updates (vocportal.live) listen, each in its own `subscribers` module, connected by the
application factory. `ideas` imports none of them (as in indico's `core/signals`).

Every signal is sent with the idea as sender, inside the caller's transaction, after the
change is flushed. Receivers only add rows to the same session (the notification outbox,
webhook deliveries, pending jobs): nothing leaves the process until the request or job
commits, so a change that is rolled back leaves no trace of its announcement either.
Receivers must not commit.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

post_submitted = _signals.signal(
    "post-submitted",
    doc="""A customer just posted an idea or a comment (flushed, not yet announced). Keyword
    arguments: `actor` (the author), `post` (the Idea or Comment) and `signals` (the form's
    `vocportal.spamtraps.SpamSignals`, or None). A receiver returning True holds the post
    for review (moderation): then neither `idea_created` nor `comment_added` is sent.""",
)

idea_created = _signals.signal(
    "idea-created",
    doc="""A new idea was posted and may be shown. Keyword arguments: `actor` (the author).

    Not sent while moderation holds the idea; sent when staff approve it.""",
)

idea_edited = _signals.signal(
    "idea-edited",
    doc="""An idea's title, body or board changed. Keyword arguments: `actor`.""",
)

status_changed = _signals.signal(
    "status-changed",
    doc="""Staff published a status update. Keyword arguments: `actor`, `change` (the
    `StatusChange`), `notify` (whether supporters should be told) and `announcement` (text
    to tell them instead of the change's message, or None).""",
)

vote_changed = _signals.signal(
    "vote-changed",
    doc="""A person voted for the idea or took their vote back (the idea's `vote_count` is
    updated). Keyword arguments: `actor` and `voted` (True: a vote, False: taken back).""",
)

comment_added = _signals.signal(
    "comment-added",
    doc="""A comment was posted on the idea. Keyword arguments: `actor` (its author) and
    `comment`. Not sent while moderation holds the comment; sent when staff approve it.""",
)

idea_merged = _signals.signal(
    "idea-merged",
    doc="""The idea (sender) was merged into another as its duplicate. Keyword arguments:
    `actor`, `target` (the idea it was merged into) and `record` (the `MergeRecord`).""",
)

idea_unmerged = _signals.signal(
    "idea-unmerged",
    doc="""A merge of the idea (sender) was undone. Keyword arguments: `actor`, `target`
    (the idea it had been merged into) and `record` (the `MergeRecord`).""",
)

idea_hidden = _signals.signal(
    "idea-hidden",
    doc="""Staff hid the idea, or showed it again. Keyword arguments: `actor` and `hidden`
    (True when hidden, False when shown again).""",
)

idea_muted = _signals.signal(
    "idea-muted",
    doc="""A person opted out of everything about the idea (`muted` True), or followed it
    again by choice (`muted` False). Keyword arguments: `actor` (the person) and `muted`.""",
)

comment_hidden = _signals.signal(
    "comment-hidden",
    doc="""Staff hid a comment on the idea, or showed it again. Keyword arguments: `actor`,
    `comment` and `hidden`.""",
)


def held_for_review(idea, post, author, signals) -> bool:
    """Ask `post_submitted`'s receivers (moderation) whether a new post (the idea itself or
    a comment on it) waits for review."""
    replies = post_submitted.send(idea, actor=author, post=post, signals=signals)
    return any(held for _receiver, held in replies)
