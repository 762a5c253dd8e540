"""The public changelog, its feed, each idea's feed, and the staff page to publish."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from vocportal.changelog import operations as ops
from vocportal.changelog.forms import EntryForm
from vocportal.feeds import atom_response
from vocportal.forms import commit_or_show
from vocportal.ideas import operations as idea_ops
from vocportal.ideas import statuses
from vocportal.ideas.blueprint import current_person
from vocportal.pagecache import cache_for_anonymous
from vocportal.permissions import staff_required

bp = Blueprint("changelog", __name__)


@bp.get("/changelog")
@cache_for_anonymous
def index():
    return render_template("changelog/index.html", entries=ops.entries_for(current_person()))


@bp.get("/changelog.atom")
def feed():
    home = url_for("changelog.index", _external=True)
    items = [
        {
            "id": f"{home}#entry-{e.id}",
            "title": e.title,
            "link": f"{home}#entry-{e.id}",
            "html": e.body_html,
            "updated": e.published_at,
        }
        for e, _ in ops.entries_for(current_person())
    ]
    return atom_response(
        home,
        "Changelog",
        home,
        url_for("changelog.feed", _external=True),
        "What shipped, and the ideas that asked for it",
        items,
    )


@bp.get("/ideas/<int:idea_id>/feed.atom")
def idea_feed(idea_id: int):
    idea = idea_ops.get_idea_for(current_person(), idea_id) or abort(404)
    home = url_for("ideas.show", idea_id=idea.id, _external=True)
    items = [
        {
            "id": f"{home}#status-{c.id}",
            "title": f"{idea.title}: {statuses.shown(c.new_status, c.new_status_id).name}",
            "link": home,
            "html": c.message_html,
            "updated": c.created_at,
        }
        for c in reversed(idea_ops.status_history(idea))
    ]
    return atom_response(
        home,
        f"Status of “{idea.title}”",
        home,
        url_for("changelog.idea_feed", idea_id=idea.id, _external=True),
        "Every status update on this idea",
        items,
    )


@bp.route("/changelog/new", methods=["GET", "POST"])
@staff_required
def new():
    form = EntryForm()
    shippable = ops.shippable_ideas()
    form.ideas.choices = [SelectChoice(i.id, f"#{i.id} {i.title}") for i in shippable]
    if form.validate_on_submit():
        ok, entry = commit_or_show(
            form,
            lambda: ops.publish_entry(
                current_user._get_current_object(),
                form.title.data,
                form.body.data or "",
                form.ideas.data or [],
                url_for("changelog.index"),
            ),
        )
        if ok:
            flash(f"Published; {len(entry.ideas)} ideas are now shipped.", "success")
            return redirect(url_for("changelog.index") + f"#entry-{entry.id}")
    ticked = set(form.ideas.data or [])
    picks = [(idea, idea.id in ticked) for idea in shippable]
    return render_template("changelog/new.html", form=form, picks=picks), (
        400 if form.errors else 200
    )
