"""Feedback rules: taking it in from any channel, who said it, and linking it to ideas."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import Select, bindparam, insert, select

from vocportal.accounts.models import Role, User
from vocportal.audit import operations as audit_ops
from vocportal.companies.operations import company_ids
from vocportal.errors import OperationError, PermissionDenied
from vocportal.extensions import db
from vocportal.feedback import events
from vocportal.feedback.models import FeedbackItem, FeedbackSource
from vocportal.ideas.models import Idea
from vocportal.queue import jobnames
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
    user = db.session.scalar(select(User).where(User.email == email))
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
    content (email, text, and the time if given) is the id.
    """
    (result,) = create_feedback_bulk(
        [
            {
                "text": text,
                "email": email,
                "name": name,
                "company": company,
                "external_id": external_id,
                "received_at": received_at,
                "payload": payload,
            }
        ],
        source,
        embed=embed,
    )
    if result.error:
        raise OperationError(result.error, field=result.field)
    return db.session.get(FeedbackItem, result.id), result.created


@dataclass
class BulkResult:
    """What became of one item of a bulk call: its id and whether it is new, or why not."""

    index: int
    id: int | None = None
    created: bool = False
    error: str | None = None
    field: str | None = None


def _validated(item: dict) -> dict:
    text = str(item.get("text") or "").strip()
    if not text:
        raise OperationError("Feedback needs some text.", field="text")
    if len(text) > MAX_TEXT:
        raise OperationError(f"Keep feedback under {MAX_TEXT:,} characters.", field="text")
    email = _clean_email(str(item.get("email") or ""))
    given = item.get("received_at")
    if given is not None and given.tzinfo is not None:
        given = given.astimezone(UTC).replace(tzinfo=None)
    received_at = given or utcnow()
    # Without an id, the content is the id: the same person, words and (given) time. So a
    # file re-imported, or a call retried, stores nothing twice.
    external_id = str(item.get("external_id") or "").strip()[:200] or content_id(
        email, text, given.isoformat() if given else ""
    )
    return {
        "text": text,
        "email": email,
        "name": (str(item.get("name") or "").strip() or email.split("@")[0])[:80],
        "company": " ".join(str(item.get("company") or "").split())[:160],
        "received_at": received_at,
        "external_id": external_id,
        "payload": item.get("payload") or {},
    }


def create_feedback_bulk(
    items: list[dict], source: FeedbackSource, *, embed: bool = True
) -> list[BulkResult]:
    """Store many feedback items with a few statements (not a few per item); one result per
    item, in order. Bad items are reported and skipped; items already stored (same source
    and external id, also within the batch) come back with `created` False. Each dict takes
    the keyword arguments of `create_feedback`. New items are announced once, together
    (`events.feedback_received`)."""
    results = [BulkResult(index=i) for i in range(len(items))]
    good: list[tuple[int, dict]] = []
    for i, raw in enumerate(items):
        try:
            good.append((i, _validated(raw)))
        except OperationError as error:
            results[i].error, results[i].field = error.message, error.field
    if not good:
        return results
    known = dict(
        db.session.execute(
            select(FeedbackItem.external_id, FeedbackItem.id).where(
                FeedbackItem.source == source,
                FeedbackItem.external_id.in_({v["external_id"] for _, v in good}),
            )
        ).all()
    )
    fresh: dict[str, tuple[int, dict]] = {}
    for i, v in good:
        if v["external_id"] in known or v["external_id"] in fresh:
            continue
        fresh[v["external_id"]] = (i, v)
    people = _people_for([v for _, v in fresh.values()])
    companies = company_ids([v["company"] for _, v in fresh.values() if v["company"]])
    for _, v in fresh.values():  # a person's first known company sticks to them
        person = people[v["email"]]
        if v["company"] and person["company_id"] is None:
            person["company_id"] = companies[v["company"].lower()]
            person["dirty"] = True
    moved = [
        {"uid": p["id"], "cid": p["company_id"]} for p in people.values() if p.pop("dirty", False)
    ]
    if moved:  # one executemany, not one UPDATE per person
        users = User.__table__
        db.session.execute(
            users.update()
            .where(users.c.id == bindparam("uid"))
            .values(company_id=bindparam("cid")),
            moved,
        )
    rows = [
        {
            "text": v["text"],
            "source": source,
            "external_id": external_id,
            "author_id": people[v["email"]]["id"],
            "company_id": (
                companies[v["company"].lower()]
                if v["company"]
                else people[v["email"]]["company_id"]
            ),
            "received_at": v["received_at"],
            "created_at": utcnow(),
            "payload": v["payload"],
        }
        for external_id, (_, v) in fresh.items()
    ]
    if rows:
        for start in range(0, len(rows), 1000):
            db.session.execute(insert(FeedbackItem), rows[start : start + 1000])
        known.update(
            db.session.execute(
                select(FeedbackItem.external_id, FeedbackItem.id).where(
                    FeedbackItem.source == source, FeedbackItem.external_id.in_(list(fresh))
                )
            ).all()
        )
    for i, v in good:
        results[i].id = known[v["external_id"]]
        results[i].created = fresh.get(v["external_id"], (None,))[0] == i
    if rows:
        if embed:
            request_embedding()
        events.feedback_received.send(source, item_ids=[r.id for r in results if r.created])
    db.session.flush()
    return results


def _people_for(values: list[dict]) -> dict[str, dict]:
    """email -> {"id", "company_id"} for these items' authors, creating contacts."""
    emails = {v["email"] for v in values}
    found = {
        email: {"id": user_id, "company_id": company_id}
        for email, user_id, company_id in db.session.execute(
            select(User.email, User.id, User.company_id).where(User.email.in_(emails))
        )
    }
    names = {v["email"]: v["name"] for v in values}
    missing = [
        {
            "email": email,
            "display_name": names[email],
            "password_hash": "",
            "role": Role.customer,
            "created_at": utcnow(),
        }
        for email in sorted(emails - set(found))
    ]
    if missing:
        db.session.execute(insert(User), missing)
        for email, user_id in db.session.execute(
            select(User.email, User.id).where(User.email.in_([m["email"] for m in missing]))
        ):
            found[email] = {"id": user_id, "company_id": None}
    return found


def queue_csv_import(actor: User, upload):
    """Keep an uploaded CSV under instance/imports and queue its import (after commit);
    the audit log records who started it."""
    import uuid
    from pathlib import Path

    from flask import current_app

    from vocportal.queue.operations import defer

    folder = Path(current_app.instance_path) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{uuid.uuid4().hex}.csv"
    upload.save(folder / name)
    original = Path(upload.filename or "").name[:200]
    job = defer(
        "import feedback CSV",
        jobnames.IMPORT_FEEDBACK_CSV,
        name,
        original,
        timeout=3600,
        attempts=2,
    )
    audit_ops.record(
        actor,
        "feedback.import_started",
        target_type="job",
        target_id=job.id,
        summary=f"Feedback CSV import of {original or name} started",
        details={"channel": "csv", "file": original},
    )
    return job


def request_embedding():
    """Queue (after commit) the job that embeds every feedback item lacking a vector."""
    from vocportal.queue.operations import defer

    return defer(
        "embed feedback",
        jobnames.EMBED_FEEDBACK,
        queue="embeddings",
        dedupe_key=EMBED_KEY,
        timeout=3600,
        attempts=3,
    )


def get(item_id: int) -> FeedbackItem | None:
    return db.session.get(FeedbackItem, item_id)


def listing(*, unlinked_only: bool = False, source: FeedbackSource | None = None) -> Select:
    """Feedback newest first, optionally only unlinked or one channel's, to page through."""
    stmt = select(FeedbackItem).order_by(FeedbackItem.received_at.desc(), FeedbackItem.id.desc())
    if unlinked_only:
        stmt = stmt.where(FeedbackItem.idea_id.is_(None))
    if source is not None:
        stmt = stmt.where(FeedbackItem.source == source)
    return stmt


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
    newly_linked = idea is not None and item.idea_id != idea.id
    item.idea_id = idea.id if idea else None
    item.linked_at = utcnow() if idea else None
    item.linked_by_id = actor.id if idea else None
    if idea is not None:
        from vocportal.ideas.operations import mark_triaged

        mark_triaged(actor, idea)
    db.session.flush()
    if newly_linked:
        events.feedback_linked.send(item, actor=actor, idea=idea)


def suggestions(item: FeedbackItem, limit: int = 5):
    """The ideas most like this feedback (by meaning), for linking; none until the item has
    been embedded (the page does not load the model for it)."""
    import numpy as np

    from vocportal.embeddings.encoder import MODEL_NAME
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
