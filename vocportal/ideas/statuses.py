"""Custom statuses: what admins call each step, on top of the built-in kinds.

An idea's `status` stays the built-in kind (`IdeaStatus`): it alone decides the roadmap
column, whether voting is closed, the outcome metrics, changelog shipping and the API's
`status`. `Idea.status_id` adds which of the admins' statuses of that kind it shows; NULL
(or a row of another kind, when code set the kind alone) shows the kind's default: its
first public status in order. Customers never see a status that is not public: they see
the kind's default public status instead, or the built-in label when the kind has none.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import g, has_app_context, has_request_context
from sqlalchemy import func, or_, select

from vocportal.accounts.models import User
from vocportal.errors import OperationError, PermissionDenied
from vocportal.extensions import db
from vocportal.ideas.models import STATUS_COLOURS, Idea, IdeaStatus, Status, StatusChange

#: The kinds a custom status may have (a duplicate is a merge, not a status staff pick).
KINDS = tuple(k for k in IdeaStatus if k is not IdeaStatus.duplicate)

#: Each kind's built-in colour: the default rows have it, and so does the built-in label.
KIND_COLOURS = {
    IdeaStatus.open: "grey",
    IdeaStatus.under_review: "orange",
    IdeaStatus.planned: "blue",
    IdeaStatus.in_progress: "purple",
    IdeaStatus.shipped: "green",
    IdeaStatus.declined: "red",
    IdeaStatus.duplicate: "grey",
}


@dataclass(frozen=True)
class Shown:
    """A status as someone sees it: the kind it means, and its name and colour."""

    kind: IdeaStatus
    name: str
    colour: str
    description: str = ""
    id: int | None = None
    position: int = 0
    is_public: bool = True

    @property
    def value(self) -> str:
        return self.kind.value

    @property
    def label(self) -> str:
        return self.name


def builtin(kind: IdeaStatus) -> Shown:
    return Shown(kind, kind.label, KIND_COLOURS[kind])


_CACHE = "_vp_statuses"


def all_statuses() -> list[Shown]:
    """Every custom status in order (read once per request; each time outside one)."""
    cached = g.get(_CACHE) if has_request_context() else None
    if cached is None:
        rows = db.session.scalars(select(Status).order_by(Status.position, Status.id))
        cached = [
            Shown(r.kind, r.name, r.colour, r.description, r.id, r.position, r.is_public)
            for r in rows
        ]
        if has_request_context():
            setattr(g, _CACHE, cached)
    return cached


def forget() -> None:
    """Read the statuses again next time (after a change)."""
    if has_app_context():
        g.pop(_CACHE, None)


def default_of(kind: IdeaStatus) -> Shown:
    """The kind's default: its first public status, else the built-in label."""
    for s in all_statuses():
        if s.kind is kind and s.is_public:
            return s
    return builtin(kind)


def shown(kind: IdeaStatus, status_id: int | None = None, staff: bool = False) -> Shown:
    """What a status looks like to staff (`staff`) or to customers."""
    chosen = next((s for s in all_statuses() if s.id == status_id), None)
    if chosen is None or chosen.kind is not kind or not (chosen.is_public or staff):
        return default_of(kind)
    return chosen


def shown_to(viewer: User | None, thing, status_id: int | None = None) -> Shown:
    """`thing` (an Idea or a list's row of one, a kind with `status_id`, or a Shown) as
    `viewer` sees it."""
    if isinstance(thing, Shown):
        return thing
    staff = viewer is not None and viewer.is_authenticated and viewer.is_staff
    if isinstance(thing, IdeaStatus):
        return shown(thing, status_id, staff)
    return shown(thing.status, getattr(thing, "status_id", None), staff)


# --- the staff status form ------------------------------------------------------------------


def choices(include_duplicate: bool = True) -> dict[str, list[tuple[str, str]]]:
    """Status choices for a select, grouped by kind: a custom status by its id, a kind
    without custom statuses by its value (so "planned" always means the kind's default)."""
    groups: dict[str, list[tuple[str, str]]] = {}
    rows = all_statuses()
    for kind in KINDS:
        of_kind = [s for s in rows if s.kind is kind]
        groups[kind.label] = [
            (str(s.id), s.name if s.is_public else f"{s.name} (staff only)") for s in of_kind
        ] or [(kind.value, kind.label)]
    if include_duplicate:
        groups[IdeaStatus.duplicate.label] = [(IdeaStatus.duplicate.value, "Duplicate")]
    return groups


def choice_of(idea: Idea) -> str:
    """The idea's status as a choice of `choices` (what the staff form starts with)."""
    current = shown(idea.status, idea.status_id, staff=True)
    return str(current.id) if current.id is not None else idea.status.value


def parse_choice(value: str | None) -> tuple[IdeaStatus, int | None] | None:
    """The kind and custom status id a choice names (a row id or a kind), or None."""
    value = (value or "").strip()
    if value.isdigit():
        row = next((s for s in all_statuses() if s.id == int(value)), None)
        return (row.kind, row.id) if row is not None else None
    try:
        return IdeaStatus(value), None
    except ValueError:
        return None


def same_status(idea: Idea, kind: IdeaStatus, status_id: int | None) -> bool:
    """Whether moving `idea` to (`kind`, `status_id`) changes nothing staff would see."""
    return kind is idea.status and shown(kind, status_id, True) == shown(
        idea.status, idea.status_id, True
    )


# --- admins' changes ------------------------------------------------------------------------


def _check_admin(actor: User) -> None:
    if not actor.is_admin:
        raise PermissionDenied()


def uses(status: Status) -> tuple[int, int]:
    """How many ideas show the status, and how many status updates name it."""
    ideas = db.session.scalar(select(func.count()).where(Idea.status_id == status.id))
    changes = db.session.scalar(
        select(func.count()).where(
            or_(StatusChange.old_status_id == status.id, StatusChange.new_status_id == status.id)
        )
    )
    return ideas, changes


def _others_of_kind(status: Status | None, kind: IdeaStatus) -> int:
    stmt = select(func.count()).where(Status.kind == kind)
    if status is not None:
        stmt = stmt.where(Status.id != status.id)
    return db.session.scalar(stmt)


def save_status(
    actor: User,
    status: Status | None,
    *,
    name: str,
    kind: IdeaStatus,
    colour: str,
    description: str = "",
    is_public: bool = True,
) -> Status:
    """Add a status (status=None) or change one: admins only. A status in use keeps its
    kind (its ideas would change meaning), and a kind keeps at least one status."""
    _check_admin(actor)
    name = name.strip()
    if kind not in KINDS:
        raise OperationError("Choose one of the built-in kinds.", field="kind")
    if colour not in STATUS_COLOURS:
        raise OperationError("Choose one of the colours.", field="colour")
    clash = select(Status.id).where(func.lower(Status.name) == name.lower())
    if status is not None:
        clash = clash.where(Status.id != status.id)
    if db.session.scalar(clash) is not None:
        raise OperationError("A status with this name already exists.", field="name")
    if status is None:
        last = db.session.scalar(select(func.coalesce(func.max(Status.position), 0)))
        status = Status(position=last + 1)
        db.session.add(status)
    elif kind is not status.kind:
        if any(uses(status)):
            raise OperationError(
                "Ideas or status updates use this status: its kind cannot change.", field="kind"
            )
        if not _others_of_kind(status, status.kind):
            raise OperationError(
                f"This is the last “{status.kind.label}” status: its kind cannot change.",
                field="kind",
            )
    status.name, status.kind, status.colour = name, kind, colour
    status.description, status.is_public = description.strip(), is_public
    db.session.flush()
    forget()
    return status


def delete_status(actor: User, status: Status) -> None:
    """Remove a status nothing uses and that is not the last of its kind: admins only."""
    _check_admin(actor)
    if not _others_of_kind(status, status.kind):
        raise OperationError(f"“{status.name}” is the last “{status.kind.label}” status.")
    ideas, changes = uses(status)
    if ideas or changes:
        raise OperationError(
            f"“{status.name}” is in use (ideas: {ideas}; status updates: {changes}): rename "
            "it or make it staff only instead."
        )
    db.session.delete(status)
    db.session.flush()
    forget()


def move_status(actor: User, status: Status, step: int) -> None:
    """Move a status one place up (step -1) or down (+1) in the order: admins only."""
    _check_admin(actor)
    rows = list(db.session.scalars(select(Status).order_by(Status.position, Status.id)))
    at = rows.index(status)
    to = at + step
    if 0 <= to < len(rows):
        rows[at], rows[to] = rows[to], rows[at]
        for position, row in enumerate(rows, start=1):
            row.position = position
        db.session.flush()
    forget()
