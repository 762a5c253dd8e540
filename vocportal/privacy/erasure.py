"""Erasure (GDPR article 17): a person asks, and what identifies them goes.

What goes: their email and name (the account row is kept as "deleted user", so votes stay
counted and weighted demand keeps its company), the text of their comments and feedback
(and the raw payload each channel sent), ideas nobody else supported (withdrawn, title and
text blanked), their sign-in identities, API tokens, recovery codes, follows and pending
emails, and every mention of their email or name anywhere else (`sweep`). What stays:
their votes (anonymous), ideas others voted for, commented on or linked feedback to (the
author reads "deleted user"; the text is shared demand that others' votes and comments
refer to), delivery rows (counts), and in the audit log that an erasure happened.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import String, cast, delete, func, literal, or_, select, update

from vocportal.accounts.mfa import disable as forget_authenticator
from vocportal.accounts.models import EmailPref, User
from vocportal.accounts.operations import end_sessions
from vocportal.api.models import ApiToken
from vocportal.audit import operations as audit
from vocportal.changelog.models import changelog_ideas
from vocportal.embeddings.models import Embedding
from vocportal.errors import OperationError, PermissionDenied
from vocportal.extensions import db
from vocportal.feedback.models import FeedbackItem
from vocportal.ideas.models import Comment, Follow, Idea, Vote
from vocportal.notifications.models import Channel, DeliveryState, Notification
from vocportal.privacy import sweep
from vocportal.questions.models import Answer
from vocportal.sso.models import SsoIdentity
from vocportal.timeutil import utcnow
from vocportal.webhooks.models import WebhookDelivery

#: The name an erased person's row (and every mention of them) reads.
ERASED_NAME = sweep.REPLACEMENT
#: What an erased comment or piece of feedback reads.
ERASED_TEXT = "[deleted]"
#: An erased person's address: `.invalid` is reserved (RFC 2606), so no real address and
#: no sign-up can ever be it (email validation refuses the domain).
ERASED_DOMAIN = "erased.invalid"
#: The audit log's code for an erasure.
ERASED_ACTION = "user.erased"
#: Tables the sweep leaves alone: the person's own row (changed field by field below; other
#: people who share the name keep it) and the audit log (its own `forget_person`).
NOT_SWEPT = {"users", "audit_entries"}


def is_erased(user: User) -> bool:
    return user.email.endswith("@" + ERASED_DOMAIN)


@dataclass
class Plan:
    """What an erasure of one person changes, counted before it happens."""

    ideas_kept: list[int] = field(default_factory=list)
    ideas_removed: list[int] = field(default_factory=list)
    comments: list[int] = field(default_factory=list)
    feedback: list[int] = field(default_factory=list)
    votes: int = 0
    follows: int = 0
    notifications: int = 0
    sign_ins: int = 0
    tokens: int = 0
    #: Rows elsewhere (per table) that mention their email or name.
    mentions: dict[str, int] = field(default_factory=dict)


def _ids(stmt) -> list[int]:
    return list(db.session.scalars(stmt))


def _count(stmt) -> int:
    return db.session.scalar(select(func.count()).select_from(stmt.subquery()))


def _supported_by_others(user_id: int):
    """Ideas by `user_id` that someone else voted for, commented on or sent feedback about,
    or that a changelog entry or another idea points to."""
    others = (
        select(Vote.idea_id).where(Vote.user_id != user_id),
        select(Comment.idea_id).where(Comment.author_id != user_id),
        select(FeedbackItem.idea_id).where(
            FeedbackItem.author_id != user_id, FeedbackItem.idea_id.is_not(None)
        ),
        select(changelog_ideas.c.idea_id),
        select(Idea.duplicate_of_id).where(Idea.duplicate_of_id.is_not(None)),
    )
    return or_(*(Idea.id.in_(stmt) for stmt in others))


def record(
    actor: User, user: User, action: str, *, own: str, other: str, details: dict | None = None
) -> None:
    """Audit a privacy action on `user`: "Person #12 <own>" when they did it themselves,
    "Person #12 <other>" when an admin did (never their name or address)."""
    audit.record(
        actor,
        action,
        target_type="user",
        target_id=user.id,
        summary=f"Person #{user.id} {own if actor.id == user.id else other}",
        details=details,
    )


def check(actor: User, user: User) -> None:
    """Refuse an erasure `actor` may not make: only the person or an admin, only once, and
    not of staff (their public answers are the team's: make them a customer first)."""
    if actor.id != user.id and not actor.is_admin:
        raise PermissionDenied()
    if is_erased(user):
        raise OperationError("This person was erased already.")
    if user.is_staff:
        raise OperationError(
            "Staff and admins cannot be erased: an admin makes them a customer first."
            if actor.id == user.id
            else "Make this person a customer first: staff and admins cannot be erased."
        )


def plan(user: User) -> Plan:
    """Count what `erase` would change for `user` (the confirmation shows it)."""
    uid = user.id
    mine = select(Idea.id).where(Idea.author_id == uid)
    return Plan(
        ideas_kept=_ids(mine.where(_supported_by_others(uid)).order_by(Idea.id)),
        ideas_removed=_ids(mine.where(~_supported_by_others(uid)).order_by(Idea.id)),
        comments=_ids(select(Comment.id).where(Comment.author_id == uid)),
        feedback=_ids(select(FeedbackItem.id).where(FeedbackItem.author_id == uid)),
        votes=_count(select(Vote.id).where(Vote.user_id == uid)),
        follows=_count(select(Follow.idea_id).where(Follow.user_id == uid)),
        notifications=_count(select(Notification.id).where(Notification.user_id == uid)),
        sign_ins=_count(select(SsoIdentity.id).where(SsoIdentity.user_id == uid)),
        tokens=_count(select(ApiToken.id).where(ApiToken.user_id == uid)),
        mentions=sweep.count_mentions(sweep.needles(user.email, user.display_name), NOT_SWEPT),
    )


def erase(actor: User, user: User) -> Plan:
    """Erase `user` at their own request (`actor` is them) or an admin's; return what was
    changed. Flushes only: the request commits once."""
    check(actor, user)
    done = plan(user)
    found = sweep.needles(user.email, user.display_name)
    audit.forget_person(user.id)  # before the row changes: it looks for the email and name
    _blank_comments(done.comments)
    _blank_answers(user.id)
    _blank_feedback(done.feedback)
    _remove_ideas(done.ideas_removed)
    _scrub_webhook_payloads(user, done)
    _forget_links(user)
    sweep.sweep(found, NOT_SWEPT)
    user = db.session.get(User, user.id)
    _anonymise(user)
    record(
        db.session.get(User, actor.id),
        user,
        ERASED_ACTION,
        own="erased at their own request",
        other="erased on request",
        details={
            "ideas_kept": len(done.ideas_kept),
            "ideas_removed": len(done.ideas_removed),
            "comments": len(done.comments),
            "feedback": len(done.feedback),
            "votes_kept": done.votes,
        },
    )
    return done


def _blank_comments(ids: list[int]) -> None:
    if ids:
        db.session.execute(
            update(Comment)
            .where(Comment.id.in_(ids))
            .values(body=ERASED_TEXT, body_html=f"<p>{ERASED_TEXT}</p>"),
            execution_options={"synchronize_session": False},
        )


def _blank_answers(user_id: int) -> None:
    """Answers to staff questions keep their row (the question was answered), not the text
    or the email's Message-ID."""
    db.session.execute(
        update(Answer)
        .where(Answer.author_id == user_id)
        .values(body=ERASED_TEXT, body_html=f"<p>{ERASED_TEXT}</p>", external_id=None),
        execution_options={"synchronize_session": False},
    )


def _blank_feedback(ids: list[int]) -> None:
    """Text and the raw payload go; the row stays (linked demand and company counts)."""
    if ids:
        # The external id may be the channel's own (an email's Message-ID, a CSV row's id)
        # or a hash of the sender's email and words: neither may stay.
        db.session.execute(
            update(FeedbackItem)
            .where(FeedbackItem.id.in_(ids))
            .values(
                text=ERASED_TEXT,
                payload={},
                external_id=literal("erased:", String) + cast(FeedbackItem.id, String),
            ),
            execution_options={"synchronize_session": False},
        )
    _drop_embeddings("feedback", ids)


def _remove_ideas(ids: list[int]) -> None:
    """Ideas nobody else supported leave the board, with their words."""
    now = utcnow()
    for idea in db.session.scalars(select(Idea).where(Idea.id.in_(ids))):
        idea.title = "Deleted idea"
        idea.body = idea.body_html = ""
        idea.withdrawn_at = idea.withdrawn_at or now
        idea.updated_at = now
    _drop_embeddings("idea", ids)


def _drop_embeddings(item_type: str, ids: list[int]) -> None:
    # The vector is made from the words: it goes with them.
    if ids:
        db.session.execute(
            delete(Embedding).where(Embedding.item_type == item_type, Embedding.item_id.in_(ids))
        )


#: Which webhook event carries which of the person's texts, under which keys of `data`.
_WEBHOOK_TEXTS = {
    "feedback.created": ("feedback", ("text",)),
    "comment.created": ("comments", ("body",)),
    "idea.created": ("ideas_removed", ("title", "body")),
    "question.answered": ("answers", ("body",)),
}


def _scrub_webhook_payloads(user: User, done: Plan) -> None:
    """Stored webhook bodies of the person's feedback, comments and removed ideas (all
    sent after the person's row was made), and of their answers to staff questions."""
    answers = _ids(select(Answer.id).where(Answer.author_id == user.id))
    for event, (attribute, keys) in _WEBHOOK_TEXTS.items():
        ids = set(answers if attribute == "answers" else getattr(done, attribute))
        if not ids:
            continue
        for delivery in db.session.scalars(
            select(WebhookDelivery).where(
                WebhookDelivery.event == event, WebhookDelivery.created_at >= user.created_at
            )
        ):
            data = (delivery.payload or {}).get("data") or {}
            if data.get("id") in ids:
                data = {**data, **{k: ERASED_TEXT for k in keys if k in data}}
                delivery.payload = {**delivery.payload, "data": data}


def _forget_links(user: User) -> None:
    """Ways in and ways to reach them: identities, tokens, codes, follows, queued email."""
    forget_authenticator(user)
    for model in (SsoIdentity, ApiToken, Follow):
        db.session.execute(delete(model).where(model.user_id == user.id))
    db.session.execute(
        update(Notification)
        .where(
            Notification.user_id == user.id,
            Notification.channel == Channel.email,
            Notification.state.in_(
                [DeliveryState.pending, DeliveryState.sending, DeliveryState.digest]
            ),
        )
        .values(state=DeliveryState.skipped, error="the person was erased"),
        execution_options={"synchronize_session": False},
    )


def _anonymise(user: User) -> None:
    user.email = f"deleted-{user.id}@{ERASED_DOMAIN}"
    user.display_name = ERASED_NAME
    user.password_hash = ""
    user.pending_password_hash = None
    user.blocked = True
    user.email_verified_at = None
    user.last_login_at = None
    user.email_pref = EmailPref.never
    end_sessions(user)
