"""My activity: one page with every section, and one page per section to see it all."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_login import current_user, login_required

from vocportal.activity import operations as ops

bp = Blueprint("activity", __name__, url_prefix="/me")

#: Entries per section on the overview, and per page on a section's own page.
OVERVIEW_SIZE = 5
PER_PAGE = 20


@bp.get("/activity")
@login_required
def index():
    return render_template(
        "activity/index.html",
        sections=ops.SECTIONS,
        pages=ops.overview(current_user, OVERVIEW_SIZE),
    )


@bp.get("/activity/<section>")
@login_required
def section(section: str):
    if section not in ops.SECTIONS:
        abort(404)
    page = ops.section_page(current_user, section, request.args.get("page", 1, type=int), PER_PAGE)
    return render_template(
        "activity/section.html",
        section=section,
        heading=ops.SECTIONS[section],
        sections=ops.SECTIONS,
        page=page,
    )
