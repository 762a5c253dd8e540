"""Tags and custom-field answers in the API's idea and feedback payloads: the caller sees
public tags and customer-visible fields only, unless a staff token asks."""

from __future__ import annotations

import marshmallow as ma
from flask import g
from marshmallow import fields

from vocportal.tags import fields as tag_fields
from vocportal.tags import operations as tag_ops

_ANSWER_DOC = {
    "description": "The answer in its type: a string (text, single choice), a number, a "
    "list of strings (multiple choice) or a date (YYYY-MM-DD)."
}


class TagRefSchema(ma.Schema):
    id = fields.Integer(required=True)
    slug = fields.String(required=True, metadata={"description": "What `tag=` filters name."})
    name = fields.String(required=True)
    colour = fields.String(required=True, metadata={"description": "#rrggbb"})
    public = fields.Boolean(
        required=True, metadata={"description": "False: an internal tag (staff tokens only)."}
    )


class AnswerSchema(ma.Schema):
    field_id = fields.Integer(required=True)
    label = fields.String(required=True)
    type = fields.String(
        required=True,
        metadata={"enum": ["text", "number", "single", "multiple", "date"]},
    )
    public = fields.Boolean(
        required=True, metadata={"description": "False: a staff-only field (staff tokens only)."}
    )
    value = fields.Raw(required=True, metadata=_ANSWER_DOC)


def _caller():
    caller = g.get("api_caller")
    return caller.user if caller else None


def note_tags(idea_ids) -> None:
    """Each idea's tags and answers the caller may see, for a page of ideas (two queries)."""
    ids = list(idea_ids)
    found = g.setdefault("api_tagged", {})
    tags = tag_ops.tags_of_ideas(_caller(), ids)
    answers = tag_fields.answers_of_ideas(_caller(), ids)
    for idea_id in ids:
        found[idea_id] = (tags.get(idea_id, []), answers.get(idea_id, []))


def _of(idea):
    found = g.get("api_tagged") or {}
    if idea.id not in found:
        note_tags([idea.id])
    return g.api_tagged[idea.id]


class _Computed(fields.Nested):
    """A list of nested objects computed from the dumped object by `getter` (documented in
    OpenAPI as the nested schema)."""

    def __init__(self, nested, getter, **kwargs):
        super().__init__(nested, many=True, **kwargs)
        self.getter = getter

    def serialize(self, attr, obj, accessor=None, **kwargs):
        return self._serialize(self.getter(obj), attr, obj, **kwargs)


def _answers(idea) -> list[dict]:
    return [
        {
            "field_id": a.field.id,
            "label": a.field.label,
            "type": a.field.kind.value,
            "public": a.field.public,
            "value": a.json(),
        }
        for a in _of(idea)[1]
    ]


def _feedback_tags(item):
    return tag_ops.tags_of_feedback(_caller(), [item.id]).get(item.id, [])


class TaggedIdeaMixin:
    """An idea's `tags` and `custom_fields`, as the caller may see them."""

    tags = _Computed(
        TagRefSchema,
        lambda idea: _of(idea)[0],
        required=True,
        metadata={"description": "Its tags (internal ones for staff tokens only)."},
    )
    custom_fields = _Computed(
        AnswerSchema,
        _answers,
        required=True,
        metadata={
            "description": "Its answers to its board's custom fields (staff-only fields for "
            "staff tokens only)."
        },
    )


class TaggedFeedbackMixin:
    """A feedback item's `tags`."""

    tags = _Computed(
        TagRefSchema,
        _feedback_tags,
        required=True,
        metadata={"description": "Its tags (internal ones for staff tokens only)."},
    )
