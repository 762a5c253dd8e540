"""Tags and custom-field answers as export columns (staff exports: every tag and field)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from vocportal.tags import fields as tag_fields
from vocportal.tags import operations as tag_ops


def idea_columns(idea_ids: Iterable[int]) -> Callable[[int], dict]:
    """For these ideas: a function giving an idea's `tags` column ("a; b") and one column per
    custom field of any board ("field <id>: <label>", empty when not answered)."""
    ids = list(idea_ids)
    tags = tag_ops.tags_of_ideas(None, ids, staff_view=True)
    answers = tag_fields.answers_of_ideas(None, ids, staff_view=True)
    definitions = tag_fields.board_fields(None, staff_view=True)
    names = {d.id: f"field {d.id}: {d.label}" for d in definitions}

    def columns(idea_id: int) -> dict:
        row = {"tags": "; ".join(t.name for t in tags.get(idea_id, []))}
        row.update(dict.fromkeys(names.values(), ""))
        for answer in answers.get(idea_id, []):
            row[names[answer.field.id]] = answer.text
        return row

    return columns


def feedback_columns(feedback_ids: Iterable[int]) -> Callable[[int], dict]:
    """For these feedback items: a function giving an item's `tags` column."""
    tags = tag_ops.tags_of_feedback(None, list(feedback_ids), staff_view=True)
    return lambda item_id: {"tags": "; ".join(t.name for t in tags.get(item_id, []))}
