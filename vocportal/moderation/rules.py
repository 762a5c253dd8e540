"""Whether a new idea or comment is held for review, flagged, or simply published.

`screen` runs inside `create_idea` / `add_comment`, after the post is flushed and before it
is announced: a held post is not announced at all (no `ideas.events` signal) until staff
approve it (`operations.approve`).

`MODERATION` says who is held: `off` (nobody, unless a spam signal holds the post), `new`
(people with fewer than `MODERATION_NEW_POSTS` published ideas and comments: the first posts
of an account wait, whatever its age, so registering early and posting later does not
help) or `everyone` (every post but staff's). Staff are never held.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, select

from vocportal.accounts.models import User
from vocportal.extensions import db
from vocportal.ideas.models import Comment, Idea, Moderation
from vocportal.moderation.models import ModerationReview, ReviewState
from vocportal.spamtraps import SpamSignals

MODES = ("off", "new", "everyone")


@dataclass(frozen=True)
class Verdict:
    """What happens to a new post: held, flagged or None (published, nothing to review)."""

    state: ReviewState | None
    reasons: tuple[str, ...] = ()


def published_posts(author: User, besides: Idea | Comment | None = None) -> int:
    """How many of `author`'s ideas and comments are published (not held, rejected or
    hidden), not counting `besides` (the post being screened)."""
    counts = []
    for model in (Idea, Comment):
        stmt = select(func.count()).where(
            model.author_id == author.id, model.moderation.is_(None), model.hidden_at.is_(None)
        )
        if isinstance(besides, model):
            stmt = stmt.where(model.id != besides.id)
        counts.append(db.session.scalar(stmt))
    return sum(counts)


def verdict(author: User, post: Idea | Comment, signals: SpamSignals | None) -> Verdict:
    """Decide what happens to `post` (just flushed) from the setting and its signals."""
    if author.is_staff:
        return Verdict(None)
    config = current_app.config
    hold, flag = [], []
    if signals is not None and signals.honeypot:
        hold.append("honeypot field filled in")
    if signals is not None and signals.too_many_links:
        hold.append(f"{signals.links} links (more than {config['MODERATION_MAX_LINKS']})")
    if isinstance(post, Comment):
        idea = db.session.get(Idea, post.idea_id)
        if idea.moderation is not None:
            hold.append("on an idea that is not published")
    mode = config["MODERATION"]
    if mode == "everyone":
        hold.append("every post is reviewed")
    elif mode == "new" and published_posts(author, post) < config["MODERATION_NEW_POSTS"]:
        hold.append("new poster")
    if signals is not None and signals.too_fast:
        flag.append(
            "sent without a valid form stamp"
            if signals.seconds is None
            else f"sent {signals.seconds:.0f} s after the form was shown"
        )
    if hold:
        return Verdict(ReviewState.held, tuple(hold + flag))
    if flag:
        return Verdict(ReviewState.flagged, tuple(flag))
    return Verdict(None)


def screen(author: User, post: Idea | Comment, signals: SpamSignals | None = None) -> bool:
    """Hold or flag a new post as `verdict` says, recording a review; return True when it
    is held (the caller must then announce nothing)."""
    decided = verdict(author, post, signals)
    if decided.state is None:
        return False
    comment = post if isinstance(post, Comment) else None
    review = ModerationReview(
        idea_id=post.idea_id if comment is not None else post.id,
        comment_id=comment.id if comment is not None else None,
        author_id=author.id,
        state=decided.state,
        reasons=list(decided.reasons),
        honeypot=bool(signals and signals.honeypot),
        seconds_to_submit=signals.seconds if signals is not None else None,
        link_count=signals.links if signals is not None else 0,
    )
    db.session.add(review)
    held = decided.state is ReviewState.held
    if held:
        post.moderation = Moderation.held
    db.session.flush()
    return held
