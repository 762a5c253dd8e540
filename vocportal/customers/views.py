"""Staff pages: companies, segments and weights, weighted demand, customer memory, exports."""

from __future__ import annotations

import csv
import io
import json

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from vocportal.accounts.models import User
from vocportal.audit import operations as audit_ops
from vocportal.companies.models import Company
from vocportal.customers import operations as ops
from vocportal.customers import timeline as memory
from vocportal.customers.forms import (
    CompanyForm,
    PersonCompanyForm,
    SegmentForm,
    format_attributes,
    parse_attributes,
    segment_arg,
    segment_filter,
)
from vocportal.customers.models import Segment
from vocportal.extensions import db
from vocportal.feedback.models import FeedbackItem
from vocportal.forms import ButtonForm, commit_and_go, field_values, submitted, valid_or_400
from vocportal.ideas.models import Idea, Vote
from vocportal.permissions import staff_required
from vocportal.spreadsheets import spreadsheet_safe
from vocportal.tags import exports as tag_exports

bp = Blueprint("customers", __name__, url_prefix="/staff")

#: Ideas per page on the demand list.
PER_PAGE = 50


#: A company's fields the form edits as they are (its attributes are edited as text).
_COMPANY_FIELDS = ("name", "plan", "tier", "monthly_revenue", "external_id")


def _company_kwargs(form: CompanyForm) -> dict:
    return {
        **field_values(form, *_COMPANY_FIELDS),
        "attributes": parse_attributes(form.attributes.data),
    }


@bp.route("/companies", methods=["GET", "POST"])
@staff_required
def companies():
    form = CompanyForm()
    added = submitted(
        form,
        lambda: ops.save_company(current_user, None, **_company_kwargs(form)),
        lambda company: f"Company {company.name} added.",
        lambda company: url_for("customers.company", company_id=company.id),
    )
    if added:
        return added
    weights = ops.weights()
    return render_template(
        "customers/companies.html", companies=ops.companies(), weights=weights, form=form
    ), 400 if form.errors else 200


@bp.route("/companies/<int:company_id>", methods=["GET", "POST"])
@staff_required
def company(company_id: int):
    company = db.session.get(Company, company_id) or abort(404)
    # Not obj=company: its attributes are a dict, and the form edits them as text (a field
    # missing from a POST keeps the company's value).
    form = CompanyForm(
        data={
            **{name: getattr(company, name) for name in _COMPANY_FIELDS},
            "attributes": format_attributes(company.attributes),
        }
    )
    saved = submitted(
        form,
        lambda: ops.save_company(current_user, company, **_company_kwargs(form)),
        "Saved.",
        url_for("customers.company", company_id=company.id),
    )
    if saved:
        return saved
    people = list(db.session.scalars(select(User).where(User.company_id == company.id)))
    return render_template(
        "customers/company.html",
        company=company,
        form=form,
        people=people,
        segment=ops.weights().segment_of.get(company.id),
        entries=memory.timeline([p.id for p in people]),
    ), 400 if form.errors else 200


@bp.route("/people/<int:user_id>", methods=["GET", "POST"])
@staff_required
def person(user_id: int):
    person = db.session.get(User, user_id) or abort(404)
    form = PersonCompanyForm(company=person.company_id or 0)
    form.company.choices = [(0, "No company")] + [(c.id, c.name) for c in ops.companies()]
    if form.validate_on_submit():
        chosen = db.session.get(Company, form.company.data) if form.company.data else None
        ops.set_company(current_user, person, chosen)
        db.session.commit()
        flash("Company saved.", "success")
        return redirect(url_for("customers.person", user_id=person.id))
    return render_template(
        "customers/person.html",
        person=person,
        form=form,
        company=db.session.get(Company, person.company_id) if person.company_id else None,
        segment=ops.weights().segment_of.get(person.company_id),
        entries=memory.timeline([person.id]),
    )


@bp.route("/segments", methods=["GET", "POST"])
@staff_required
def segments():
    form = SegmentForm()
    saved = submitted(
        form,
        lambda: ops.save_segment(
            current_user,
            None,
            **field_values(form, "name", "weight", "plan", "tier", "min_revenue", "max_revenue"),
            position=form.position.data or 0,
        ),
        "Segment saved.",
        url_for("customers.segments"),
    )
    if saved:
        return saved
    w = ops.weights()
    counts: dict[int, int] = {}
    for segment in w.segment_of.values():
        counts[segment.id] = counts.get(segment.id, 0) + 1
    return render_template(
        "customers/segments.html",
        segments=ops.segments(),
        counts=counts,
        form=form,
        post=ButtonForm(formdata=None),
    ), 400 if form.errors else 200


@bp.post("/segments/<int:segment_id>/delete")
@staff_required
def delete_segment(segment_id: int):
    segment = db.session.get(Segment, segment_id) or abort(404)
    valid_or_400()
    ops.delete_segment(current_user, segment)
    return commit_and_go("Segment deleted.", url_for("customers.segments"))


@bp.get("/demand")
@staff_required
def demand():
    """Ideas ranked by demand, raw or weighted, optionally only one segment's."""
    segment = segment_arg()
    weighted = request.args.get("weighted", "1") == "1"
    page = ops.ranked_page(
        segment, weighted=weighted, page=request.args.get("page", 1, type=int), per_page=PER_PAGE
    )
    return render_template(
        "customers/demand.html",
        page=page,
        weighted=weighted,
        **segment_filter(segment),
    )


# --- exports ---------------------------------------------------------------------------------


def _ideas_rows(segment: Segment | None):
    ideas = list(db.session.scalars(select(Idea).order_by(Idea.id)))
    figures = ops.demand([i.id for i in ideas], segment.id if segment else None)
    tagged = tag_exports.idea_columns(i.id for i in ideas)  # tags and custom fields
    for idea in ideas:
        d = figures.get(idea.id, ops.IdeaDemand())
        if segment is not None and not d.in_segment:
            continue
        yield {
            "id": idea.id,
            "title": idea.title,
            "board": idea.board.name,
            "status": idea.status.value,
            "votes": idea.vote_count,
            "supporters": d.supporters,
            "weighted_demand": round(d.weighted, 3),
            "companies": d.companies,
            **({f"supporters_in_{segment.name}": d.in_segment} if segment else {}),
            "author_email": idea.author.email,
            "created_at": idea.created_at.isoformat(),
            "duplicate_of": idea.duplicate_of_id,
            **tagged(idea.id),
        }


def _votes_rows(only: Segment | None):
    w = ops.weights()
    for vote, email, company_id in db.session.execute(
        select(Vote, User.email, User.company_id)
        .join(User, User.id == Vote.user_id)
        .order_by(Vote.id)
    ):
        segment = w.segment_of.get(company_id)
        if only is not None and (segment is None or segment.id != only.id):
            continue
        yield {
            "idea_id": vote.idea_id,
            "email": email,
            "company_id": company_id,
            "segment": segment.name if segment else "",
            "weight": w.company_weight(company_id),
            "voted_at": vote.created_at.isoformat(),
        }


def _feedback_rows(only: Segment | None):
    w = ops.weights()
    items = list(db.session.scalars(select(FeedbackItem).order_by(FeedbackItem.id)))
    tagged = tag_exports.feedback_columns(i.id for i in items)
    for item in items:
        segment = w.segment_of.get(item.company_id)
        if only is not None and (segment is None or segment.id != only.id):
            continue
        yield {
            "id": item.id,
            "text": item.text,
            "source": item.source.value,
            "email": item.author.email,
            "company_id": item.company_id,
            "segment": segment.name if segment else "",
            "weight": w.company_weight(item.company_id),
            "received_at": item.received_at.isoformat(),
            "idea_id": item.idea_id,
            **tagged(item.id),
        }


EXPORTS = {"ideas": _ideas_rows, "votes": _votes_rows, "feedback": _feedback_rows}


@bp.get("/export/<what>.<fmt>")
@staff_required
def export(what: str, fmt: str):
    rows_of = EXPORTS.get(what)
    if rows_of is None or fmt not in ("csv", "json"):
        abort(404)
    segment = segment_arg()  # ?segment=ID: only that segment's demand
    rows = list(rows_of(segment))
    audit_ops.record(
        current_user,
        "data.exported",
        target_type="segment" if segment else "",
        target_id=segment.id if segment else None,
        summary=f"{what.capitalize()} exported as {fmt.upper()} ({len(rows)} rows)",
        details={"what": what, "format": fmt, "rows": len(rows)},
    )
    db.session.commit()
    headers = {"Content-Disposition": f'attachment; filename="{what}.{fmt}"'}
    if fmt == "json":
        return Response(
            json.dumps(rows, ensure_ascii=False), mimetype="application/json", headers=headers
        )
    out = io.StringIO()
    if rows:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        for row in rows:
            writer.writerow({k: spreadsheet_safe(v) for k, v in row.items()})
    return Response(out.getvalue(), mimetype="text/csv", headers=headers)
