"""The ideas blueprint and what its views share: who is asking, the author-or-staff check,
and confirmations shown beside what they confirm on the idea page."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, url_for
from flask_login import current_user

from vocportal.ideas.models import IdeaStatus
from vocportal.ideas.statuses import shown_to
from vocportal.ideas.targets import shown_target

bp = Blueprint("ideas", __name__)


@bp.app_context_processor
def statuses() -> dict:
    """Every template may name a status (`IdeaStatus.planned`), on any blueprint's page."""
    return {"IdeaStatus": IdeaStatus}


@bp.app_template_global("shown_status")
def shown_status(thing, status_id: int | None = None):
    """A status (an Idea, or a kind and custom status id) as the current reader sees it:
    its kind (`.value`), name (`.label`) and colour (`vocportal.ideas.statuses`)."""
    return shown_to(current_person(), thing, status_id)


@bp.app_template_filter("target")
def target(idea) -> str:
    """The idea's expected month or quarter, while it is planned or in progress."""
    return shown_target(idea)


def current_person():
    """The logged-in person, or None."""
    return current_user._get_current_object() if current_user.is_authenticated else None


def author_or_staff(author_id: int | None):
    """The logged-in person if they wrote the thing (`author_id`) or are staff; else a 403."""
    user = current_person()
    if not (user.is_staff or author_id == user.id):
        abort(403)
    return user


def flash_at(anchor: str, message: str, category: str = "success") -> None:
    """Flash a confirmation the idea page shows beside the element with id `anchor`
    (other pages show it at the top, as any flash)."""
    flash(message, f"{category}#{anchor}")


def back_to(idea_id: int, anchor: str):
    """Back to the idea page, at the element with id `anchor`."""
    return redirect(url_for("ideas.show", idea_id=idea_id) + f"#{anchor}")
