"""Admin pages: people (roles, blocks) and boards."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from vocportal.accounts import mfa
from vocportal.accounts import operations as account_ops
from vocportal.accounts.models import Role, User
from vocportal.admin.forms import BoardForm, UserAdminForm
from vocportal.audit import operations as audit_ops
from vocportal.errors import OperationError
from vocportal.extensions import db
from vocportal.forms import ButtonForm, submitted
from vocportal.ideas import boards as board_ops
from vocportal.ideas.models import Board
from vocportal.permissions import admin_required

bp = Blueprint("admin", __name__, url_prefix="/admin")

#: Characters of a people search that are used (longer than any email address).
MAX_SEARCH = 320


@bp.get("/users")
@admin_required
def users():
    # A search longer than any email or name finds nothing anyway; SQLite refuses LIKE
    # patterns over 50,000 bytes, so the search is cut to a length that can match.
    q = request.args.get("q", "").strip().lower()[:MAX_SEARCH]
    stmt = select(User).order_by(User.created_at.desc())
    if q:
        # % and _ are searched for as themselves, not as LIKE wildcards.
        stmt = stmt.where(
            User.email.contains(q, autoescape=True)
            | User.display_name.icontains(q, autoescape=True)
        )
    page = db.paginate(
        stmt, page=min(request.args.get("page", 1, type=int), 10_000), per_page=50, error_out=False
    )
    forms = {
        u.id: UserAdminForm(formdata=None, role=u.role.value, blocked=u.blocked) for u in page.items
    }
    return render_template(
        "admin/users.html", page=page, forms=forms, q=q, reset_form=ButtonForm(formdata=None)
    )


@bp.post("/users/<int:user_id>")
@admin_required
def update_user(user_id: int):
    user = db.session.get(User, user_id) or abort(404)
    form = UserAdminForm()
    if form.validate_on_submit():
        actor = current_user._get_current_object()

        def update():
            if Role(form.role.data) is not user.role:
                account_ops.set_role(actor, user, Role(form.role.data))
            if bool(form.blocked.data) != user.blocked:
                account_ops.set_blocked(actor, user, bool(form.blocked.data))

        _apply(update, f"{user.email} updated.")
    return redirect(url_for("admin.users"))


def _apply(operation, message: str) -> None:
    """Run an admin action and commit, then say `message`; if a rule refuses it, roll back
    and say why."""
    try:
        operation()
    except OperationError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(message, "success")


@bp.post("/users/<int:user_id>/mfa-reset")
@admin_required
def reset_mfa(user_id: int):
    """Turn off another person's two-factor authentication (a lost phone); it is logged."""
    user = db.session.get(User, user_id) or abort(404)
    if ButtonForm().validate_on_submit():
        _apply(
            lambda: mfa.reset_by_admin(current_user._get_current_object(), user),
            f"Two-factor authentication of {user.email} is reset; they enrol again.",
        )
    return redirect(url_for("admin.users"))


def _save_board(board: Board | None, form: BoardForm) -> Board:
    """Create (board=None) or change a board from the form; the audit log records it."""
    actor = current_user._get_current_object()
    values = (form.name.data, form.description.data or "", bool(form.archived.data))
    saved = board_ops.save_board(actor, board, *values, vote_budget=form.vote_budget.data)
    audit_ops.record(
        actor,
        "settings.changed",
        target_type="board",
        target_id=saved.id,
        summary=f"Board {saved.name} {'created' if board is None else 'changed'}",
        details={
            "name": saved.name,
            "archived": saved.archived,
            "vote_budget": saved.vote_budget,
        },
    )
    return saved


@bp.route("/boards", methods=["GET", "POST"])
@admin_required
def boards():
    form = BoardForm()
    created = submitted(
        form, lambda: _save_board(None, form), "Board created.", url_for("admin.boards")
    )
    if created:
        return created
    return render_template(
        "admin/boards.html", boards=board_ops.boards(include_archived=True), form=form
    ), 400 if form.errors else 200


@bp.route("/boards/<int:board_id>", methods=["GET", "POST"])
@admin_required
def edit_board(board_id: int):
    board = db.session.get(Board, board_id) or abort(404)
    form = BoardForm(obj=board)
    if form.validate_on_submit():
        _save_board(board, form)
        db.session.commit()
        flash("Board saved.", "success")
        return redirect(url_for("admin.boards"))
    return render_template("admin/board_form.html", form=form, board=board), (
        400 if form.errors else 200
    )


import vocportal.admin.board_audience  # noqa: E402, F401  (its routes join bp)
import vocportal.admin.status_views  # noqa: E402, F401  (its routes join bp)
from vocportal.admin import tag_views  # noqa: E402, F401  (its routes join bp)
