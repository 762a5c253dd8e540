"""View decorators for who may open a page; operations check again on every object."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import abort, current_app, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from vocportal.forms import ButtonForm

#: What an unverified person is told when they try to vote, post or comment.
VERIFY_FIRST = "Confirm your email address first."
#: What a staff member without MFA is told when REQUIRE_STAFF_MFA sends them to enrol.
ENROL_FIRST = "Turn on two-factor authentication to open staff pages."


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


def enrol_first():
    """With REQUIRE_STAFF_MFA, the response for a staff member without MFA (else None):
    pages send them to enrolment (coming back here after), JSON gets a 403."""
    if not current_app.config["REQUIRE_STAFF_MFA"] or current_user.mfa_enabled:
        return None
    if request.path.startswith("/api/") or request.is_json:
        return jsonify(error="Not allowed", detail=ENROL_FIRST), 403
    # The enrolment page says why they are there (no flash: it would say it twice).
    back = request.full_path.rstrip("?") if request.method == "GET" else None
    return redirect(url_for("accounts.mfa_setup", next=back))


def _role_required(allowed: Callable[[object], bool]):
    """A view decorator letting in only logged-in people for whom `allowed(user)` holds (a
    403 for anyone else), after MFA enrolment where REQUIRE_STAFF_MFA asks for it."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not allowed(current_user):
                abort(403)
            return enrol_first() or view(*args, **kwargs)

        return wrapped

    return decorator


#: Staff and admins only.
staff_required = _role_required(lambda user: user.is_staff)
#: Admins only.
admin_required = _role_required(lambda user: user.is_admin)
