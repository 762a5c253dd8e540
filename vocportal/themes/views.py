"""Staff pages: what customers are asking for, as themes ranked by demand."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from vocportal.extensions import db
from vocportal.forms import ButtonForm, commit_or_show
from vocportal.permissions import staff_required
from vocportal.tags import operations as tag_ops
from vocportal.themes import alerts, demand, edits, reads
from vocportal.themes.forms import ThemeNameForm, ThemeTargetForm
from vocportal.themes.models import Theme, ThemeAlert, ThemeStatus
from vocportal.themes.refresh import refresh_job, request_refresh
from vocportal.triage.forms import BulkStatusForm

bp = Blueprint("themes", __name__, url_prefix="/staff/themes")

SORT_LABELS = {
    "supporters": "Supporters",
    "weighted": "Weighted demand",
    "votes": "Votes",
    "growth": "7-day growth",
    "untriaged": "Untriaged",
}


def _user():
    return current_user._get_current_object()


def _theme_or_404(theme_id: int) -> Theme:
    return db.session.get(Theme, theme_id) or abort(404)


def _flash_errors(form: FlaskForm) -> None:
    for error in [*form.form_errors, *(e for f in form for e in f.errors)]:
        flash(error, "error")


@bp.get("/")
@staff_required
def index():
    from vocportal.customers.forms import segment_arg, segment_filter

    sort = request.args.get("sort", demand.DEFAULT_SORT)
    if sort not in demand.SORTS:
        sort = demand.DEFAULT_SORT
    segment = segment_arg()
    segment_id = segment.id if segment is not None else None
    if segment is not None:
        sort = "segment"
    elif sort == "segment":
        sort = demand.DEFAULT_SORT
    themes = reads.active_themes()
    rows = demand.ranked(demand.theme_demand(themes, segment_id=segment_id), sort)
    if segment is not None:
        rows = [d for d in rows if d.in_segment]
    return render_template(
        "themes/index.html",
        rows=rows,
        **segment_filter(segment),
        sort=sort,
        sort_labels=SORT_LABELS,
        alerts=alerts.open_alerts([t.id for t in themes]),
        ideas=reads.representative_ideas(themes),
        last_fit=reads.last_fit(),
        refresh_job=refresh_job(),
        unsorted=reads.unsorted_count(),
        min_items=reads.min_items(),
        corpus_size=reads.corpus_size(),
        form=ButtonForm(),
    )


@bp.post("/refresh")
@staff_required
def refresh():
    if not ButtonForm().validate_on_submit():
        abort(400)
    record = request_refresh()
    db.session.commit()
    flash(f"Theme refresh queued (job {record.id}); progress shows below.", "success")
    return redirect(url_for("themes.index"))


@bp.route("/<int:theme_id>", methods=["GET", "POST"])
@staff_required
def show(theme_id: int):
    theme = _theme_or_404(theme_id)
    form = ThemeNameForm(obj=theme)
    if form.validate_on_submit():
        ok, _ = commit_or_show(
            form, lambda: edits.rename_theme(_user(), theme, form.name.data or "")
        )
        if ok:
            flash("Theme renamed; the name is kept when themes are refreshed.", "success")
            return redirect(url_for("themes.show", theme_id=theme.id))
    targets = reads.move_targets(theme)
    sections = reads.theme_sections(theme)
    return render_template(
        "themes/show.html",
        theme=theme,
        form=form,
        demand=demand.theme_demand([theme])[0],
        quotes=reads.representative_quotes(theme, _user()),
        sections=sections,
        # Its items' tags (staff: internal ones too), and bulk tagging beside bulk status.
        item_tags=tag_ops.tags_by_type(_user(), sections),
        tag_choices=tag_ops.all_tags(_user()),
        targets=targets,
        merge_form=ThemeTargetForm(targets, formdata=None),
        merged_into=(reads.merge_target(theme) if theme.status is ThemeStatus.merged else None),
        alerts=alerts.open_alerts([theme.id]).get(theme.id, []),
        dismiss_form=ButtonForm(),
        bulk=BulkStatusForm(formdata=None, next=url_for("themes.show", theme_id=theme.id)),
    ), 400 if form.errors else 200


@bp.post("/<int:theme_id>/merge")
@staff_required
def merge(theme_id: int):
    theme = _theme_or_404(theme_id)
    form = ThemeTargetForm(reads.move_targets(theme))
    if form.validate_on_submit():
        into = _theme_or_404(form.target.data)
        ok, _ = commit_or_show(form, lambda: edits.merge_theme(_user(), theme, into))
        if ok:
            flash(
                f"“{theme.display_name}” is merged into this theme; refreshes keep it so.",
                "success",
            )
            return redirect(url_for("themes.show", theme_id=into.id))
    _flash_errors(form)
    return redirect(url_for("themes.show", theme_id=theme.id))


@bp.post("/<int:theme_id>/items/<item_type>/<int:item_id>/move")
@staff_required
def move(theme_id: int, item_type: str, item_id: int):
    theme = _theme_or_404(theme_id)
    if item_type not in edits.ITEM_MODELS:
        abort(404)
    form = ThemeTargetForm(reads.move_targets(theme))
    if form.validate_on_submit():
        into = _theme_or_404(form.target.data)
        ok, _ = commit_or_show(form, lambda: edits.move_item(_user(), item_type, item_id, into))
        if ok:
            flash(
                f"Moved to “{into.display_name}”; refreshes leave it there.",
                "success",
            )
    _flash_errors(form)
    return redirect(url_for("themes.show", theme_id=theme.id))


@bp.post("/alerts/<int:alert_id>/dismiss")
@staff_required
def dismiss_alert(alert_id: int):
    alert = db.session.get(ThemeAlert, alert_id) or abort(404)
    if not ButtonForm().validate_on_submit():
        abort(400)
    alerts.dismiss_alert(_user(), alert)
    db.session.commit()
    flash("Alert dismissed.", "info")
    return redirect(url_for("themes.index"))
