"""The JSON API's staff resources: themes, companies and feedback."""

from __future__ import annotations

from flask import abort

from vocportal.api import operations as api_ops
from vocportal.api import schemas as s
from vocportal.api.auth import api_user
from vocportal.api.blueprint import access, bp, error_response, next_link
from vocportal.extensions import db
from vocportal.pagination import page_of
from vocportal.themes import demand, reads
from vocportal.themes.models import Theme

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
@error_response(404, "No such theme.")
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
        "next": next_link(page, q=args["q"]),
    }


@bp.route("/companies/<int:company_id>", methods=["GET"], tags=["Companies"])
@access(staff=True)
@bp.response(200, s.CompanySchema)
@error_response(404, "No such company.")
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
@error_response(422, "Invalid input (text, email, ...).")
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
