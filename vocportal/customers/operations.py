"""Companies, segments and weighted demand: "all customers are equal, some more than others"."""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func, select

from vocportal import audience
from vocportal.accounts.models import User
from vocportal.companies.models import Company
from vocportal.companies.operations import ordered_segments, segment_of
from vocportal.customers.models import Segment
from vocportal.errors import OperationError, PermissionDenied
from vocportal.extensions import db
from vocportal.feedback.operations import contact_for
from vocportal.pagination import Page
from vocportal.spreadsheets import NOT_UTF8, csv_header, csv_records, undecodable
from vocportal.timeutil import utcnow


def _require_staff(actor: User) -> None:
    if not actor.is_staff:
        raise PermissionDenied()


def save_company(
    actor: User | None,
    company: Company | None,
    *,
    name: str,
    plan: str | None = None,
    tier: str | None = None,
    monthly_revenue: float | None = None,
    external_id: str | None = None,
    attributes: dict | None = None,
) -> Company:
    """Create or update a company (staff, or an import run by an operator: actor None)."""
    if actor is not None:
        _require_staff(actor)
    name = " ".join((name or "").split())[:160]
    if not name:
        raise OperationError("A company needs a name.", field="name")
    clash = db.session.scalar(select(Company).where(func.lower(Company.name) == name.lower()))
    if clash is not None and (company is None or clash.id != company.id):
        raise OperationError("Another company has this name.", field="name")
    external_id = (external_id or "").strip() or None
    if external_id is not None:
        clash = db.session.scalar(select(Company).where(Company.external_id == external_id))
        if clash is not None and (company is None or clash.id != company.id):
            raise OperationError(
                f"Another company ({clash.name}) has this CRM id.", field="external_id"
            )
    if monthly_revenue is not None and monthly_revenue < 0:
        raise OperationError("Revenue cannot be negative.", field="monthly_revenue")
    if company is None:
        company = Company(name=name, attributes={})
        db.session.add(company)
    company.name = name
    company.plan = (plan or "").strip() or None
    company.tier = (tier or "").strip() or None
    company.monthly_revenue = monthly_revenue
    company.external_id = external_id
    if attributes is not None:
        company.attributes = {
            str(k)[:60]: str(v)[:200] for k, v in attributes.items() if str(k).strip()
        }
    company.updated_at = utcnow()
    db.session.flush()
    return company


def set_company(actor: User, person: User, company: Company | None) -> None:
    _require_staff(actor)
    person.company_id = company.id if company else None
    db.session.flush()


def companies(limit: int = 500) -> list[Company]:
    return list(db.session.scalars(select(Company).order_by(Company.name).limit(limit)))


# --- segments ------------------------------------------------------------------------------


def segments() -> list[Segment]:
    return ordered_segments()


def save_segment(
    actor: User,
    segment: Segment | None,
    *,
    name: str,
    weight: float,
    plan: str | None = None,
    tier: str | None = None,
    min_revenue: float | None = None,
    max_revenue: float | None = None,
    position: int = 0,
) -> Segment:
    _require_staff(actor)
    name = " ".join((name or "").split())
    if not name:
        raise OperationError("A segment needs a name.", field="name")
    if not (0 <= weight <= 1000):
        raise OperationError("Use a weight between 0 and 1000.", field="weight")
    if min_revenue is not None and max_revenue is not None and min_revenue >= max_revenue:
        raise OperationError(
            "The band's lower end must be below its upper end.", field="max_revenue"
        )
    clash = db.session.scalar(select(Segment).where(func.lower(Segment.name) == name.lower()))
    if clash is not None and (segment is None or clash.id != segment.id):
        raise OperationError("Another segment has this name.", field="name")
    if segment is None:
        segment = Segment()
        db.session.add(segment)
    segment.name = name[:80]
    segment.weight = float(weight)
    segment.plan = (plan or "").strip() or None
    segment.tier = (tier or "").strip() or None
    segment.min_revenue = min_revenue
    segment.max_revenue = max_revenue
    segment.position = position
    db.session.flush()
    return segment


def delete_segment(actor: User, segment: Segment) -> None:
    _require_staff(actor)
    db.session.delete(segment)
    db.session.flush()


@dataclass
class Weights:
    """Which segment each company is in and what a person from it weighs."""

    segment_of: dict[int, Segment]

    def company_weight(self, company_id: int | None) -> float:
        segment = self.segment_of.get(company_id) if company_id is not None else None
        return segment.weight if segment is not None else 1.0

    def in_segment(self, company_id: int | None, segment_id: int) -> bool:
        segment = self.segment_of.get(company_id) if company_id is not None else None
        return segment is not None and segment.id == segment_id


def weights() -> Weights:
    """The segment of every company (first matching segment by position)."""
    ordered = segments()
    found = {}
    if ordered:
        for company in db.session.scalars(select(Company)):
            segment = segment_of(company, ordered)
            if segment is not None:
                found[company.id] = segment
    return Weights(found)


# --- demand ---------------------------------------------------------------------------------


def supporter_rows(idea_ids: list[int]):
    """(idea_id, user_id, company_id) for each person asking for those ideas, once per
    idea: demand as `vocportal.audience` defines it (author, voters, linked feedback)."""
    if not idea_ids:
        return []
    pairs = audience.demand_pairs(idea_ids).subquery()
    return db.session.execute(
        select(pairs.c.idea_id, pairs.c.user_id, User.company_id).join(
            User, User.id == pairs.c.user_id
        )
    ).all()


@dataclass
class IdeaDemand:
    """Who asks for one idea: supporters, their weighted sum, companies (themes have their
    own `themes.demand.Demand`)."""

    supporters: int = 0
    weighted: float = 0.0
    companies: int = 0
    #: Supporters in the chosen segment (when filtering by one).
    in_segment: int = 0


def demand(idea_ids: list[int], segment_id: int | None = None) -> dict[int, IdeaDemand]:
    """Raw and weighted demand per idea (and supporters in one segment)."""
    w = weights()
    result: dict[int, IdeaDemand] = defaultdict(IdeaDemand)
    companies: dict[int, set] = defaultdict(set)
    for idea_id, _user_id, company_id in supporter_rows(idea_ids):
        d = result[idea_id]
        d.supporters += 1
        d.weighted += w.company_weight(company_id)
        if company_id is not None:
            companies[idea_id].add(company_id)
        if segment_id is not None and w.in_segment(company_id, segment_id):
            d.in_segment += 1
    for idea_id, ids in companies.items():
        result[idea_id].companies = len(ids)
    return dict(result)


@dataclass
class Asker:
    """Supporters of one idea from one company (or with none), for the idea's staff panel."""

    company: Company | None
    segment: Segment | None
    weight: float
    people: list[User]


def who_is_asking(idea_id: int) -> list[Asker]:
    """The idea's supporters grouped by company, heaviest first."""
    rows = supporter_rows([idea_id])
    w = weights()
    people = {
        u.id: u for u in db.session.scalars(select(User).where(User.id.in_([r[1] for r in rows])))
    }
    companies = {
        c.id: c
        for c in db.session.scalars(
            select(Company).where(Company.id.in_({r[2] for r in rows if r[2] is not None}))
        )
    }
    groups: dict[int | None, list[User]] = defaultdict(list)
    for _idea_id, user_id, company_id in rows:
        groups[company_id].append(people[user_id])
    askers = [
        Asker(
            companies.get(company_id),
            w.segment_of.get(company_id) if company_id is not None else None,
            w.company_weight(company_id),
            sorted(members, key=lambda u: u.display_name),
        )
        for company_id, members in groups.items()
    ]
    askers.sort(
        key=lambda a: (
            -a.weight * len(a.people),
            a.company is None,
            a.company.name if a.company else "",
        )
    )
    return askers


def _ranked(segment: Segment | None, weighted: bool) -> list[tuple[int, IdeaDemand]]:
    """(idea id, IdeaDemand) for every live public idea, best first (ids only: no idea rows)."""
    from vocportal.ideas.models import Idea

    ids = list(
        db.session.scalars(
            select(Idea.id).where(
                Idea.withdrawn_at.is_(None),
                Idea.hidden_at.is_(None),
                Idea.moderation.is_(None),
                Idea.duplicate_of_id.is_(None),
            )
        )
    )
    figures = demand(ids, segment.id if segment else None)
    rows = [(i, figures.get(i, IdeaDemand())) for i in ids]
    if segment is not None:
        rows = [r for r in rows if r[1].in_segment]
        rows.sort(key=lambda r: (-r[1].in_segment, -r[1].weighted, r[0]))
    elif weighted:
        rows.sort(key=lambda r: (-r[1].weighted, -r[1].supporters, r[0]))
    else:
        rows.sort(key=lambda r: (-r[1].supporters, -r[1].weighted, r[0]))
    return rows


def _with_ideas(rows: list[tuple[int, IdeaDemand]]) -> list[tuple]:
    from vocportal.ideas.models import Idea

    ideas = {
        i.id: i for i in db.session.scalars(select(Idea).where(Idea.id.in_([r[0] for r in rows])))
    }
    return [(ideas[i], d) for i, d in rows if i in ideas]


def ranked_page(
    segment: Segment | None = None, *, weighted: bool = True, page: int = 1, per_page: int = 50
) -> Page:
    """One page of live ideas by weighted or raw supporters (or only those with supporters
    in `segment`, by how many), with the total count; only that page's ideas are loaded.

    Ranking needs every idea's demand, so that is computed for all (ids and supporter rows
    only); the idea rows are read for the page alone."""
    rows = _ranked(segment, weighted)
    page = max(1, min(page, 10_000))
    start = (page - 1) * per_page
    return Page(
        items=_with_ideas(rows[start : start + per_page]),
        page=page,
        per_page=per_page,
        has_next=len(rows) > start + per_page,
        total=len(rows),
    )


def demand_of(askers: list[Asker]) -> IdeaDemand:
    """An idea's raw and weighted demand from its `who_is_asking` groups (no new queries)."""
    return IdeaDemand(
        supporters=sum(len(a.people) for a in askers),
        weighted=sum(a.weight * len(a.people) for a in askers),
        companies=sum(1 for a in askers if a.company is not None),
    )


COMPANY_COLUMNS = ("name", "plan", "tier", "monthly_revenue", "id", "people")


def import_companies(lines) -> tuple[int, int, list[tuple[int, str]]]:
    """Create or update companies from CSV lines; return (created, updated, errors by line).

    Columns: `name` (required), `plan`, `tier`, `monthly_revenue`, `id` (the CRM's id: a
    company with that id is updated, even if renamed), `people` (emails separated by `;`:
    those people, accounts or contacts, are put in the company); any other column becomes a
    custom attribute. A bad row is reported with its line and the rest imports.
    """
    reader = csv.DictReader(lines)
    errors: list[tuple[int, str]] = []
    headers = csv_header(reader, errors)
    if headers is None:
        return 0, 0, errors
    if "name" not in headers:
        return 0, 0, [(1, "the header has no name column")]
    created = updated = 0
    for line, row in csv_records(reader, errors):
        values = {k: (row.get(original) or "").strip() for k, original in headers.items()}
        if any(undecodable(v) for v in values.values()):
            errors.append((line, NOT_UTF8))
            continue
        try:
            with db.session.begin_nested():
                revenue = values.get("monthly_revenue") or None
                try:
                    revenue = float(revenue) if revenue is not None else None
                except ValueError:
                    raise OperationError(f"monthly_revenue {revenue!r} is not a number") from None
                existing = None
                if values.get("id"):
                    existing = db.session.scalar(
                        select(Company).where(Company.external_id == values["id"])
                    )
                if existing is None and values.get("name"):
                    existing = db.session.scalar(
                        select(Company).where(Company.name == " ".join(values["name"].split()))
                    )
                company = save_company(
                    None,
                    existing,
                    name=values.get("name", ""),
                    plan=values.get("plan"),
                    tier=values.get("tier"),
                    monthly_revenue=revenue,
                    external_id=values.get("id") or (existing.external_id if existing else None),
                    attributes={
                        **((existing.attributes or {}) if existing else {}),
                        **{k: v for k, v in values.items() if k not in COMPANY_COLUMNS and v},
                    },
                )
                for email in filter(None, (e.strip() for e in values.get("people", "").split(";"))):
                    contact_for(email).company_id = company.id
        except OperationError as error:
            errors.append((line, error.message))
            continue
        if existing is None:
            created += 1
        else:
            updated += 1
    db.session.flush()
    return created, updated, errors
