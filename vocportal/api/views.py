"""The JSON API under /api/v1: thin views over the operations the web uses.

Each view checks who calls (a bearer token or nobody), validates its input with a schema,
calls one operation and commits once; flask-smorest turns the schemas and decorators into
the OpenAPI document served at /api/v1/openapi.json.
"""

from __future__ import annotations

from functools import wraps

from flask import Flask, abort, current_app, g, request, url_for
from flask_smorest import Api, Blueprint

from vocportal.api import operations as api_ops
from vocportal.api import schemas as s
from vocportal.api.auth import api_user, check_access, rate_key, rate_limit
from vocportal.api.errors import API_PREFIX, ErrorSchema, register_api_errors
from vocportal.errors import OperationError
from vocportal.extensions import csrf, db, limiter
from vocportal.ideas import operations as ideas
from vocportal.pagination import page_of
from vocportal.request_guard import allow_body
from vocportal.themes import demand, reads
from vocportal.themes.models import Theme

API_VERSION = "1.0"

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


def _action_limit(setting: str, scope: str | None = None):
    """The web's limit for an action (posting, commenting, voting), per token."""
    value = lambda: current_app.config[setting]  # noqa: E731
    if scope:
        return limiter.shared_limit(value, scope=scope, key_func=rate_key)
    return limiter.limit(value, key_func=rate_key)


_vote_limit = _action_limit("LIMIT_VOTE", scope="api-vote")

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


def _error(status: int, description: str):
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
        wrapper = _error(
            401,
            "No token (where one is needed), or a token that is unknown, revoked, or whose "
            "owner is blocked.",
        )(wrapper)
        if write or staff:
            forbidden = "A read-only token, or a customer's token on a staff endpoint."
            wrapper = _error(403, forbidden)(wrapper)
        return _error(429, "Too many requests: see the Retry-After header.")(wrapper)

    return decorator


def _next_link(page, **args) -> str | None:
    if not page.has_next:
        return None
    args = {k: v for k, v in args.items() if v not in (None, "")}
    return url_for(request.endpoint, **args, page=page.next_num, per_page=page.per_page)


def _idea_or_404(idea_id: int):
    idea = ideas.get_idea_for(api_user(), idea_id)
    if idea is None:
        abort(404, "No idea with this id (or not one you may see).")
    return idea


def _note_votes(idea_list) -> None:
    """Which of these ideas the caller voted for (one query), for the `voted` field."""
    g.api_voted = ideas.voted_idea_ids(api_user(), [i.id for i in idea_list])


# --- ideas ---------------------------------------------------------------------------------


@bp.route("/ideas", methods=["GET"], tags=["Ideas"])
@access(anonymous=True)
@bp.arguments(s.IdeaListArgs, location="query")
@bp.response(200, s.IdeaPageSchema)
def list_ideas(args):
    """List ideas on the public board

    The board's filters and sorts: `board` (slug), `status`, `sort` (trending, top, new) and
    `q` (search, ranked by relevance). Hidden and withdrawn ideas are never listed.
    """
    board = None
    if args.get("board"):
        board = ideas.board_by_slug(args["board"])
        if board is None:
            raise OperationError("No board with this slug.", field="board")
    status = args.get("status")
    query = ideas.IdeaQuery(sort=args["sort"], status=status, board=board, q=args["q"])
    page = page_of(ideas.idea_listing(query), args["page"], args["per_page"])
    _note_votes(page.items)
    return {
        "items": page.items,
        "page": page.page,
        "per_page": page.per_page,
        "next": _next_link(
            page,
            board=args.get("board"),
            status=status.value if status else None,
            sort=args["sort"],
            q=args["q"],
        ),
    }


@bp.route("/ideas", methods=["POST"], tags=["Ideas"])
@_action_limit("LIMIT_POST")
@access(write=True)
@bp.arguments(s.IdeaInSchema)
@bp.response(201, s.IdeaSchema)
@_error(422, "Invalid input, an unknown or archived board.")
def create_idea(data):
    """Post an idea

    The token's owner is its author, votes for it and follows it.
    """
    board = ideas.board_by_slug(data["board"])
    if board is None:
        raise OperationError("No board with this slug.", field="board")
    idea = ideas.create_idea(api_user(), board, data["title"], data["body"])
    db.session.commit()
    _note_votes([idea])
    return idea, 201, {"Location": url_for("api.get_idea", idea_id=idea.id)}


@bp.route("/ideas/<int:idea_id>", methods=["GET"], tags=["Ideas"])
@access(anonymous=True)
@bp.response(200, s.IdeaSchema)
@_error(404, "No such idea, or one the caller may not see.")
def get_idea(idea_id: int):
    """Get an idea"""
    idea = _idea_or_404(idea_id)
    _note_votes([idea])
    return idea


# --- votes ---------------------------------------------------------------------------------


@bp.route("/ideas/<int:idea_id>/vote", methods=["POST"], tags=["Votes"])
@_vote_limit
@access(write=True)
@bp.response(200, s.VoteSchema)
@_error(404, "No such idea.")
@_error(409, "The idea is closed (shipped, declined or merged): it takes no votes.")
def vote(idea_id: int):
    """Vote for an idea (and follow it)"""
    idea = _idea_or_404(idea_id)
    changed = ideas.vote(api_user(), idea)
    db.session.commit()
    return {"idea_id": idea.id, "voted": True, "changed": changed, "vote_count": idea.vote_count}


@bp.route("/ideas/<int:idea_id>/vote", methods=["DELETE"], tags=["Votes"])
@_vote_limit
@access(write=True)
@bp.response(200, s.VoteSchema)
@_error(404, "No such idea.")
def unvote(idea_id: int):
    """Take back a vote"""
    idea = _idea_or_404(idea_id)
    changed = ideas.unvote(api_user(), idea)
    db.session.commit()
    return {"idea_id": idea.id, "voted": False, "changed": changed, "vote_count": idea.vote_count}


# --- comments ------------------------------------------------------------------------------


@bp.route("/ideas/<int:idea_id>/comments", methods=["GET"], tags=["Comments"])
@access(anonymous=True)
@bp.response(200, s.CommentListSchema)
@_error(404, "No such idea.")
def list_comments(idea_id: int):
    """List an idea's comments, oldest first"""
    idea = _idea_or_404(idea_id)
    return {"items": ideas.visible_comments(api_user(), idea)}


@bp.route("/ideas/<int:idea_id>/comments", methods=["POST"], tags=["Comments"])
@_action_limit("LIMIT_COMMENT")
@access(write=True)
@bp.arguments(s.CommentInSchema)
@bp.response(201, s.CommentSchema)
@_error(404, "No such idea.")
def add_comment(data, idea_id: int):
    """Comment on an idea

    Staff may mark the comment as the official response (`official`); a customer's token
    that asks for it gets 403.
    """
    idea = _idea_or_404(idea_id)
    comment = ideas.add_comment(api_user(), idea, data["body"], official=data["official"])
    db.session.commit()
    return comment


# --- status updates (staff) ----------------------------------------------------------------


@bp.route("/ideas/<int:idea_id>/status", methods=["POST"], tags=["Status updates"])
@access(write=True, staff=True)
@bp.arguments(s.StatusInSchema)
@bp.response(201, s.StatusChangeSchema)
@_error(404, "No such idea.")
@_error(422, "Invalid input, or a status the idea cannot take this way.")
def change_status(data, idea_id: int):
    """Publish a status update (staff)

    Sets the status and posts the message on the idea's timeline; supporters are notified.
    """
    idea = _idea_or_404(idea_id)
    change = ideas.change_status(api_user(), idea, data["status"], data["message"])
    db.session.commit()
    return change


# --- themes (staff) ------------------------------------------------------------------------


@bp.route("/themes", methods=["GET"], tags=["Themes"])
@access(staff=True)
@bp.arguments(s.ThemeListArgs, location="query")
@bp.response(200, s.ThemeListSchema)
def list_themes(args):
    """List active themes ranked by demand (staff)"""
    rows = demand.ranked(demand.theme_demand(reads.active_themes()), args["sort"])
    return {"items": rows}


@bp.route("/themes/<int:theme_id>", methods=["GET"], tags=["Themes"])
@access(staff=True)
@bp.response(200, s.ThemeDetailSchema)
@_error(404, "No such theme.")
def get_theme(theme_id: int):
    """Get a theme, its demand and its most voted ideas (staff)"""
    theme = db.session.get(Theme, theme_id)
    if theme is None:
        abort(404, "No theme with this id.")
    return {"demand": demand.theme_demand([theme])[0], "ideas": reads.theme_ideas(theme, limit=50)}


# --- companies (staff) ---------------------------------------------------------------------


@bp.route("/companies", methods=["GET"], tags=["Companies"])
@access(staff=True)
@bp.arguments(s.CompanyListArgs, location="query")
@bp.response(200, s.CompanyPageSchema)
def list_companies(args):
    """List companies by name (staff)"""
    stmt = api_ops.company_listing(api_user(), args["q"])
    page = page_of(stmt, args["page"], args["per_page"])
    return {
        "items": page.items,
        "page": page.page,
        "per_page": page.per_page,
        "next": _next_link(page, q=args["q"]),
    }


@bp.route("/companies/<int:company_id>", methods=["GET"], tags=["Companies"])
@access(staff=True)
@bp.response(200, s.CompanySchema)
@_error(404, "No such company.")
def get_company(company_id: int):
    """Get a company (staff)"""
    company = api_ops.get_company(api_user(), company_id)
    if company is None:
        abort(404, "No company with this id.")
    return company


# --- feedback (staff) ----------------------------------------------------------------------


@bp.route("/feedback", methods=["POST"], tags=["Feedback"])
@access(write=True, staff=True)
@bp.arguments(s.FeedbackInSchema)
@bp.response(201, s.FeedbackSchema, description="Stored.")
@bp.alt_response(
    200, schema=s.FeedbackSchema, success=True, description="Already stored (same id)."
)
@_error(422, "Invalid input (text, email, ...).")
def create_feedback(data):
    """Send one piece of customer feedback (staff)

    The same `source` and `external_id` twice is stored once: retrying is safe.
    """
    item, created = api_ops.add_feedback(api_user(), **data)
    db.session.commit()
    return item, 201 if created else 200


@bp.route("/feedback/bulk", methods=["POST"], tags=["Feedback"])
@access(write=True, staff=True)
@bp.arguments(s.FeedbackBulkInSchema)
@bp.response(200, s.FeedbackBulkSchema)
def bulk_feedback(data):
    """Send up to 1,000 pieces of feedback at once (staff)

    Each item is stored or refused on its own: `results` says, by index, what happened to
    each (created, existing or error, with the error), and the valid items are stored even
    when others are not.
    """
    result = api_ops.import_feedback(api_user(), data["items"])
    db.session.commit()
    return result


# --- wiring --------------------------------------------------------------------------------


class PortalApi(Api):
    """flask-smorest's Api with the portal's error shape, answering only for the API."""

    ERROR_SCHEMA = ErrorSchema

    def _register_error_handlers(self):
        # The API blueprint answers its own errors (vocportal.api.errors); the rest of the
        # portal keeps its HTML error pages.
        pass


def register_api(app: Flask) -> PortalApi:
    """Serve the API on `app` and build its OpenAPI document."""
    api = PortalApi(
        app,
        spec_kwargs={
            "title": f"{app.config['PORTAL_NAME']} API",
            "version": API_VERSION,
            "openapi_version": "3.0.3",
            "info": {
                "description": (
                    "Ideas, votes, comments, status updates, themes, companies and feedback. "
                    "Authenticate with a personal token from your profile "
                    "(`Authorization: Bearer vp_...`). Anonymous callers may read public "
                    "ideas and comments. Errors answer "
                    '`{"error": {"status", "message", "fields"}}`.'
                )
            },
        },
    )
    api.spec.components.security_scheme(
        "bearerAuth",
        {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API token (`vp_...`), read or read+write scope.",
        },
    )
    api.register_blueprint(bp)
    app.extensions["vocportal_api"] = api
    return api
