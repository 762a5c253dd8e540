"""Privacy pages: a person's download and account deletion, an admin's export and erasure."""

from __future__ import annotations

import json

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    session,
    url_for,
)
from flask_login import current_user, login_required, logout_user

from vocportal.accounts import throttle
from vocportal.accounts.models import User
from vocportal.errors import OperationError
from vocportal.extensions import db
from vocportal.forms import ButtonForm, attach_error
from vocportal.permissions import admin_required
from vocportal.privacy import erasure
from vocportal.privacy import operations as ops
from vocportal.privacy.forms import DeleteAccountForm, EraseForm
from vocportal.ratelimits import post_limit
from vocportal.timeutil import utcnow

bp = Blueprint("privacy", __name__)


def _download(data: dict, name: str) -> Response:
    body = json.dumps(data, ensure_ascii=False, indent=2)
    return Response(
        body,
        mimetype="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


def _filename(user_id: int) -> str:
    return f"personal-data-{user_id}-{utcnow():%Y-%m-%d}.json"


def _refusal(actor: User, person: User) -> str | None:
    """Why `actor` may not erase `person` (shown instead of the form), or None."""
    try:
        erasure.check(actor, person)
    except OperationError as error:
        return error.message
    return None


def _render_account(form: DeleteAccountForm, status: int = 200):
    user = current_user._get_current_object()
    return render_template(
        "privacy/account.html",
        export_form=ButtonForm(formdata=None),
        form=form,
        refusal=_refusal(user, user),
        sso=ops.has_sso(user),
        minutes=int(ops.RECENT_SIGN_IN.total_seconds() // 60),
    ), status


@bp.get("/account/privacy")
@login_required
def account():
    """Your data: download it, or delete your account."""
    return _render_account(DeleteAccountForm(formdata=None))


@bp.post("/account/privacy/export")
@login_required
def export():
    if not ButtonForm().validate_on_submit():
        abort(400)
    user = current_user._get_current_object()
    data = ops.export(user, user, current_app.config["PORTAL_NAME"])
    db.session.commit()
    return _download(data, _filename(user.id))


@bp.post("/account/privacy/delete")
@login_required
@post_limit("LIMIT_LOGIN")  # it checks the password: as guessable as a login
@throttle.mfa_limit
def delete_account():
    user = current_user._get_current_object()
    form = DeleteAccountForm()
    if form.validate_on_submit():
        try:
            ops.delete_own_account(
                user, form.confirm_email.data, form.password.data or "", form.code.data or ""
            )
        except OperationError as error:
            db.session.rollback()
            attach_error(form, error)
            if error.field == "code":
                throttle.note_mfa_failure()
        else:
            db.session.commit()
            logout_user()
            session.clear()
            flash("Your account is deleted, and your name and email with it.", "success")
            return redirect(url_for("ideas.index"))
    return _render_account(form, 400)


def _person(user_id: int) -> User:
    return db.session.get(User, user_id) or abort(404)


def _render_erase(person: User, form: EraseForm, status: int = 200):
    refusal = _refusal(current_user._get_current_object(), person)
    return render_template(
        "privacy/erase.html",
        person=person,
        plan=erasure.plan(person) if refusal is None else None,
        refusal=refusal,
        form=form,
        export_form=ButtonForm(formdata=None),
    ), status


@bp.get("/admin/people/<int:user_id>/erase")
@admin_required
def erase(user_id: int):
    """The confirmation: what an erasure of this person will change."""
    return _render_erase(_person(user_id), EraseForm(formdata=None))


@bp.post("/admin/people/<int:user_id>/erase")
@admin_required
def erase_confirmed(user_id: int):
    person = _person(user_id)
    form = EraseForm()
    if form.validate_on_submit():
        try:
            ops.erase_by_admin(current_user._get_current_object(), person, form.confirm_email.data)
        except OperationError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(
                f"Person #{user_id} is erased: they read \u201cdeleted user\u201d now.", "success"
            )
            return redirect(url_for("admin.users"))
    return _render_erase(person, form, 400)


@bp.post("/admin/people/<int:user_id>/export")
@admin_required
def export_person(user_id: int):
    """Everything kept about a person or a contact, for an admin answering their request."""
    person = _person(user_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    data = ops.export(current_user._get_current_object(), person, current_app.config["PORTAL_NAME"])
    db.session.commit()
    return _download(data, _filename(person.id))
