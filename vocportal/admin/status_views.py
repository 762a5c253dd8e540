"""Admin pages for custom statuses: list, add, edit, reorder and delete
(the rules are in `vocportal.ideas.statuses`)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import func, or_, select
from wtforms import BooleanField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from vocportal.admin.views import _apply, bp
from vocportal.audit import operations as audit_ops
from vocportal.extensions import db
from vocportal.forms import ButtonForm, commit_or_show, one_line
from vocportal.ideas import statuses
from vocportal.ideas.models import STATUS_COLOURS, Idea, IdeaStatus, Status, StatusChange
from vocportal.permissions import admin_required


class StatusAdminForm(FlaskForm):
    name = StringField(
        "Name",
        validators=[DataRequired(message="Give the status a name."), one_line, Length(max=40)],
    )
    kind = SelectField(
        "Kind (what it means: roadmap column, voting, outcome)",
        choices=[SelectChoice(k.value, k.label) for k in statuses.KINDS],
        validators=[DataRequired()],
    )
    colour = RadioField(
        "Colour",
        choices=[SelectChoice(c, c.capitalize()) for c in STATUS_COLOURS],
        validators=[DataRequired(message="Choose a colour.")],
    )
    description = TextAreaField("Description (shown as the badge's tooltip)", [Length(max=500)])
    is_public = BooleanField("Public (customers see it; otherwise they see the kind's default)")


def _save(status: Status | None, form: StatusAdminForm) -> Status:
    """Add (status=None) or change a status from the form; the audit log records it."""
    actor = current_user._get_current_object()
    saved = statuses.save_status(
        actor,
        status,
        name=form.name.data or "",
        kind=IdeaStatus(form.kind.data),
        colour=form.colour.data,
        description=form.description.data or "",
        is_public=bool(form.is_public.data),
    )
    audit_ops.record(
        actor,
        "settings.changed",
        target_type="status",
        target_id=saved.id,
        summary=f"Status {saved.name} {'created' if status is None else 'changed'}",
        details={"name": saved.name, "kind": saved.kind.value, "public": saved.is_public},
    )
    return saved


def _uses() -> dict[int, int]:
    """How many ideas show each status now (to staff): those that chose it, and for each
    kind's default, the ideas of that kind that chose none."""
    chosen = db.session.execute(
        select(Idea.status_id, Idea.status, func.count()).group_by(Idea.status_id, Idea.status)
    )
    counts: dict[int, int] = {}
    for status_id, kind, n in chosen:
        if kind is IdeaStatus.duplicate:
            continue
        shown = statuses.shown(kind, status_id, staff=True)
        if shown.id is not None:
            counts[shown.id] = counts.get(shown.id, 0) + n
    return counts


def _in_history() -> set[int]:
    rows = db.session.scalars(
        select(Status.id).where(
            select(StatusChange.id)
            .where(
                or_(
                    StatusChange.old_status_id == Status.id,
                    StatusChange.new_status_id == Status.id,
                )
            )
            .exists()
        )
    )
    return set(rows)


def _render_list(form: StatusAdminForm, code: int = 200):
    rows = list(db.session.scalars(select(Status).order_by(Status.position, Status.id)))
    return render_template(
        "admin/statuses.html",
        rows=rows,
        form=form,
        uses=_uses(),
        per_kind={k: sum(1 for r in rows if r.kind is k) for k in statuses.KINDS},
        in_history=_in_history(),
        defaults={k: statuses.default_of(k).id for k in statuses.KINDS},
        button=ButtonForm(formdata=None),
    ), code


@bp.route("/statuses", methods=["GET", "POST"])
@admin_required
def statuses_page():
    form = StatusAdminForm()
    if form.validate_on_submit():
        ok, saved = commit_or_show(form, lambda: _save(None, form))
        if ok:
            flash(f"Status “{saved.name}” added.", "success")
            return redirect(url_for("admin.statuses_page"))
    elif not form.is_submitted():
        form = StatusAdminForm(formdata=None, colour="grey", is_public=True)
    return _render_list(form, 400 if form.errors else 200)


@bp.route("/statuses/<int:status_id>", methods=["GET", "POST"])
@admin_required
def edit_status(status_id: int):
    status = db.session.get(Status, status_id) or abort(404)
    form = StatusAdminForm(obj=status, kind=status.kind.value)
    if form.validate_on_submit():
        ok, _ = commit_or_show(form, lambda: _save(status, form))
        if ok:
            flash(f"Status “{status.name}” saved.", "success")
            return redirect(url_for("admin.statuses_page"))
    code = 400 if form.errors else 200
    return render_template("admin/status_form.html", form=form, status=status), code


@bp.post("/statuses/<int:status_id>/move")
@admin_required
def move_status(status_id: int):
    status = db.session.get(Status, status_id) or abort(404)
    if ButtonForm().validate_on_submit():
        step = -1 if request.form.get("direction") == "up" else 1
        _apply(
            lambda: statuses.move_status(current_user._get_current_object(), status, step),
            f"“{status.name}” moved {'up' if step < 0 else 'down'}.",
        )
    return redirect(url_for("admin.statuses_page") + f"#status-{status_id}")


@bp.post("/statuses/<int:status_id>/delete")
@admin_required
def delete_status(status_id: int):
    status = db.session.get(Status, status_id) or abort(404)
    if ButtonForm().validate_on_submit():
        name = status.name
        actor = current_user._get_current_object()

        def delete():
            statuses.delete_status(actor, status)
            audit_ops.record(
                actor,
                "settings.changed",
                target_type="status",
                target_id=status_id,
                summary=f"Status {name} deleted",
                details={"name": name},
            )

        _apply(delete, f"Status “{name}” deleted.")
    return redirect(url_for("admin.statuses_page"))
