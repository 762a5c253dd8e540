"""Publishing live messages: noted during a transaction, sent after it commits.

Messages are JSON objects on one Redis pub/sub channel per portal (the channel names the
Redis database number, since pub/sub channels are shared by every database of a server):

- ``{"t": "idea", "id": 42, "votes": 7, "update": 15}``: a public idea's vote count and the
  id of its newest status update (`latest_update`), read after the commit (nothing about
  an idea that is not public: a page that shows it to its author or staff stops updating);
- ``{"t": "bell", "users": [3, 9]}``: these people's bells changed (no content: each stream
  reads its own person's count).

Publishing is best effort: when Redis cannot take a message, pages catch up at their next
snapshot (a stream's reconnect, or a poll).
"""

from __future__ import annotations

import json
import logging

from flask import Flask, current_app, has_app_context
from redis.exceptions import RedisError
from sqlalchemy import ScalarSelect, event, func, select
from sqlalchemy.orm import Session

from vocportal.extensions import db
from vocportal.ideas.models import Idea, StatusChange
from vocportal.ideas.operations import public_ideas
from vocportal.redis_client import get_redis

log = logging.getLogger("vocportal.live")

_IDEAS = "vocportal_live_ideas"
_BELLS = "vocportal_live_bells"


def channel(app: Flask | None = None) -> str:
    """The pub/sub channel of this portal's live messages."""
    app = app or current_app
    db_number = get_redis(app).connection_pool.connection_kwargs.get("db", 0)
    return f"vocportal:live:{db_number}"


def note_idea(idea_id: int) -> None:
    """Publish the idea's counts and status once the current transaction commits."""
    db.session.info.setdefault(_IDEAS, set()).add(idea_id)


def note_bell(user_ids: list[int]) -> None:
    """Tell these people's open pages to re-read their bell once the transaction commits."""
    db.session.info.setdefault(_BELLS, set()).update(user_ids)


def idea_messages(idea_ids) -> list[dict]:
    """The live messages of these ideas as they are now (public ideas only)."""
    with Session(db.engine) as fresh:  # the committing session is mid-event
        rows = fresh.execute(
            select(Idea.id, Idea.vote_count, latest_update()).where(
                Idea.id.in_(sorted(idea_ids)), public_ideas()
            )
        ).all()
    return [
        {"t": "idea", "id": id_, "votes": votes, "update": update} for id_, votes, update in rows
    ]


def latest_update() -> ScalarSelect:
    """The id of the idea's newest status update (0: none), as a column: a page that shows
    another one re-reads its status and timeline."""
    return (
        select(func.coalesce(func.max(StatusChange.id), 0))
        .where(StatusChange.idea_id == Idea.id)
        .correlate(Idea)
        .scalar_subquery()
    )


def send(messages: list[dict]) -> None:
    """Publish messages now (best effort: a Redis error is logged, not raised)."""
    if not messages:
        return
    try:
        with get_redis().pipeline(transaction=False) as pipe:
            name = channel()
            for message in messages:
                pipe.publish(name, json.dumps(message, separators=(",", ":")))
            pipe.execute()
    except RedisError as error:
        log.warning("live updates not published: %s", error)


def _publish_after_commit(session: Session) -> None:
    ideas = session.info.pop(_IDEAS, None)
    bells = session.info.pop(_BELLS, None)
    if not (ideas or bells) or not has_app_context():
        return
    if current_app.config["LIVE_UPDATES"] != "sse":  # nobody listens
        return
    messages = idea_messages(ideas) if ideas else []
    if bells:
        messages.append({"t": "bell", "users": sorted(bells)})
    send(messages)


def _forget(session: Session, *_args) -> None:
    session.info.pop(_IDEAS, None)
    session.info.pop(_BELLS, None)


def register_publish_hooks() -> None:
    """Publish noted changes after commit; forget them on rollback (idempotent)."""
    if not event.contains(Session, "after_commit", _publish_after_commit):
        event.listen(Session, "after_commit", _publish_after_commit)
        event.listen(Session, "after_soft_rollback", _forget)
