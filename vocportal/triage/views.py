"""Staff triage pages: the inbox, my queue, metrics, and the one-click actions on ideas."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from vocportal.accounts.models import User
from vocportal.errors import OperationError
from vocportal.extensions import db
from vocportal.forms import attach_error, commit_or_show
from vocportal.ideas import merge as merges
from vocportal.ideas.models import Idea, IdeaStatus
from vocportal.pagination import page_of
from vocportal.permissions import staff_required
from vocportal.security import safe_next
from vocportal.triage import operations as ops
from vocportal.triage.forms import BulkStatusForm, DuplicateForm, NoteForm, OwnerForm, PostForm

#: Rows per page on the staff lists (inbox).
PER_PAGE = 50

bp = Blueprint("triage", __name__, url_prefix="/staff")


def _idea_or_404(idea_id: int) -> Idea:
    idea = db.session.get(Idea, idea_id)
    if idea is None:
        abort(404)
    return idea


def _back(form, idea: Idea | None = None):
    fallback = url_for("ideas.show", idea_id=idea.id) if idea else url_for("triage.inbox")
    return redirect(safe_next(form.next.data) or fallback)


def owner_choices() -> list[tuple[int, str]]:
    return [(0, "Nobody")] + [(u.id, u.display_name) for u in ops.staff_members()]


def owner_form(idea: Idea, choices: list[tuple[int, str]] | None = None, **kwargs) -> OwnerForm:
    form = OwnerForm(owner=idea.owner_id or 0, **kwargs)
    form.owner.choices = choices if choices is not None else owner_choices()
    return form


def _retry_page(title: str, form, idea: Idea | None, action: str):
    """Bad input: show the form again with what was typed and a message per field."""
    return render_template(
        "triage/retry.html", title=title, form=form, idea=idea, action=action
    ), 400


@bp.get("/inbox")
@staff_required
def inbox():
    page = page_of(ops.inbox_query(), request.args.get("page", 1, type=int), PER_PAGE, count=True)
    here = request.full_path.rstrip("?")
    choices = owner_choices()  # once, not once per row
    return render_template(
        "triage/inbox.html",
        ideas=page.items,
        page=page,
        total=page.total,
        bulk=BulkStatusForm(formdata=None, next=here),
        owner_forms={i.id: owner_form(i, choices, formdata=None, next=here) for i in page.items},
        post=PostForm(formdata=None, next=here),
    )


@bp.get("/mine")
@staff_required
def mine():
    rows = ops.owned_by(current_user)
    return render_template(
        "triage/mine.html",
        ideas=rows,
        bulk=BulkStatusForm(formdata=None, next=url_for("triage.mine")),
    )


@bp.get("/metrics")
@staff_required
def metrics():
    return render_template("triage/metrics.html", rows=ops.metrics())


@bp.post("/ideas/<int:idea_id>/reviewed")
@staff_required
def reviewed(idea_id: int):
    idea = _idea_or_404(idea_id)
    form = PostForm()
    if not form.validate_on_submit():
        abort(400)
    ops.mark_reviewed(current_user, idea)
    db.session.commit()
    flash(f"“{idea.title}” left the inbox.", "success")
    return _back(form, idea)


@bp.post("/ideas/<int:idea_id>/owner")
@staff_required
def set_owner(idea_id: int):
    idea = _idea_or_404(idea_id)
    form = owner_form(idea)
    if form.validate_on_submit():
        owner = db.session.get(User, form.owner.data) if form.owner.data else None
        ok, _ = commit_or_show(form, lambda: ops.assign_owner(current_user, idea, owner))
        if ok:
            flash(
                f"Owner of “{idea.title}”: {owner.display_name if owner else 'nobody'}.", "success"
            )
            return _back(form, idea)
    return _retry_page("Assign an owner", form, idea, url_for("triage.set_owner", idea_id=idea.id))


@bp.post("/ideas/<int:idea_id>/notes")
@staff_required
def add_note(idea_id: int):
    idea = _idea_or_404(idea_id)
    form = NoteForm()
    if form.validate_on_submit():
        ok, _ = commit_or_show(form, lambda: ops.add_note(current_user, idea, form.body.data))
        if ok:
            flash("Internal note added.", "success")
            return _back(form, idea)
    return _retry_page(
        "Add an internal note", form, idea, url_for("triage.add_note", idea_id=idea.id)
    )


@bp.post("/ideas/<int:idea_id>/duplicate")
@staff_required
def mark_duplicate(idea_id: int):
    idea = _idea_or_404(idea_id)
    form = DuplicateForm()
    if form.validate_on_submit():
        target = db.session.get(Idea, form.target.data)
        if target is None:
            form.target.errors = [f"There is no idea #{form.target.data}."]
        else:
            ok, _ = commit_or_show(
                form, lambda: merges.merge(current_user, idea, target, form.message.data or "")
            )
            if ok:
                flash(f"Merged into “{target.title}”; votes and followers moved.", "success")
                return _back(form, idea)
    return _retry_page(
        "Mark as duplicate", form, idea, url_for("triage.mark_duplicate", idea_id=idea.id)
    )


@bp.post("/ideas/<int:idea_id>/unmerge")
@staff_required
def unmerge(idea_id: int):
    idea = _idea_or_404(idea_id)
    form = PostForm()
    if not form.validate_on_submit():
        abort(400)
    ok, _ = commit_or_show(form, lambda: merges.unmerge(current_user, idea))
    if ok:
        flash("Unmerged: its votes and followers are back.", "success")
    else:
        flash(" ".join(form.form_errors) or "Could not unmerge.", "error")
    return _back(form, idea)


@bp.post("/bulk-status")
@staff_required
def bulk_status():
    """First a preview (what changes, how many people are told); only its Confirm acts."""
    form = BulkStatusForm()
    if form.validate_on_submit():
        status = IdeaStatus(form.status.data)
        message = form.message.data or ""
        if form.confirm.data != "1":
            try:
                preview = ops.preview_bulk_status(current_user, form.ideas.data, status, message)
            except OperationError as error:
                attach_error(form, error)
            else:
                form.confirm.data = "1"
                return render_template(
                    "triage/bulk_preview.html",
                    form=form,
                    preview=preview,
                    back=safe_next(form.next.data) or url_for("triage.inbox"),
                )
        else:
            ok, changed = commit_or_show(
                form,
                lambda: ops.bulk_change_status(current_user, form.ideas.data, status, message),
            )
            if ok:
                flash(
                    f"{len(changed)} idea{'s' if len(changed) != 1 else ''} set to "
                    f"{status.label.lower()}; their supporters are being told.",
                    "success",
                )
                return _back(form)
    return _retry_page(
        "Change the status of several ideas", form, None, url_for("triage.bulk_status")
    )
