"""Staff triage pages: the inbox, my queue, metrics, and the one-click actions on ideas."""

from __future__ import annotations

from functools import wraps

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from vocportal.accounts.models import User
from vocportal.errors import OperationError
from vocportal.extensions import db
from vocportal.forms import attach_error, commit_and_go, commit_or_show, submitted, valid_or_400
from vocportal.ideas import merge as merges
from vocportal.ideas import statuses
from vocportal.ideas.forms import idea_numbered
from vocportal.ideas.listing import idea_rows
from vocportal.ideas.models import Idea
from vocportal.pagination import page_of
from vocportal.permissions import staff_required
from vocportal.security import safe_next
from vocportal.tags import operations as tag_ops
from vocportal.tags.filters import from_args as list_filters
from vocportal.triage import operations as ops
from vocportal.triage.forms import BulkStatusForm, DuplicateForm, NoteForm, OwnerForm, PostForm
from vocportal.web import per_id_url

#: Rows per page on the staff lists (inbox).
PER_PAGE = 50

bp = Blueprint("triage", __name__, url_prefix="/staff")


def _on_idea(action: str):
    """A staff action on one idea, POSTed to /staff/ideas/<id>/<action>: the view is given
    the Idea (a 404 when there is none)."""

    def decorator(view):
        @wraps(view)
        def wrapped(idea_id: int):
            idea = db.session.get(Idea, idea_id)
            if idea is None:
                abort(404)
            return view(idea)

        return bp.post(f"/ideas/<int:idea_id>/{action}")(staff_required(wrapped))

    return decorator


def _back_url(form, idea: Idea | None = None) -> str:
    fallback = url_for("ideas.show", idea_id=idea.id) if idea else url_for("triage.inbox")
    return safe_next(form.next.data) or fallback


def owner_choices() -> list[tuple[int, str]]:
    return [(0, "Nobody")] + [(u.id, u.display_name) for u in ops.staff_members()]


def owner_form(idea: Idea, choices: list[tuple[int, str]] | None = None, **kwargs) -> OwnerForm:
    form = OwnerForm(owner=idea.owner_id or 0, **kwargs)
    form.owner.choices = choices if choices is not None else owner_choices()
    return form


def _retry_page(title: str, form, idea: Idea | None):
    """Bad input: show the form again with what was typed and a message per field; it posts
    to this same action again."""
    action = url_for(request.endpoint, **request.view_args)
    return render_template(
        "triage/retry.html", title=title, form=form, idea=idea, action=action
    ), 400


def _act(idea: Idea, form, title: str, operation, message):
    """A one-click action on `idea` with a form: done (flash `message`, a function of the
    operation's result, and go back), or the form again with what was wrong."""
    return submitted(form, operation, message, _back_url(form, idea)) or _retry_page(
        title, form, idea
    )


@bp.get("/inbox")
@staff_required
def inbox():
    # Plain rows, not Idea objects; each row's forms are plain HTML in the template, from
    # values made once per page (50 rows of WTForms fields cost most of the page's time).
    # ?tag= and ?field_<id>= (any tag, any board's field: staff): vocportal.tags.filters.
    filters = list_filters(current_user, request.args, None) or abort(404)
    inbox_query = ops.inbox_query().where(*filters.clauses(Idea.id))
    page = page_of(
        idea_rows(inbox_query, current_user),
        request.args.get("page", 1, type=int),
        PER_PAGE,
        count=inbox_query,
        rows=True,
    )
    here = request.full_path.rstrip("?")
    return render_template(
        "triage/inbox.html",
        ideas=page.items,
        page=page,
        total=page.total,
        bulk=BulkStatusForm(formdata=None, next=here),
        owners=owner_choices(),
        here=here,
        idea_urls={name: per_id_url(endpoint) for name, endpoint in _ROW_ENDPOINTS.items()},
        filters=filters,
        tag_choices=filters.tags,
        row_tags=tag_ops.tags_of_ideas(current_user, [i.id for i in page.items]),
    )


#: The per-idea addresses each inbox row links or posts to, made once per page as
#: `str.format` patterns ("{0}": the idea's id).
_ROW_ENDPOINTS = {
    "show": "ideas.show",
    "owner": "triage.set_owner",
    "reviewed": "triage.reviewed",
    "duplicate": "triage.mark_duplicate",
    "notes": "triage.add_note",
}


@bp.get("/mine")
@staff_required
def mine():
    rows = ops.owned_by(current_user)
    return render_template(
        "triage/mine.html",
        ideas=rows,
        bulk=BulkStatusForm(formdata=None, next=url_for("triage.mine")),
        tag_choices=tag_ops.all_tags(current_user),
    )


@bp.get("/metrics")
@staff_required
def metrics():
    return render_template("triage/metrics.html", rows=ops.metrics())


@_on_idea("reviewed")
def reviewed(idea: Idea):
    form = valid_or_400(PostForm())
    ops.mark_reviewed(current_user, idea)
    return commit_and_go(f"“{idea.title}” left the inbox.", _back_url(form, idea))


@_on_idea("owner")
def set_owner(idea: Idea):
    form = owner_form(idea)

    def assign():
        owner = db.session.get(User, form.owner.data) if form.owner.data else None
        ops.assign_owner(current_user, idea, owner)
        return owner

    return _act(
        idea,
        form,
        "Assign an owner",
        assign,
        lambda owner: f"Owner of “{idea.title}”: {owner.display_name if owner else 'nobody'}.",
    )


@_on_idea("notes")
def add_note(idea: Idea):
    form = NoteForm()
    return _act(
        idea,
        form,
        "Add an internal note",
        lambda: ops.add_note(current_user, idea, form.body.data),
        "Internal note added.",
    )


@_on_idea("duplicate")
def mark_duplicate(idea: Idea):
    form = DuplicateForm()

    def merge():
        target = idea_numbered(form.target)
        merges.merge(current_user, idea, target, form.message.data or "")
        return target

    return _act(
        idea,
        form,
        "Mark as duplicate",
        merge,
        lambda target: f"Merged into “{target.title}”; votes and followers moved.",
    )


@_on_idea("unmerge")
def unmerge(idea: Idea):
    form = valid_or_400(PostForm())
    ok, _ = commit_or_show(form, lambda: merges.unmerge(current_user, idea))
    if ok:
        flash("Unmerged: its votes and followers are back.", "success")
    else:
        flash(" ".join(form.form_errors) or "Could not unmerge.", "error")
    return redirect(_back_url(form, idea))


@bp.post("/bulk-status")
@staff_required
def bulk_status():
    """First a preview (what changes, how many people are told); only its Confirm acts."""
    form = BulkStatusForm()
    if form.validate_on_submit():
        status, status_id = form.chosen()
        message = form.message.data or ""
        if form.confirm.data != "1":
            try:
                preview = ops.preview_bulk_status(
                    current_user, form.ideas.data, status, message, status_id=status_id
                )
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
                lambda: ops.bulk_change_status(
                    current_user, form.ideas.data, status, message, status_id=status_id
                ),
            )
            if ok:
                flash(
                    f"{len(changed)} idea{'s' if len(changed) != 1 else ''} set to "
                    f"{statuses.shown(status, status_id, staff=True).name.lower()}; their "
                    "supporters are being told.",
                    "success",
                )
                return redirect(_back_url(form))
    return _retry_page("Change the status of several ideas", form, None)
