"""The JSON API's blueprint, what every request to it goes through, and the helpers its
views share (who may call, documented errors, paging links, the idea in the URL).

The views are by resource: `idea_views` (ideas, votes, comments, status updates) and
`staff_views` (themes, companies, feedback); `views.register_api` serves them.
"""

from __future__ import annotations

from functools import wraps

from flask import abort, current_app, g, request, url_for
from flask_smorest import Blueprint

from vocportal.api.auth import api_user, check_access, rate_key, rate_limit
from vocportal.api.errors import API_PREFIX, ErrorSchema, register_api_errors
from vocportal.extensions import csrf, db, limiter
from vocportal.ideas import operations as ideas
from vocportal.ideas import support
from vocportal.request_guard import allow_body

bp = Blueprint(
    "api",
    __name__,
    url_prefix=API_PREFIX,
    description="Ideas, votes, comments, status updates, themes, companies and feedback.",
)
register_api_errors(bp)
# Bodies up to API_MAX_BODY_BYTES (a bulk import of 1,000 items), not the web's limit.
allow_body("API_MAX_BODY_BYTES")(bp)

# Every API request counts against its caller's allowance: per token, or per address for
# anonymous readers (a smaller one).
limiter.limit(rate_limit, key_func=rate_key)(bp)


def action_limit(setting: str, scope: str | None = None):
    """The web's limit for an action (posting, commenting, voting), per token."""
    value = lambda: current_app.config[setting]  # noqa: E731
    if scope:
        return limiter.shared_limit(value, scope=scope, key_func=rate_key)
    return limiter.limit(value, key_func=rate_key)


vote_limit = action_limit("LIMIT_VOTE", scope="api-vote")

_SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


@bp.before_request
def _before_api_request():
    # A browser sending the portal's cookies (a cross-site form, say) but no token: refuse
    # it as the web would refuse a form without its CSRF token. Cookies never authenticate
    # the API anyway: such a request that does carry a valid CSRF token still gets a 401.
    if request.method not in _SAFE_METHODS and "Authorization" not in request.headers:
        cookies = {current_app.config["SESSION_COOKIE_NAME"], "remember_token"}
        if cookies & set(request.cookies):
            csrf.protect()


@bp.after_request
def _after_api_request(response):
    # Reads change nothing but the token's "last used": the request's one commit (writes
    # committed in the view already, so this one has nothing left to do).
    if response.status_code < 400 and g.get("api_caller") and g.api_caller.token is not None:
        db.session.commit()
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def error_response(status: int, description: str):
    """Document an error answer of the endpoint (its status and when it comes)."""
    return bp.alt_response(status, schema=ErrorSchema, description=description)


def access(*, write: bool = False, staff: bool = False, anonymous: bool = False):
    """Who may call the endpoint: checked before its input is read; documented."""

    def decorator(func):
        @wraps(func)
        def wrapper(*args, **kwargs):
            check_access(write=write, staff=staff, anonymous=anonymous)
            return func(*args, **kwargs)

        security = [{"bearerAuth": []}, {}] if anonymous else [{"bearerAuth": []}]
        wrapper = bp.doc(security=security)(wrapper)
        wrapper = error_response(
            401,
            "No token (where one is needed), or a token that is unknown, revoked, or whose "
            "owner is blocked.",
        )(wrapper)
        if write or staff:
            forbidden = "A read-only token, or a customer's token on a staff endpoint."
            wrapper = error_response(403, forbidden)(wrapper)
        return error_response(429, "Too many requests: see the Retry-After header.")(wrapper)

    return decorator


def next_link(page, **args) -> str | None:
    """The URL of the page after `page`, with the same query arguments (None: last page)."""
    if not page.has_next:
        return None
    args = {k: v for k, v in args.items() if v not in (None, "")}
    return url_for(request.endpoint, **args, page=page.next_num, per_page=page.per_page)


def idea_or_404(idea_id: int):
    """The idea in the URL, if the caller may see it; else a 404."""
    idea = ideas.get_idea_for(api_user(), idea_id)
    if idea is None:
        abort(404, "No idea with this id (or not one you may see).")
    return idea


def note_votes(idea_list) -> None:
    """Which of these ideas the caller voted for (one query), for the `voted` field."""
    g.api_voted = support.voted_idea_ids(api_user(), [i.id for i in idea_list])
