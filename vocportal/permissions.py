"""View decorators for who may open a page; operations check again on every object."""

from __future__ import annotations

from functools import wraps

from flask import abort, jsonify, render_template, request
from flask_login import current_user, login_required

from vocportal.accounts.email_forms import ButtonForm

#: What an unverified person is told when they try to vote, post or comment.
VERIFY_FIRST = "Confirm your email address first."


def verified_required(view):
    """Let only people who proved their email address in (vote, post, comment): anyone else
    gets a 403 saying so, with a button that sends a new confirmation link."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_verified:
            if request.path.startswith("/api/") or request.is_json:
                return jsonify(error="Not allowed", detail=VERIFY_FIRST), 403
            return render_template(
                "accounts/verify_first.html", message=VERIFY_FIRST, form=ButtonForm(formdata=None)
            ), 403
        return view(*args, **kwargs)

    return wrapped


def staff_required(view):
    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_staff:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def admin_required(view):
    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapped
