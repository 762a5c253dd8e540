"""Staff pages: what customers are asking for, as themes."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from vocportal.extensions import db
from vocportal.forms import commit_or_show
from vocportal.ideas.forms import EmptyForm
from vocportal.ideas.models import Idea
from vocportal.permissions import staff_required
from vocportal.themes import operations as ops
from vocportal.themes.forms import ThemeNameForm
from vocportal.themes.models import Theme

bp = Blueprint("themes", __name__, url_prefix="/staff/themes")


@bp.get("/")
@staff_required
def index():
    themes = ops.active_themes()
    ideas = {
        i.id: i
        for i in db.session.scalars(
            select(Idea).where(
                Idea.id.in_(
                    [r["id"] for t in themes for r in t.representative if r["type"] == "idea"]
                )
            )
        )
    }
    return render_template(
        "themes/index.html",
        themes=themes,
        ideas=ideas,
        last_fit=ops.last_fit(),
        refresh_job=ops.refresh_job(),
        unsorted=ops.unsorted_count(),
        min_items=ops.min_items(),
        corpus_size=ops.corpus_size(),
        form=EmptyForm(),
    )


@bp.post("/refresh")
@staff_required
def refresh():
    if not EmptyForm().validate_on_submit():
        abort(400)
    record = ops.request_refresh()
    db.session.commit()
    flash(f"Theme refresh queued (job {record.id}); progress shows below.", "success")
    return redirect(url_for("themes.index"))


@bp.route("/<int:theme_id>", methods=["GET", "POST"])
@staff_required
def show(theme_id: int):
    theme = db.session.get(Theme, theme_id) or abort(404)
    form = ThemeNameForm(obj=theme)
    if form.validate_on_submit():
        ok, _ = commit_or_show(
            form,
            lambda: ops.rename_theme(
                current_user._get_current_object(), theme, form.name.data or ""
            ),
        )
        if ok:
            flash("Theme renamed; the name is kept when themes are refreshed.", "success")
            return redirect(url_for("themes.show", theme_id=theme.id))
    return render_template(
        "themes/show.html", theme=theme, form=form, ideas=ops.theme_ideas(theme)
    ), 400 if form.errors else 200
