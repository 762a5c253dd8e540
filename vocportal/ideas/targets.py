"""Expected dates: when staff expect a planned or in-progress idea, as a month or a quarter.

A period is stored as "2027-03" (March 2027) or "2027-Q2" (April to June 2027). Setting,
changing or clearing it is a small status update: on the idea's timeline and, through
`events.status_changed`, to everyone who hears about the idea, once each.
"""

from __future__ import annotations

import re
from datetime import date

from vocportal.accounts.models import User
from vocportal.errors import OperationError, PermissionDenied
from vocportal.extensions import db
from vocportal.ideas import events
from vocportal.ideas.models import Idea, IdeaStatus, StatusChange
from vocportal.markdown import render_markdown
from vocportal.timeutil import utcnow

#: The kinds an expected date belongs to.
TARGET_KINDS = (IdeaStatus.planned, IdeaStatus.in_progress)
_PERIOD = re.compile(r"^(\d{4})-(0[1-9]|1[0-2]|Q[1-4])$")
_MONTHS = "January February March April May June July August September October November December"
MONTHS = _MONTHS.split()


def valid(period: str) -> bool:
    return bool(_PERIOD.match(period)) and 2000 <= int(period[:4]) <= 2100


def label(period: str | None) -> str:
    """ "March 2027" or "Q2 2027" ("" for none)."""
    if not period or not valid(period):
        return ""
    year, part = period.split("-")
    return f"{part} {year}" if part.startswith("Q") else f"{MONTHS[int(part) - 1]} {year}"


def shown_target(idea: Idea) -> str:
    """The idea's expected date as readers see it: only while planned or in progress."""
    return label(idea.target_period) if idea.status in TARGET_KINDS else ""


def choices(today: date, current: str | None = None) -> list[tuple[str, str]]:
    """The periods staff may pick: the next 12 months and 6 quarters (and the current one)."""
    months = []
    year, month = today.year, today.month
    for _ in range(12):
        months.append(f"{year}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    quarters = []
    year, quarter = today.year, (today.month - 1) // 3 + 1
    for _ in range(6):
        quarters.append(f"{year}-Q{quarter}")
        year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
    periods = quarters + months
    if current and valid(current) and current not in periods:
        periods.insert(0, current)
    return [("", "No expected date")] + [(p, label(p)) for p in periods]


def set_target(actor: User, idea: Idea, period: str | None, note: str = "") -> StatusChange:
    """Set, change or clear (`period` empty) the expected date: staff only, on planned and
    in-progress ideas. It is published as a status update its supporters hear about."""
    if not actor.is_staff:
        raise PermissionDenied()
    period = (period or "").strip() or None
    if idea.status not in TARGET_KINDS:
        raise OperationError(
            "Only planned and in-progress ideas have an expected date.", field="period"
        )
    if period is not None and not valid(period):
        raise OperationError("Choose a month or a quarter.", field="period")
    if period == idea.target_period:
        raise OperationError("The idea already has this expected date.", field="period")
    text = f"Expected: {label(period)}." if period else "No expected date any more."
    if note.strip():
        text = f"{text}\n\n{note.strip()}"
    change = StatusChange(
        idea_id=idea.id,
        actor_id=actor.id,
        old_status=idea.status,
        new_status=idea.status,
        old_status_id=idea.status_id,
        new_status_id=idea.status_id,
        message=text,
        message_html=render_markdown(text),
    )
    db.session.add(change)
    idea.target_period = period
    idea.updated_at = utcnow()
    db.session.flush()
    events.status_changed.send(idea, actor=actor, change=change, notify=True, announcement=None)
    return change
