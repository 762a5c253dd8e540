"""A comment's own pages: editing it (its author or staff) and staff moderation (hide, show,
mark official)."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask_login import login_required

from vocportal.extensions import db
from vocportal.forms import ButtonForm
from vocportal.ideas import commenting
from vocportal.ideas import operations as ops
from vocportal.ideas.blueprint import author_or_staff, back_to, bp, current_person, flash_at
from vocportal.ideas.forms import CommentForm
from vocportal.ideas.models import Comment


def _comment_or_404(comment_id: int) -> Comment:
    comment = db.session.get(Comment, comment_id)
    if comment is None or not ops.can_see_comment(current_person(), comment):
        abort(404)
    return comment


@bp.route("/comments/<int:comment_id>/edit", methods=["GET", "POST"])
@login_required
def edit_comment(comment_id: int):
    comment = _comment_or_404(comment_id)
    user = author_or_staff(comment.author_id)
    if comment.hidden_at is not None and not user.is_staff:
        abort(403, commenting.HIDDEN_COMMENT_LOCKED)
    form = CommentForm(obj=comment)
    if form.validate_on_submit():
        commenting.edit_comment(user, comment, form.body.data)
        db.session.commit()
        flash_at(f"c{comment.id}", "Comment updated.")
        return back_to(comment.idea_id, f"c{comment.id}")
    return render_template("ideas/comment_form.html", form=form, comment=comment), (
        400 if form.errors else 200
    )


@bp.post("/comments/<int:comment_id>/moderate")
@login_required
def moderate_comment(comment_id: int):
    comment = _comment_or_404(comment_id)
    if ButtonForm().validate_on_submit():
        action = request.form.get("action")
        if action in {"hide", "show"}:
            commenting.set_comment_hidden(current_person(), comment, action == "hide")
        elif action in {"official", "unofficial"}:
            commenting.set_comment_official(current_person(), comment, action == "official")
        else:
            abort(400)
        db.session.commit()
    return redirect(url_for("ideas.show", idea_id=comment.idea_id) + f"#c{comment.id}")
