"""Similar ideas while someone types a new one (an htmx partial on the new-idea form)."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from flask_login import login_required

from vocportal.embeddings.shipped import shipped_first
from vocportal.embeddings.similar import suggestions
from vocportal.extensions import limiter
from vocportal.ideas import support
from vocportal.ideas.blueprint import current_person

bp = Blueprint("similar", __name__)


@bp.get("/ideas/similar")
@login_required
@limiter.limit(lambda: current_app.config["LIMIT_SIMILAR"])
def while_typing():
    """Up to five existing ideas like the one being typed, shipped ones said first ("This
    shipped in March: …"); keyword matches, marked as such, until the model is ready in
    this process."""
    title = request.args.get("title", "")[:160]
    body = request.args.get("body", "")[:2000]
    person = current_person()
    shipped, found = shipped_first(suggestions(person, title, body))
    voted = support.voted_idea_ids(person, [s.idea.id for s in found.ideas])
    return render_template("ideas/_suggestions.html", found=found, shipped=shipped, voted=voted)
