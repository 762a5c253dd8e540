"""Staff edits: name a theme, merge one theme into another, move an item by hand.

A staff name (`Theme.name`) survives refits; a merged theme's topic keeps sending its items
to the theme it was merged into; a moved item has source "staff", which refits leave alone.
"""

from __future__ import annotations

import numpy as np
from sqlalchemy import func, select, update

from vocportal.embeddings.encoder import MODEL_NAME
from vocportal.embeddings.models import Embedding
from vocportal.errors import OperationError, PermissionDenied
from vocportal.extensions import db
from vocportal.feedback.models import FeedbackItem
from vocportal.ideas.models import Idea
from vocportal.themes.models import Theme, ThemeItem, ThemeStatus
from vocportal.themes.placement import shift_size
from vocportal.timeutil import utcnow


def rename_theme(actor, theme: Theme, name: str) -> None:
    """Give a theme a staff name (empty: back to its automatic label); survives refits."""
    if not actor.is_staff:
        raise PermissionDenied()
    name = name.strip()
    if len(name) > 120:
        raise OperationError("Use at most 120 characters.", field="name")
    theme.name = name or None
    db.session.flush()


def _recount(*theme_ids: int) -> None:
    """Set these themes' sizes from their rows, in one atomic UPDATE."""
    counted = (
        select(func.count())
        .select_from(ThemeItem)
        .where(ThemeItem.theme_id == Theme.id)
        .scalar_subquery()
    )
    db.session.execute(
        update(Theme)
        .where(Theme.id.in_(theme_ids))
        .values(size=counted)
        .execution_options(synchronize_session=False)
    )
    for theme_id in theme_ids:
        theme = db.session.get(Theme, theme_id)
        if theme is not None:
            db.session.expire(theme, ["size"])


def merge_theme(actor, theme: Theme, into: Theme) -> None:
    """Merge `theme` into `into`: its items move there and refits keep it that way.

    The items keep their source (staff placements stay staff placements). The merged
    theme stays, with status merged, as the way later refits recognise its topic.
    """
    if not actor.is_staff:
        raise PermissionDenied()
    if theme.id == into.id:
        raise OperationError("A theme cannot be merged into itself.", field="target")
    if theme.status is ThemeStatus.merged:
        raise OperationError("This theme is already merged into another.")
    if into.status is not ThemeStatus.active:
        raise OperationError("Merge into an active theme.", field="target")
    now = utcnow()
    db.session.execute(
        update(ThemeItem)
        .where(ThemeItem.theme_id == theme.id)
        .values(theme_id=into.id, updated_at=now)
        .execution_options(synchronize_session="fetch")
    )
    # Themes merged into this one earlier now point at the end of the chain directly.
    db.session.execute(
        update(Theme)
        .where(Theme.merged_into_id == theme.id)
        .values(merged_into_id=into.id)
        .execution_options(synchronize_session="fetch")
    )
    theme.status = ThemeStatus.merged
    theme.merged_into_id = into.id
    theme.updated_at = now
    into.updated_at = now
    db.session.flush()
    _recount(theme.id, into.id)


#: Item type -> its model, for the items staff can move.
ITEM_MODELS = {"idea": Idea, "feedback": FeedbackItem}


def move_item(actor, item_type: str, item_id: int, into: Theme) -> ThemeItem:
    """Put an item in a theme by hand; refits leave it there."""
    if not actor.is_staff:
        raise PermissionDenied()
    model = ITEM_MODELS.get(item_type)
    if model is None or db.session.get(model, item_id) is None:
        raise OperationError("There is no such item.")
    if into.status is not ThemeStatus.active:
        raise OperationError("Move it into an active theme.", field="target")
    row = db.session.get(ThemeItem, (item_type, item_id))
    previous = row.theme_id if row is not None else None
    if row is None:
        row = ThemeItem(item_type=item_type, item_id=item_id)
        db.session.add(row)
    vector = db.session.scalar(
        select(Embedding.vector).where(
            Embedding.item_type == item_type,
            Embedding.item_id == item_id,
            Embedding.model == MODEL_NAME,
        )
    )
    row.theme_id = into.id
    row.source = "staff"
    row.similarity = (
        float(np.frombuffer(vector, dtype="<f4") @ into.centroid_array())
        if vector is not None
        else 0.0
    )
    row.updated_at = utcnow()
    db.session.flush()
    shift_size(previous, into.id)
    return row
