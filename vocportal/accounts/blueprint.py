"""The accounts blueprint, the hook it registers for the whole app, and the start of a
logged-in session; its pages are in `login_views` (getting in) and `profile_views` (an
account's own pages)."""

from __future__ import annotations

from flask import Blueprint, current_app, request, session
from flask_login import current_user, login_user

from vocportal.permissions import enrol_first

bp = Blueprint("accounts", __name__)

#: Where a staff member without MFA may still go when REQUIRE_STAFF_MFA holds them back:
#: their own account pages (enrolment, logout), static files, and the API and single
#: sign-on, which check for themselves.
_OPEN_TO_UNENROLLED = ("accounts.", "api.", "sso.")


@bp.before_app_request
def _staff_enrol_first():
    """With REQUIRE_STAFF_MFA, a staff member or admin without MFA is sent to enrolment from
    every page but their account's: staff pages, and the staff panels of public pages."""
    endpoint = request.endpoint or ""
    if endpoint == "static" or endpoint.startswith(_OPEN_TO_UNENROLLED):
        return None
    if not current_app.config["REQUIRE_STAFF_MFA"] or not current_user.is_authenticated:
        return None
    if not current_user.is_staff:
        return None
    return enrol_first()


def start_session(user, remember: bool = False) -> None:
    """A fresh session at login: nothing from before login carries over."""
    session.clear()
    login_user(user, remember=remember)
