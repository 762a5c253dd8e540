"""Tags: staff make them, put them on ideas and feedback (one or many at once), and lists
filter by them. Internal tags are for staff eyes only: every read takes the viewer."""

from __future__ import annotations

import re
from collections.abc import Iterable

from sqlalchemy import ColumnElement, column, delete, exists, select, table

from vocportal.accounts.models import User
from vocportal.errors import OperationError, PermissionDenied
from vocportal.extensions import db
from vocportal.sqlutil import dialect_insert
from vocportal.tags.models import FeedbackTag, IdeaTag, Tag
from vocportal.text import single_line_error, slugify

_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
MAX_NAME = 40
_ITEM_TABLES = {"idea_id": "ideas", "feedback_id": "feedback_items"}


def _is_staff(viewer: User | None) -> bool:
    return viewer is not None and viewer.is_authenticated and viewer.is_staff


def _check_staff(actor: User) -> None:
    if not _is_staff(actor):
        raise PermissionDenied()


def all_tags(viewer: User | None) -> list[Tag]:
    """The tags `viewer` may see (staff: all; everyone else: public ones), by name."""
    stmt = select(Tag).order_by(Tag.name, Tag.id)
    if not _is_staff(viewer):
        stmt = stmt.where(Tag.public)
    return list(db.session.scalars(stmt))


def tag_by_slug(viewer: User | None, slug: str) -> Tag | None:
    """The tag `slug` names, if `viewer` may see it (an internal one only for staff)."""
    tag = db.session.scalar(select(Tag).where(Tag.slug == slug[:MAX_NAME]))
    if tag is None or (not tag.public and not _is_staff(viewer)):
        return None
    return tag


def save_tag(actor: User, tag: Tag | None, name: str, colour: str, public: bool) -> Tag:
    """Create a tag (tag=None) or change one: staff only."""
    _check_staff(actor)
    name = (name or "").strip()
    if not name:
        raise OperationError("Give the tag a name.", field="name")
    if len(name) > MAX_NAME:
        raise OperationError(f"At most {MAX_NAME} characters.", field="name")
    error = single_line_error(name)
    if error:
        raise OperationError(error, field="name")
    slug = slugify(name, MAX_NAME)
    if not slug:
        raise OperationError("Use at least one letter or digit.", field="name")
    if not _COLOUR.fullmatch(colour or ""):
        raise OperationError("A colour is written #rrggbb, e.g. #2563eb.", field="colour")
    taken = db.session.scalar(select(Tag.id).where(Tag.slug == slug))
    if taken is not None and (tag is None or taken != tag.id):
        raise OperationError("A tag with this name already exists.", field="name")
    if tag is None:
        tag = Tag()
        db.session.add(tag)
    tag.name, tag.slug, tag.colour, tag.public = name, slug, colour.lower(), bool(public)
    db.session.flush()
    return tag


def delete_tag(actor: User, tag: Tag) -> None:
    """Delete a tag; it leaves every idea and feedback item it was on."""
    _check_staff(actor)
    db.session.execute(delete(IdeaTag).where(IdeaTag.tag_id == tag.id))
    db.session.execute(delete(FeedbackTag).where(FeedbackTag.tag_id == tag.id))
    db.session.delete(tag)
    db.session.flush()


def _tags_by_id(tag_ids: Iterable[int]) -> list[Tag]:
    ids = set(tag_ids)
    tags = list(db.session.scalars(select(Tag).where(Tag.id.in_(ids)))) if ids else []
    if len(tags) != len(ids):
        raise OperationError("That tag no longer exists.", field="tags")
    return tags


def _link(model, key: str, item_ids: Iterable[int], tag_ids: Iterable[int], add: bool) -> int:
    """Add (or remove) each tag on each item; the number of item-tag pairs changed."""
    item_ids = sorted(set(item_ids))
    tags = _tags_by_id(tag_ids)
    if not item_ids or not tags:
        raise OperationError("Tick at least one item and one tag.", field="tags")
    # The items' table by name (this package sits below ideas and feedback).
    items = table(_ITEM_TABLES[key], column("id"))
    found = set(db.session.scalars(select(items.c.id).where(items.c.id.in_(item_ids))))
    if len(found) != len(item_ids):
        raise OperationError("Some ticked items no longer exist.", field="tags")
    item_column = getattr(model, key)
    if not add:
        result = db.session.execute(
            delete(model).where(item_column.in_(item_ids), model.tag_id.in_([t.id for t in tags]))
        )
        db.session.flush()
        return result.rowcount
    rows = [{key: i, "tag_id": t.id} for i in item_ids for t in tags]
    # RETURNING the rows inserted: rowcount is not reliable for a multi-row INSERT.
    stmt = dialect_insert(model).values(rows).on_conflict_do_nothing().returning(model.tag_id)
    added = len(db.session.execute(stmt).all())
    db.session.flush()
    return added


def tag_ideas(
    actor: User, idea_ids: Iterable[int], tag_ids: Iterable[int], add: bool = True
) -> int:
    """Put tags on ideas (or take them off): staff only, any number at once."""
    _check_staff(actor)
    return _link(IdeaTag, "idea_id", idea_ids, tag_ids, add)


def tag_feedback(
    actor: User, feedback_ids: Iterable[int], tag_ids: Iterable[int], add: bool = True
) -> int:
    """Put tags on feedback items (or take them off): staff only, any number at once."""
    _check_staff(actor)
    return _link(FeedbackTag, "feedback_id", feedback_ids, tag_ids, add)


def set_idea_tags(actor: User, idea_id: int, tag_ids: Iterable[int]) -> None:
    """Make an idea's tags exactly `tag_ids`: staff only."""
    _check_staff(actor)
    wanted = {t.id for t in _tags_by_id(tag_ids)}
    db.session.execute(
        delete(IdeaTag).where(IdeaTag.idea_id == idea_id, IdeaTag.tag_id.not_in(wanted))
    )
    if wanted:
        stmt = dialect_insert(IdeaTag).values(
            [{"idea_id": idea_id, "tag_id": t} for t in sorted(wanted)]
        )
        db.session.execute(stmt.on_conflict_do_nothing())
    db.session.flush()


def _tags_of(
    model, key: str, viewer: User | None, item_ids: Iterable[int], staff_view: bool
) -> dict[int, list[Tag]]:
    ids = sorted(set(item_ids))
    if not ids:
        return {}
    item_column = getattr(model, key)
    stmt = (
        select(item_column, Tag)
        .join(Tag, Tag.id == model.tag_id)
        .where(item_column.in_(ids))
        .order_by(Tag.name, Tag.id)
    )
    if not (staff_view or _is_staff(viewer)):
        stmt = stmt.where(Tag.public)
    found: dict[int, list[Tag]] = {}
    for item_id, tag in db.session.execute(stmt):
        found.setdefault(item_id, []).append(tag)
    return found


def tags_of_ideas(
    viewer: User | None, idea_ids: Iterable[int], staff_view: bool = False
) -> dict[int, list[Tag]]:
    """Each idea's tags that `viewer` may see (internal ones for staff, or with
    `staff_view`), by idea id."""
    return _tags_of(IdeaTag, "idea_id", viewer, idea_ids, staff_view)


def tags_of_feedback(
    viewer: User | None, feedback_ids: Iterable[int], staff_view: bool = False
) -> dict[int, list[Tag]]:
    """Each feedback item's tags `viewer` may see, by item id."""
    return _tags_of(FeedbackTag, "feedback_id", viewer, feedback_ids, staff_view)


def idea_has_tag(idea_id_column, tag: Tag) -> ColumnElement[bool]:
    """A WHERE clause: the idea (`idea_id_column`) carries `tag`."""
    return exists().where(IdeaTag.idea_id == idea_id_column, IdeaTag.tag_id == tag.id)


def feedback_has_tag(feedback_id_column, tag: Tag) -> ColumnElement[bool]:
    return exists().where(
        FeedbackTag.feedback_id == feedback_id_column, FeedbackTag.tag_id == tag.id
    )


def tags_by_type(viewer: User | None, sections) -> dict[str, dict[int, list[Tag]]]:
    """For a page listing ideas and feedback (`sections`: [(item_type, items)]): each
    item's tags `viewer` may see, by item type ("idea", "feedback") and id."""
    readers = {"idea": tags_of_ideas, "feedback": tags_of_feedback}
    return {
        item_type: readers[item_type](viewer, [i.id for i in items])
        for item_type, items in sections
        if item_type in readers
    }
