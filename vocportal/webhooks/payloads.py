"""What a webhook delivery says about each event: the `data` of the JSON envelope.

Only what a receiver needs to act on the event: public text, ids, statuses and links.
Never password hashes, internal notes, owners or triage data. Chat formats
(`vocportal.webhooks.chat`) are written from these same dicts.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import current_app

from vocportal.accounts.models import User
from vocportal.extensions import db
from vocportal.feedback.models import FeedbackItem
from vocportal.ideas import operations as ideas
from vocportal.ideas.models import Comment, Idea, StatusChange


def _iso(value: datetime | None) -> str | None:
    return value.replace(tzinfo=UTC).isoformat() if value is not None else None


def _link(path: str) -> str:
    return current_app.config["BASE_URL"].rstrip("/") + path


def _person(user: User | None) -> dict | None:
    if user is None:
        return None
    return {"id": user.id, "display_name": user.display_name, "is_staff": user.is_staff}


def idea_payload(idea: Idea) -> dict:
    """An idea as receivers see it: its public text, status, board, votes and link."""
    return {
        "id": idea.id,
        "title": idea.title,
        "body": idea.body,
        "status": idea.status.value,
        "board": {"id": idea.board.id, "slug": idea.board.slug, "name": idea.board.name},
        "author": _person(idea.author),
        "vote_count": idea.vote_count,
        "comment_count": idea.comment_count,
        "created_at": _iso(idea.created_at),
        "url": _link(ideas.idea_path(idea.id)),
    }


def status_payload(idea: Idea, change: StatusChange) -> dict:
    """A published status update: old and new status, the public message, the idea."""
    return {
        "id": change.id,
        "old_status": change.old_status.value,
        "new_status": change.new_status.value,
        "message": change.message,
        "changed_by": _person(db.session.get(User, change.actor_id)),
        "changed_at": _iso(change.created_at),
        "idea": idea_payload(idea),
        "url": _link(ideas.idea_path(idea.id, f"status-{change.id}")),
    }


def comment_payload(comment: Comment) -> dict:
    """A public comment, with the idea it is on."""
    idea = db.session.get(Idea, comment.idea_id)
    return {
        "id": comment.id,
        "body": comment.body,
        "is_official": comment.is_official,
        "author": _person(comment.author),
        "created_at": _iso(comment.created_at),
        "idea": {"id": idea.id, "title": idea.title, "status": idea.status.value},
        "url": _link(ideas.idea_path(idea.id, f"c{comment.id}")),
    }


def feedback_payload(item: FeedbackItem) -> dict:
    """A feedback item: its text, source, who said it (email), company and linked idea."""
    return {
        "id": item.id,
        "text": item.text,
        "source": item.source.value,
        "author": {"email": item.author.email},
        "company_id": item.company_id,
        "received_at": _iso(item.received_at),
        "idea_id": item.idea_id,
        "url": _link(f"/staff/feedback/{item.id}"),
    }


def theme_alert_payload(
    *,
    theme_id: int,
    theme_name: str,
    title: str,
    text: str,
    path: str,
    measure: str,
    value: float,
    baseline: float,
    week_start: datetime,
) -> dict:
    """A theme rising above its baseline (early warning), with a link to the theme page."""
    return {
        "theme": {"id": theme_id, "name": theme_name},
        "title": title,
        "text": text,
        "measure": measure,
        "value": value,
        "baseline": round(baseline, 2),
        "week_start": _iso(week_start),
        "url": _link(path),
    }


def answer_payload(question, answer, actor: User, idea: Idea | None, item: FeedbackItem | None):
    """A customer's answer to a staff question, with the question and what it is about."""
    if idea is not None:
        about = {"id": idea.id, "title": idea.title, "status": idea.status.value}
        path = ideas.idea_path(idea.id)
    else:
        about = None
        path = f"/staff/feedback/{item.id}" if item is not None else "/"
    return {
        "id": answer.id,
        "body": answer.body,
        "channel": answer.channel.value,
        "answered_by": _person(actor),
        "created_at": _iso(answer.created_at),
        "question": {
            "id": question.id,
            "body": question.body,
            "asked_by": _person(question.asker),
            "asked_at": _iso(question.created_at),
        },
        "idea": about,
        "feedback_item_id": item.id if item is not None else None,
        "url": _link(path),
    }


def report_payload(report_id: int, week_start, figures: dict, path: str) -> dict:
    """The weekly voice-of-customer report: its week, its figures and its page."""
    return {
        "id": report_id,
        "week_start": week_start.isoformat(),
        "week_end": figures.get("week_end"),
        "figures": figures,
        "url": _link(path),
    }
