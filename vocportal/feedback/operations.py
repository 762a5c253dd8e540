"""Feedback rules: taking it in from any channel, who said it, and linking it to ideas."""

from __future__ import annotations

import hashlib
from datetime import datetime

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select

from vocportal.accounts.models import Role, User
from vocportal.customers import operations as customers
from vocportal.errors import OperationError, PermissionDenied
from vocportal.extensions import db
from vocportal.feedback.models import FeedbackItem, FeedbackSource
from vocportal.ideas.models import Idea
from vocportal.timeutil import utcnow

#: Longest feedback text kept (longer is refused, not cut: nothing is lost silently).
MAX_TEXT = 20_000
EMBED_KEY = "embed:feedback"


def _clean_email(email: str) -> str:
    try:
        return validate_email((email or "").strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as error:
        raise OperationError(f"Not a valid email address: {error}", field="email") from None


def contact_for(email: str, name: str | None = None) -> User:
    """The person with this email: their account, or a contact created for them (no
    password; they hear about what they said, and can sign up later to claim it)."""
    email = _clean_email(email)
    user = db.session.scalar(select(User).where(func.lower(User.email) == email))
    if user is None:
        user = User(
            email=email,
            display_name=(name or "").strip()[:80] or email.split("@")[0][:80],
            password_hash="",
            role=Role.customer,
        )
        db.session.add(user)
        db.session.flush()
    return user


def content_id(*parts: object) -> str:
    """A stable id for an item that arrived without one (its content), for deduplication."""
    return "sha256:" + hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()


def create_feedback(
    *,
    text: str,
    source: FeedbackSource,
    email: str,
    name: str | None = None,
    company: str | None = None,
    external_id: str | None = None,
    received_at: datetime | None = None,
    payload: dict | None = None,
    embed: bool = True,
) -> tuple[FeedbackItem, bool]:
    """Store one piece of feedback; return it and whether it is new.

    The same (source, external_id) twice is stored once: a re-sent email, a re-imported CSV
    row or a retried API call returns the existing item. Without an external id the
    content (email, text, time) is the id.
    """
    text = (text or "").strip()
    if not text:
        raise OperationError("Feedback needs some text.", field="text")
    if len(text) > MAX_TEXT:
        raise OperationError(f"Keep feedback under {MAX_TEXT:,} characters.", field="text")
    person = contact_for(email, name)
    received_at = received_at or utcnow()
    if received_at.tzinfo is not None:
        received_at = received_at.astimezone(tz=None).replace(tzinfo=None)
    external_id = (external_id or "").strip()[:200] or content_id(
        person.email, text, received_at.isoformat()
    )
    existing = db.session.scalar(
        select(FeedbackItem).where(
            FeedbackItem.source == source, FeedbackItem.external_id == external_id
        )
    )
    if existing is not None:
        return existing, False
    company_row = None
    if company and company.strip():
        company_row = customers.company_named(company)
        if person.company_id is None:
            person.company_id = company_row.id
    item = FeedbackItem(
        text=text,
        source=source,
        external_id=external_id,
        author_id=person.id,
        company_id=company_row.id if company_row else person.company_id,
        received_at=received_at,
        payload=payload or {},
    )
    db.session.add(item)
    db.session.flush()
    if embed:
        request_embedding()
    _emit_created(item)
    return item, True


def _emit_created(item: FeedbackItem) -> None:
    try:
        from vocportal.webhooks import operations as webhooks
    except ImportError:  # the webhooks package has no operations yet
        return
    emit = getattr(webhooks, "emit", None)
    if emit is not None:
        from vocportal.webhooks.models import WebhookEvent

        emit(WebhookEvent.feedback_created, webhooks.feedback_payload(item))


def request_embedding():
    """Queue (after commit) the job that embeds every feedback item lacking a vector."""
    from vocportal.queue.operations import defer

    return defer(
        "embed feedback",
        "jobs.embeddings.embed_feedback",
        queue="embeddings",
        dedupe_key=EMBED_KEY,
        timeout=3600,
        attempts=3,
    )


def get(item_id: int) -> FeedbackItem | None:
    return db.session.get(FeedbackItem, item_id)


def recent(limit: int = 50, *, unlinked_only: bool = False, source: FeedbackSource | None = None):
    stmt = select(FeedbackItem).order_by(FeedbackItem.received_at.desc(), FeedbackItem.id.desc())
    if unlinked_only:
        stmt = stmt.where(FeedbackItem.idea_id.is_(None))
    if source is not None:
        stmt = stmt.where(FeedbackItem.source == source)
    return list(db.session.scalars(stmt.limit(limit)))


def for_idea(idea: Idea) -> list[FeedbackItem]:
    return list(
        db.session.scalars(
            select(FeedbackItem)
            .where(FeedbackItem.idea_id == idea.id)
            .order_by(FeedbackItem.received_at.desc())
        )
    )


def link(actor: User, item: FeedbackItem, idea: Idea | None) -> None:
    """Link feedback to an idea (None: unlink). Its author then counts as demand for the
    idea and hears the idea's status updates, even without an account."""
    if not actor.is_staff:
        raise PermissionDenied()
    if idea is not None and idea.duplicate_of_id is not None:
        raise OperationError(
            f"That idea is merged into #{idea.duplicate_of_id}; link to that one.", field="idea"
        )
    item.idea_id = idea.id if idea else None
    item.linked_at = utcnow() if idea else None
    item.linked_by_id = actor.id if idea else None
    if idea is not None:
        from vocportal.ideas.operations import mark_triaged

        mark_triaged(actor, idea)
    db.session.flush()


def suggestions(item: FeedbackItem, limit: int = 5):
    """The ideas most like this feedback (by meaning), for linking; none until the item has
    been embedded (the page does not load the model for it)."""
    import numpy as np

    from vocportal.embeddings.model import MODEL_NAME
    from vocportal.embeddings.models import Embedding
    from vocportal.embeddings.similar import similar_ideas

    stored = db.session.scalar(
        select(Embedding.vector).where(
            Embedding.item_type == "feedback",
            Embedding.item_id == item.id,
            Embedding.model == MODEL_NAME,
        )
    )
    if stored is None:
        return []
    return similar_ideas(None, vector=np.frombuffer(stored, dtype="<f4"), limit=limit)
