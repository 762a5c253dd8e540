"""Finding companies by name, creating the ones not seen before (intake and imports)."""

from __future__ import annotations

from sqlalchemy import func, or_, select

from vocportal.companies.models import Company
from vocportal.errors import OperationError
from vocportal.extensions import db


def company_named(name: str) -> Company:
    """The company with this name (case-insensitive), created if new."""
    name = " ".join(name.split())[:160]
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
    """lower-cased name -> company id for these names, creating companies not seen before
    (one query for those that exist)."""
    wanted = {n.lower(): n for n in names}
    # Python lower-cases every letter; SQLite's lower() only ASCII: match either way.
    found = {
        name.lower(): company_id
        for name, company_id in db.session.execute(
            select(Company.name, Company.id).where(
                or_(
                    func.lower(Company.name).in_(list(wanted)),
                    Company.name.in_(list(wanted.values())),
                )
            )
        )
    }
    for key, name in wanted.items():
        if key not in found:
            found[key] = company_named(name).id
    return found
