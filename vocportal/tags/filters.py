"""Tag and custom-field filters of idea lists, read from query arguments: `?tag=<slug>` and
`?field_<id>=<value>`. Customers may filter by public tags and customer-visible fields only;
staff by any."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement

from vocportal.accounts.models import User
from vocportal.tags import fields as tag_fields
from vocportal.tags import operations as tag_ops
from vocportal.tags.models import BoardField, Tag


@dataclass
class ListFilters:
    #: The tag filtered by, if any.
    tag: Tag | None = None
    #: The fields that may be filtered by (the chosen board's, or every board's), in order.
    fields: list[BoardField] = field(default_factory=list)
    #: The value filtered by, by field id (only the fields given a value).
    values: dict[int, str] = field(default_factory=dict)
    #: The tags that may be filtered by.
    tags: list[Tag] = field(default_factory=list)

    def clauses(self, idea_id_column) -> tuple[ColumnElement[bool], ...]:
        """WHERE clauses on the idea whose id is `idea_id_column`."""
        found = []
        if self.tag is not None:
            found.append(tag_ops.idea_has_tag(idea_id_column, self.tag))
        by_id = {d.id: d for d in self.fields}
        for field_id, raw in self.values.items():
            clause = tag_fields.answer_filter(idea_id_column, by_id[field_id], raw)
            if clause is not None:
                found.append(clause)
        return tuple(found)

    @property
    def active(self) -> bool:
        return self.tag is not None or bool(self.values)


def from_args(
    viewer: User | None, args: Mapping[str, str], board_ids: list[int] | None
) -> ListFilters | None:
    """The filters `args` ask for, as `viewer` may use them (fields of `board_ids`; None: all
    boards); None when `?tag=` names no tag the viewer may see (a 404 for the page)."""
    filters = ListFilters(
        tags=tag_ops.all_tags(viewer), fields=tag_fields.board_fields(board_ids, viewer=viewer)
    )
    slug = (args.get("tag") or "").strip()
    if slug:
        filters.tag = tag_ops.tag_by_slug(viewer, slug)
        if filters.tag is None:
            return None
    for definition in filters.fields:
        raw = (args.get(tag_fields.field_name(definition)) or "").strip()[:200]
        if raw:
            filters.values[definition.id] = raw
    return filters
