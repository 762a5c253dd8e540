"""Finding companies by name, creating the ones not seen before (intake and imports), and
which segment a company falls in."""

from __future__ import annotations

from sqlalchemy import func, or_, select

from vocportal.companies.models import Company, Segment
from vocportal.errors import OperationError
from vocportal.extensions import db


def _clean(name: str) -> str:
    """A company name as stored: one line, single spaces, at most 160 characters."""
    return " ".join(name.split())[:160]


def company_named(name: str) -> Company:
    """The company with this name (case-insensitive), created if new."""
    name = _clean(name)
    if not name:
        raise OperationError("A company needs a name.", field="company")
    # Exact first: SQLite's lower() leaves non-ASCII letters alone ("Älvsbyhus").
    company = db.session.scalar(select(Company).where(Company.name == name)) or db.session.scalar(
        select(Company).where(func.lower(Company.name) == name.lower())
    )
    if company is None:
        company = Company(name=name, attributes={})
        db.session.add(company)
        db.session.flush()
    return company


def company_ids(names: list[str]) -> dict[str, int]:
    """lower-cased name -> company id for these names, creating companies not seen before:
    one query for those that exist, one flush for all the new ones."""
    spellings: dict[str, list[str]] = {}  # cleaned, lower-cased name -> its spellings
    for name in names:
        clean = _clean(name)
        if clean:
            spellings.setdefault(clean.lower(), []).append(clean)
    # Python lower-cases every letter; SQLite's lower() only ASCII: match either way.
    found = {
        name.lower(): company_id
        for name, company_id in db.session.execute(
            select(Company.name, Company.id).where(
                or_(
                    func.lower(Company.name).in_(list(spellings)),
                    Company.name.in_([s for group in spellings.values() for s in group]),
                )
            )
        )
    }
    # One new company per name, spelled as it first came.
    new = {key: Company(name=group[0], attributes={}) for key, group in spellings.items()}
    new = {key: company for key, company in new.items() if key not in found}
    if new:
        db.session.add_all(new.values())
        db.session.flush()
    ids = found | {key: company.id for key, company in new.items()}
    return {name.lower(): ids[_clean(name).lower()] for name in names if _clean(name)}


# --- segments ------------------------------------------------------------------------------


def matches(segment: Segment, company: Company) -> bool:
    """Whether `company` meets all of `segment`'s conditions (unset ones match all)."""
    if segment.plan and (company.plan or "").lower() != segment.plan.lower():
        return False
    if segment.tier and (company.tier or "").lower() != segment.tier.lower():
        return False
    revenue = company.monthly_revenue
    if segment.min_revenue is not None and (revenue is None or revenue < segment.min_revenue):
        return False
    return segment.max_revenue is None or (revenue is not None and revenue < segment.max_revenue)


def ordered_segments() -> list[Segment]:
    """Every segment, in the order a company is matched against them."""
    return list(db.session.scalars(select(Segment).order_by(Segment.position, Segment.id)))


def segment_of(company: Company, ordered: list[Segment]) -> Segment | None:
    """The first of `ordered` segments `company` falls in, if any."""
    return next((s for s in ordered if matches(s, company)), None)


def companies_in_segments(segment_ids) -> set[int]:
    """The ids of the companies whose segment (first match by position) is one of these."""
    wanted = set(segment_ids)
    ordered = ordered_segments()
    if not wanted or not ordered:
        return set()
    found = set()
    for company in db.session.scalars(select(Company)):
        segment = segment_of(company, ordered)
        if segment is not None and segment.id in wanted:
            found.add(company.id)
    return found
