"""Custom fields per board: admins define them, the new-idea form asks them, answers are
stored in the column of their type, and lists filter by them. Staff-only fields are never
shown to anyone else: every read takes the viewer."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, delete, exists, func, select

from vocportal.accounts.models import User
from vocportal.errors import OperationError, PermissionDenied
from vocportal.extensions import db
from vocportal.tags.models import BoardField, FieldKind, FieldValue
from vocportal.text import single_line_error

MAX_LABEL = 80
MAX_TEXT = 2000
MAX_CHOICES = 50
#: Numbers an answer may hold (a float column; larger magnitudes are surely typos).
MAX_NUMBER = 1e15


def _is_staff(viewer: User | None) -> bool:
    return viewer is not None and viewer.is_authenticated and viewer.is_staff


def field_name(definition: BoardField) -> str:
    """The form field (and query argument) that carries answers to `definition`."""
    return f"field_{definition.id}"


def board_fields(
    board_ids: Iterable[int] | None = None, viewer: User | None = None, staff_view: bool = False
) -> list[BoardField]:
    """The fields of the given boards (all boards: None) in form order; staff-only ones only
    when `viewer` is staff (or `staff_view`)."""
    stmt = select(BoardField).order_by(BoardField.board_id, BoardField.position, BoardField.id)
    if board_ids is not None:
        stmt = stmt.where(BoardField.board_id.in_(list(board_ids)))
    if not (staff_view or _is_staff(viewer)):
        stmt = stmt.where(BoardField.public)
    return list(db.session.scalars(stmt))


# --- definitions (admins) ------------------------------------------------------------------


def _parse_choices(kind: FieldKind, text: str) -> list[str]:
    if kind not in (FieldKind.single, FieldKind.multiple):
        return []
    choices: list[str] = []
    for line in (text or "").splitlines():
        line = line.strip()
        if line and line not in choices:
            if len(line) > MAX_LABEL:
                raise OperationError(f"Each choice: at most {MAX_LABEL} characters.", "choices")
            choices.append(line)
    if len(choices) < 2:
        raise OperationError("Give at least two choices, one per line.", field="choices")
    if len(choices) > MAX_CHOICES:
        raise OperationError(f"At most {MAX_CHOICES} choices.", field="choices")
    return choices


def add_field(
    actor: User,
    board_id: int,
    label: str,
    kind: str,
    choices: str = "",
    required: bool = False,
    public: bool = True,
) -> BoardField:
    """Define a new field on a board: admins only."""
    if not actor.is_admin:
        raise PermissionDenied()
    label = (label or "").strip()
    if not label:
        raise OperationError("Give the field a label.", field="label")
    if len(label) > MAX_LABEL:
        raise OperationError(f"At most {MAX_LABEL} characters.", field="label")
    error = single_line_error(label)
    if error:
        raise OperationError(error, field="label")
    try:
        field_kind = FieldKind(kind)
    except ValueError:
        raise OperationError("Choose a type.", field="kind") from None
    position = db.session.scalar(
        select(func.coalesce(func.max(BoardField.position), 0)).where(
            BoardField.board_id == board_id
        )
    )
    definition = BoardField(
        board_id=board_id,
        label=label,
        kind=field_kind,
        choices=_parse_choices(field_kind, choices),
        required=bool(required),
        public=bool(public),
        position=position + 1,
    )
    db.session.add(definition)
    db.session.flush()
    return definition


def delete_field(actor: User, definition: BoardField) -> None:
    """Delete a field and every answer to it: admins only."""
    if not actor.is_admin:
        raise PermissionDenied()
    db.session.execute(delete(FieldValue).where(FieldValue.field_id == definition.id))
    db.session.delete(definition)
    db.session.flush()


# --- answers -------------------------------------------------------------------------------


def parse_answer(definition: BoardField, raw) -> list[str] | str | float | date | None:
    """`raw` (form text, a list of options, or a JSON value) as the field's typed value;
    None for no answer. A ValueError says what is wrong, in words for the person."""
    kind = definition.kind
    if kind is FieldKind.multiple:
        values = raw if isinstance(raw, list | tuple) else ([] if raw in (None, "") else [raw])
        values = [str(v) for v in values if str(v) != ""]
        unknown = [v for v in values if v not in definition.choices]
        if unknown:
            raise ValueError(f"Choose from the list ({unknown[0][:40]!r} is not in it).")
        if not values and definition.required:
            raise ValueError("Choose at least one.")
        return values or None
    if isinstance(raw, bool | list | dict):
        raise ValueError("Give one value.")
    text = "" if raw is None else str(raw).strip()
    if not text:
        if definition.required:
            raise ValueError("This field is required.")
        return None
    if kind is FieldKind.text:
        if len(text) > MAX_TEXT:
            raise ValueError(f"At most {MAX_TEXT:,} characters.")
        return text
    if kind is FieldKind.number:
        try:
            number = float(text.replace(",", "")) if isinstance(raw, str) else float(raw)
        except ValueError:
            raise ValueError("Give a number, e.g. 12 or 3.5.") from None
        if number != number or abs(number) > MAX_NUMBER:
            raise ValueError("Give a number, e.g. 12 or 3.5.")
        return number
    if kind is FieldKind.date:
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise ValueError("Give a date as YYYY-MM-DD, e.g. 2026-03-31.") from None
    if text not in definition.choices:
        raise ValueError("Choose one of the options.")
    return text


def store_answers(
    idea_id: int, definitions: Iterable[BoardField], raw: Mapping[int, object]
) -> None:
    """Check and store an idea's answers to `definitions` (raw values by field id), replacing
    what it had. A bad value is an OperationError on its form field (`field_<id>`)."""
    parsed = {}
    for definition in definitions:
        try:
            parsed[definition.id] = (definition, parse_answer(definition, raw.get(definition.id)))
        except ValueError as error:
            raise OperationError(str(error), field=field_name(definition)) from None
    if parsed:
        db.session.execute(
            delete(FieldValue).where(
                FieldValue.idea_id == idea_id, FieldValue.field_id.in_(list(parsed))
            )
        )
    for field_id, (definition, value) in parsed.items():
        if value is None:
            continue
        for one in value if isinstance(value, list) else [value]:
            row = FieldValue(idea_id=idea_id, field_id=field_id)
            if definition.kind is FieldKind.number:
                row.number_value = one
            elif definition.kind is FieldKind.date:
                row.date_value = one
            else:
                row.text_value = one
            db.session.add(row)
    db.session.flush()


@dataclass(frozen=True)
class Answer:
    field: BoardField
    value: list[str] | str | float | date

    @property
    def text(self) -> str:
        """The value as a person reads it."""
        if isinstance(self.value, list):
            return ", ".join(self.value)
        if isinstance(self.value, float):
            return f"{self.value:g}"
        if isinstance(self.value, date):
            return self.value.isoformat()
        return self.value

    def json(self):
        """The value as the API gives it: a string, number, list of strings or ISO date."""
        return self.value.isoformat() if isinstance(self.value, date) else self.value


def answers_of_ideas(
    viewer: User | None, idea_ids: Iterable[int], staff_view: bool = False
) -> dict[int, list[Answer]]:
    """Each idea's answers `viewer` may see (staff-only fields for staff only), in form order."""
    ids = sorted(set(idea_ids))
    if not ids:
        return {}
    stmt = (
        select(FieldValue, BoardField)
        .join(BoardField, BoardField.id == FieldValue.field_id)
        .where(FieldValue.idea_id.in_(ids))
        .order_by(FieldValue.idea_id, BoardField.position, BoardField.id, FieldValue.id)
    )
    if not (staff_view or _is_staff(viewer)):
        stmt = stmt.where(BoardField.public)
    collected: dict[int, dict[int, tuple[BoardField, list]]] = {}
    for value, definition in db.session.execute(stmt):
        one = {
            FieldKind.number: value.number_value,
            FieldKind.date: value.date_value,
        }.get(definition.kind, value.text_value)
        per_idea = collected.setdefault(value.idea_id, {})
        per_idea.setdefault(definition.id, (definition, []))[1].append(one)
    return {
        idea_id: [
            Answer(d, values if d.kind is FieldKind.multiple else values[0])
            for d, values in per_field.values()
        ]
        for idea_id, per_field in collected.items()
    }


def answer_filter(idea_id_column, definition: BoardField, raw: str) -> ColumnElement[bool] | None:
    """A WHERE clause: the idea answered `definition` with `raw` (text: contains it; other
    types: equals it). None when `raw` is empty or not a value of the field's type."""
    raw = (raw or "").strip()[:200]
    if not raw:
        return None
    match = exists().where(
        FieldValue.idea_id == idea_id_column, FieldValue.field_id == definition.id
    )
    if definition.kind is FieldKind.text:
        return match.where(FieldValue.text_value.icontains(raw, autoescape=True))
    try:
        value = parse_answer(definition, raw)
    except ValueError:
        return None
    if definition.kind is FieldKind.number:
        return match.where(FieldValue.number_value == value)
    if definition.kind is FieldKind.date:
        return match.where(FieldValue.date_value == value)
    return match.where(FieldValue.text_value == (value[0] if isinstance(value, list) else value))
