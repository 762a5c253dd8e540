"""The staff moderation queue: held and flagged posts, approve or reject with a reason."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from vocportal.errors import OperationError
from vocportal.extensions import db
from vocportal.forms import ButtonForm, commit_and_go, submitted, valid_or_400
from vocportal.ideas.blueprint import current_person
from vocportal.moderation import operations as ops
from vocportal.moderation.forms import RejectForm
from vocportal.pagination import page_of
from vocportal.permissions import staff_required

#: Posts per page in the queue.
PER_PAGE = 30

bp = Blueprint("moderation", __name__, url_prefix="/staff/moderation")


def _review_or_404(review_id: int):
    return ops.review_for_staff(current_person(), review_id) or abort(404)


def _render(reject_forms=None, code: int = 200):
    page = page_of(ops.queue(current_person()), request.args.get("page", 1, type=int), PER_PAGE)
    forms = {r.id: RejectForm(formdata=None) for r in page.items}
    forms.update(reject_forms or {})
    return render_template(
        "moderation/queue.html",
        page=page,
        reviews=page.items,
        reject_forms=forms,
        approve_form=ButtonForm(formdata=None),
        waiting=ops.waiting_count(),
    ), code


@bp.app_template_global()
def moderation_reason(post) -> str:
    """Why staff rejected `post`, for its author and staff (templates/moderation/_marks.html)."""
    return ops.rejection_reason(current_person(), post)


@bp.get("/")
@staff_required
def queue():
    return _render()


@bp.post("/<int:review_id>/approve")
@staff_required
def approve(review_id: int):
    review = _review_or_404(review_id)
    valid_or_400()
    try:
        ops.approve(current_person(), review)
    except OperationError as error:  # already decided, or a comment on a held idea
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("moderation.queue"))
    return commit_and_go(
        f"Approved: {review.target_type} #{review.target_id}.", url_for("moderation.queue")
    )


@bp.post("/<int:review_id>/reject")
@staff_required
def reject(review_id: int):
    review = _review_or_404(review_id)
    form = RejectForm()
    done = submitted(
        form,
        lambda: ops.reject(current_person(), review, form.reason.data),
        f"Rejected: {review.target_type} #{review.target_id}; its author is told why.",
        url_for("moderation.queue"),
    )
    return done or _render({review.id: form}, 400)
