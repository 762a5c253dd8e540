"""Comments on ideas: posting (moderation may hold one), editing, hiding, marking official.

Who may read a comment is the visibility rule in `vocportal.ideas.operations`
(`can_see_comment`, `visible_comments`). Operations flush; the caller commits.
"""

from __future__ import annotations

from sqlalchemy import update

from vocportal.accounts.models import User
from vocportal.errors import PermissionDenied
from vocportal.extensions import db
from vocportal.ideas import events
from vocportal.ideas.models import Comment, Idea
from vocportal.ideas.operations import set_hidden
from vocportal.ideas.support import follow
from vocportal.markdown import render_markdown
from vocportal.spamtraps import SpamSignals
from vocportal.timeutil import utcnow


def add_comment(
    author: User,
    idea: Idea,
    body: str,
    official: bool = False,
    signals: SpamSignals | None = None,
) -> Comment:
    """Comment on an idea (staff may mark it official); the commenter follows the idea.
    Moderation may hold it: then it is neither counted nor announced until approved."""
    if official and not author.is_staff:
        raise PermissionDenied()
    comment = Comment(
        idea_id=idea.id,
        author=author,
        body=body.strip(),
        body_html=render_markdown(body),
        is_official=official,
    )
    db.session.add(comment)
    db.session.flush()
    held = events.held_for_review(idea, comment, author, signals)
    if not held:
        db.session.execute(
            update(Idea).where(Idea.id == idea.id).values(comment_count=Idea.comment_count + 1)
        )
    follow(author, idea)
    db.session.flush()
    if not held:
        events.comment_added.send(idea, actor=author, comment=comment)
    return comment


#: Why a customer may not edit their comment once staff hid it.
HIDDEN_COMMENT_LOCKED = "Staff hid this comment, so it can no longer be edited."


def edit_comment(actor: User, comment: Comment, body: str) -> None:
    """Change a comment's text: its author (unless staff hid it) or staff."""
    if not (actor.is_staff or comment.author_id == actor.id):
        raise PermissionDenied()
    if comment.hidden_at is not None and not actor.is_staff:
        raise PermissionDenied(HIDDEN_COMMENT_LOCKED)
    comment.body = body.strip()
    comment.body_html = render_markdown(body)
    comment.edited_at = utcnow()
    db.session.flush()


def set_comment_hidden(actor: User, comment: Comment, hidden: bool) -> None:
    if not set_hidden(actor, comment, hidden):
        return
    if comment.moderation is None:  # held and rejected comments are not counted
        db.session.execute(
            update(Idea)
            .where(Idea.id == comment.idea_id)
            .values(comment_count=Idea.comment_count + (-1 if hidden else 1))
        )
    db.session.flush()
    events.comment_hidden.send(
        db.session.get(Idea, comment.idea_id), actor=actor, comment=comment, hidden=hidden
    )


def set_comment_official(actor: User, comment: Comment, official: bool) -> None:
    if not actor.is_staff:
        raise PermissionDenied()
    comment.is_official = official
    db.session.flush()
