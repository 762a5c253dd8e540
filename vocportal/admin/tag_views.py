"""Admin pages for tags (staff make them) and each board's custom fields (admins define them)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from vocportal.admin.views import bp
from vocportal.audit import operations as audit_ops
from vocportal.errors import OperationError
from vocportal.extensions import db
from vocportal.forms import ButtonForm, commit_and_go, submitted, valid_or_400
from vocportal.ideas.models import Board, Idea
from vocportal.permissions import admin_required, staff_required
from vocportal.security import safe_next
from vocportal.tags import fields
from vocportal.tags import operations as tags
from vocportal.tags.forms import (
    BoardFieldForm,
    IdeaTagsForm,
    TagFeedbackForm,
    TagForm,
    TagIdeasForm,
)
from vocportal.tags.models import BoardField, Tag


def _actor():
    return current_user._get_current_object()


def _audit(target_type: str, target_id: int, summary: str, **details) -> None:
    audit_ops.record(
        _actor(),
        "settings.changed",
        target_type=target_type,
        target_id=target_id,
        summary=summary,
        details=details,
    )


def _save_tag(tag: Tag | None, form: TagForm) -> Tag:
    """Create (tag=None) or change a tag from the form; the audit log records it."""
    saved = tags.save_tag(_actor(), tag, form.name.data, form.colour.data or "", form.public.data)
    verb = "created" if tag is None else "changed"
    _audit("tag", saved.id, f"Tag {saved.name} {verb}", name=saved.name, public=saved.public)
    return saved


def _add_field(board: Board, form: BoardFieldForm) -> BoardField:
    """Define a field on `board` from the form; the audit log records it."""
    added = fields.add_field(
        _actor(),
        board.id,
        form.label.data,
        form.kind.data,
        form.choices.data or "",
        form.required.data,
        form.public.data,
    )
    summary = f"Field {added.label} added to board {board.name}"
    _audit("board_field", added.id, summary, board_id=board.id, kind=added.kind.value)
    return added


@bp.route("/tags", methods=["GET", "POST"])
@staff_required
def tags_page():
    form = TagForm()
    done = submitted(
        form,
        lambda: _save_tag(None, form),
        lambda tag: f"Tag {tag.name} created.",
        url_for("admin.tags_page"),
    )
    if done:
        return done
    return render_template(
        "admin/tags.html", tags=tags.all_tags(_actor()), form=form, delete_form=ButtonForm()
    ), 400 if form.errors else 200


@bp.route("/tags/<int:tag_id>", methods=["GET", "POST"])
@staff_required
def edit_tag(tag_id: int):
    tag = db.session.get(Tag, tag_id) or abort(404)
    form = TagForm(obj=tag)
    done = submitted(form, lambda: _save_tag(tag, form), "Tag saved.", url_for("admin.tags_page"))
    if done:
        return done
    return render_template("admin/tag_form.html", form=form, tag=tag), (400 if form.errors else 200)


@bp.post("/tags/<int:tag_id>/delete")
@staff_required
def delete_tag(tag_id: int):
    tag = db.session.get(Tag, tag_id) or abort(404)
    valid_or_400()
    name = tag.name
    _audit("tag", tag.id, f"Tag {name} deleted", name=name)
    tags.delete_tag(_actor(), tag)
    return commit_and_go(f"Tag {name} deleted.", url_for("admin.tags_page"))


@bp.route("/boards/<int:board_id>/fields", methods=["GET", "POST"])
@admin_required
def board_fields(board_id: int):
    board = db.session.get(Board, board_id) or abort(404)
    form = BoardFieldForm()
    here = url_for("admin.board_fields", board_id=board.id)
    done = submitted(
        form,
        lambda: _add_field(board, form),
        lambda added: f"Field {added.label} added.",
        here,
    )
    if done:
        return done
    return render_template(
        "admin/board_fields.html",
        board=board,
        fields=fields.board_fields([board.id], staff_view=True),
        form=form,
        delete_form=ButtonForm(),
    ), 400 if form.errors else 200


@bp.post("/fields/<int:field_id>/delete")
@admin_required
def delete_field(field_id: int):
    definition = db.session.get(BoardField, field_id) or abort(404)
    valid_or_400()
    board_id, label = definition.board_id, definition.label
    _audit("board_field", definition.id, f"Field {label} deleted", board_id=board_id)
    fields.delete_field(_actor(), definition)
    return commit_and_go(
        f"Field {label} deleted, with its answers.",
        url_for("admin.board_fields", board_id=board_id),
    )


@bp.post("/ideas/<int:idea_id>/tags")
@staff_required
def idea_tags(idea_id: int):
    """Set an idea's tags (from its page)."""
    idea = db.session.get(Idea, idea_id) or abort(404)
    form = valid_or_400(IdeaTagsForm())
    try:
        tags.set_idea_tags(_actor(), idea.id, form.tags.data or [])
    except OperationError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("ideas.show", idea_id=idea.id))
    return commit_and_go("Tags saved.", url_for("ideas.show", idea_id=idea.id) + "#idea")


def _bulk(form, operation, items: str, fallback: str):
    """Tag (or untag) the ticked rows and go back to the list, saying what changed."""
    back = safe_next(form.next.data) or fallback
    if not form.validate_on_submit():
        flash("Tick at least one item and one tag.", "error")
        return redirect(back)
    adding = form.action.data != "remove"
    try:
        changed = operation(_actor(), form[items].data or [], form.tags.data or [], adding)
    except OperationError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(back)
    word = "added" if adding else "removed"
    return commit_and_go(f"{changed} tag{'s' if changed != 1 else ''} {word}.", back)


@bp.post("/bulk-tags/ideas")
@staff_required
def bulk_tag_ideas():
    return _bulk(TagIdeasForm(), tags.tag_ideas, "ideas", url_for("triage.inbox"))


@bp.post("/bulk-tags/feedback")
@staff_required
def bulk_tag_feedback():
    return _bulk(TagFeedbackForm(), tags.tag_feedback, "items", url_for("feedback.index"))
