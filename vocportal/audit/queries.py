"""Reading the audit log: the admin page's filters, and its rows as CSV."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import Select, select

from vocportal.audit.models import AuditEntry
from vocportal.extensions import db

#: The CSV's columns, in order.
CSV_COLUMNS = (
    "id",
    "at",
    "actor_id",
    "actor_email",
    "actor_name",
    "action",
    "target_type",
    "target_id",
    "summary",
    "details",
    "origin",
    "ip",
    "user_agent",
)


@dataclass(frozen=True)
class AuditFilters:
    """What the admin page narrows the log to; empty fields do not filter."""

    #: Part of the actor's email or name, or their id.
    actor: str = ""
    #: An action code (see `operations.ACTIONS`).
    action: str = ""
    target_type: str = ""
    target_id: int | None = None
    #: First and last day (UTC) to include.
    date_from: date | None = None
    date_to: date | None = None

    def as_details(self) -> dict:
        """The filters in use, as JSON-ready values (for the export's own audit entry)."""
        return {k: str(v) for k, v in asdict(self).items() if v not in ("", None)}


def filtered(filters: AuditFilters) -> Select:
    """Entries matching `filters`, newest first."""
    stmt = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    actor = filters.actor.strip()
    if actor.isdigit():
        stmt = stmt.where(AuditEntry.actor_id == int(actor))
    elif actor:
        stmt = stmt.where(
            AuditEntry.actor_email.icontains(actor, autoescape=True)
            | AuditEntry.actor_name.icontains(actor, autoescape=True)
        )
    if filters.action:
        stmt = stmt.where(AuditEntry.action == filters.action)
    if filters.target_type:
        stmt = stmt.where(AuditEntry.target_type == filters.target_type)
    if filters.target_id is not None:
        stmt = stmt.where(AuditEntry.target_id == filters.target_id)
    if filters.date_from:
        stmt = stmt.where(AuditEntry.at >= datetime.combine(filters.date_from, time.min))
    if filters.date_to:
        end = datetime.combine(filters.date_to + timedelta(days=1), time.min)
        stmt = stmt.where(AuditEntry.at < end)
    return stmt


def target_types() -> list[str]:
    """The kinds of target the log holds entries about, for the filter."""
    return sorted(
        db.session.scalars(
            select(AuditEntry.target_type).where(AuditEntry.target_type != "").distinct()
        )
    )


def rows(entries: Iterable[AuditEntry]) -> Iterator[list]:
    """Each entry's cells, in `CSV_COLUMNS` order (details as JSON)."""
    for entry in entries:
        values = {
            **{name: getattr(entry, name) for name in CSV_COLUMNS},
            "at": entry.at.isoformat(sep=" ", timespec="seconds"),
            "details": json.dumps(entry.details, ensure_ascii=False, sort_keys=True),
        }
        yield [values[name] for name in CSV_COLUMNS]


def stream(filters: AuditFilters) -> Iterator[AuditEntry]:
    """Every entry matching `filters`, read from the database in batches."""
    yield from db.session.scalars(filtered(filters).execution_options(yield_per=500))
