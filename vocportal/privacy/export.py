"""Access and portability (GDPR articles 15 and 20): everything the portal keeps about one
person, as one JSON document they can download and take elsewhere.

Secrets are never part of it: no password hash, no authenticator secret, no recovery or
API token digests (only whether two-factor authentication is on, and each token's name and
prefix). Ideas, comments and feedback are theirs whatever became of them (withdrawn,
hidden, merged)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from vocportal.accounts.models import RecoveryCode, User
from vocportal.api.models import ApiToken
from vocportal.audit.models import AuditEntry
from vocportal.companies.models import Company
from vocportal.extensions import db
from vocportal.feedback.models import FeedbackItem
from vocportal.ideas.models import Comment, Follow, Idea, Vote
from vocportal.notifications.models import Notification
from vocportal.questions.models import Answer
from vocportal.sso.models import SsoIdentity

#: Bumped when the document's shape changes, so a reader can tell versions apart.
FORMAT_VERSION = 1


def _iso(value: datetime | None) -> str | None:
    return value.replace(tzinfo=UTC).isoformat() if value is not None else None


def _rows(stmt) -> list:
    return list(db.session.scalars(stmt))


def _profile(user: User) -> dict:
    company = db.session.get(Company, user.company_id) if user.company_id else None
    return {
        "id": user.id,
        "email": user.email,
        "display_name": user.display_name,
        "role": user.role.value,
        "account": "contact (no password: known from feedback)" if user.is_contact else "account",
        "company": company.name if company else None,
        "created_at": _iso(user.created_at),
        "last_login_at": _iso(user.last_login_at),
        "email_verified_at": _iso(user.email_verified_at),
        "blocked": user.blocked,
    }


def _ideas(user: User) -> list[dict]:
    return [
        {
            "id": idea.id,
            "board": idea.board.name,
            "title": idea.title,
            "body": idea.body,
            "status": idea.status.value,
            "votes": idea.vote_count,
            "created_at": _iso(idea.created_at),
            "updated_at": _iso(idea.updated_at),
            "withdrawn_at": _iso(idea.withdrawn_at),
            "hidden_by_staff": idea.hidden_at is not None,
            "duplicate_of": idea.duplicate_of_id,
        }
        for idea in _rows(select(Idea).where(Idea.author_id == user.id).order_by(Idea.id))
    ]


def _comments(user: User) -> list[dict]:
    return [
        {
            "id": c.id,
            "idea_id": c.idea_id,
            "body": c.body,
            "created_at": _iso(c.created_at),
            "edited_at": _iso(c.edited_at),
            "hidden_by_staff": c.hidden_at is not None,
        }
        for c in _rows(select(Comment).where(Comment.author_id == user.id).order_by(Comment.id))
    ]


def _answers(user: User) -> list[dict]:
    """Their answers to staff questions (`vocportal.questions`), with the question."""
    return [
        {
            "id": a.id,
            "question": a.question.body,
            "idea_id": a.question.idea_id,
            "feedback_id": a.question.feedback_item_id,
            "channel": a.channel.value,
            "body": a.body,
            "created_at": _iso(a.created_at),
        }
        for a in _rows(select(Answer).where(Answer.author_id == user.id).order_by(Answer.id))
    ]


def _votes(user: User) -> list[dict]:
    rows = db.session.execute(
        select(Vote.idea_id, Idea.title, Vote.created_at)
        .join(Idea, Idea.id == Vote.idea_id)
        .where(Vote.user_id == user.id)
        .order_by(Vote.id)
    )
    return [{"idea_id": i, "idea_title": t, "voted_at": _iso(at)} for i, t, at in rows]


def _follows(user: User) -> list[dict]:
    return [
        {"idea_id": f.idea_id, "muted": f.muted, "since": _iso(f.created_at)}
        for f in _rows(select(Follow).where(Follow.user_id == user.id).order_by(Follow.idea_id))
    ]


def _feedback(user: User) -> list[dict]:
    return [
        {
            "id": f.id,
            "source": f.source.value,
            "text": f.text,
            "received_at": _iso(f.received_at),
            "stored_at": _iso(f.created_at),
            "payload": f.payload,
            "linked_idea_id": f.idea_id,
        }
        for f in _rows(
            select(FeedbackItem).where(FeedbackItem.author_id == user.id).order_by(FeedbackItem.id)
        )
    ]


def _notifications(user: User) -> list[dict]:
    return [
        {
            "channel": n.channel.value,
            "state": n.state.value,
            "title": n.event.title,
            "text": n.event.text,
            "link": n.event.link,
            "created_at": _iso(n.created_at),
            "sent_at": _iso(n.sent_at),
            "read_at": _iso(n.read_at),
        }
        for n in _rows(
            select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
        )
    ]


def _sign_in(user: User) -> dict:
    codes = _rows(select(RecoveryCode).where(RecoveryCode.user_id == user.id))
    return {
        "password": not user.is_contact,
        "single_sign_on": [
            {
                "provider": s.provider,
                "issuer": s.issuer,
                "subject": s.subject,
                "linked_at": _iso(s.created_at),
                "last_login_at": _iso(s.last_login_at),
            }
            for s in _rows(select(SsoIdentity).where(SsoIdentity.user_id == user.id))
        ],
        "two_factor": {
            "enabled": user.mfa_enabled,
            "enabled_at": _iso(user.totp_enabled_at),
            "recovery_codes_left": sum(1 for c in codes if c.used_at is None),
        },
        "api_tokens": [
            {
                "name": t.name,
                "prefix": t.prefix,
                "scopes": t.scopes.split(),
                "created_at": _iso(t.created_at),
                "last_used_at": _iso(t.last_used_at),
                "revoked_at": _iso(t.revoked_at),
            }
            for t in _rows(select(ApiToken).where(ApiToken.user_id == user.id))
        ],
    }


def _activity(user: User) -> list[dict]:
    """What the audit log recorded them doing, or done to their account."""
    entries = _rows(
        select(AuditEntry)
        .where(
            (AuditEntry.actor_id == user.id)
            | ((AuditEntry.target_type == "user") & (AuditEntry.target_id == user.id))
        )
        .order_by(AuditEntry.id)
    )
    return [
        {
            "at": _iso(e.at),
            "action": e.action,
            "by_them": e.actor_id == user.id,
            "summary": e.summary,
            "origin": e.origin,
        }
        for e in entries
    ]


def personal_data(user: User, portal_name: str, now: datetime) -> dict:
    """Everything kept about `user`, as plain JSON values."""
    return {
        "format": f"vocportal-personal-data/{FORMAT_VERSION}",
        "portal": portal_name,
        "exported_at": _iso(now),
        "profile": _profile(user),
        "email_preference": user.email_pref.value,
        "ideas": _ideas(user),
        "comments": _comments(user),
        "answers": _answers(user),
        "votes": _votes(user),
        "follows": _follows(user),
        "feedback": _feedback(user),
        "notifications": _notifications(user),
        "sign_in": _sign_in(user),
        "activity": _activity(user),
    }
