"""Placing new items between refits: each joins its nearest active theme, if near enough.

Run by the embedding jobs right after an item's vector is stored; items staff placed by
hand stay where staff put them.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
from sqlalchemy import delete, insert, select, update

from vocportal.extensions import db
from vocportal.themes.models import Theme, ThemeItem, ThemeStatus
from vocportal.themes.reads import merge_target
from vocportal.timeutil import utcnow

#: Between refits, a new item joins its nearest theme only when at least this similar
#: (on the demo corpus, 90% of items are at least this close to their own theme centroid).
PLACE_SIMILARITY = 0.40


def place_item(item_type: str, item_id: int, vector: np.ndarray) -> Theme | None:
    """Between refits: put an item in its nearest active theme, or leave it unsorted."""
    row = db.session.get(ThemeItem, (item_type, item_id))
    if row is not None and row.source == "staff":
        return db.session.get(Theme, row.theme_id) if row.theme_id else None
    # Merged themes still know their topic (its centroid); what is nearest to one goes to
    # the theme it was merged into, never into the merged theme itself.
    themes = list(
        db.session.scalars(
            select(Theme).where(Theme.status.in_([ThemeStatus.active, ThemeStatus.merged]))
        )
    )
    by_id = {t.id: t for t in themes}
    best, best_similarity = None, -1.0
    for theme in themes:
        similarity = float(np.asarray(vector) @ theme.centroid_array())
        if similarity > best_similarity:
            best, best_similarity = theme, similarity
    if best is not None and best_similarity < PLACE_SIMILARITY:
        best = None
    if best is not None:
        best = merge_target(best, by_id)
        if best is not None and best.status is not ThemeStatus.active:
            best = None
    previous = row.theme_id if row is not None else None
    if row is None:
        row = ThemeItem(item_type=item_type, item_id=item_id)
        db.session.add(row)
    row.theme_id = best.id if best else None
    row.source = "nearest"
    row.similarity = best_similarity if best else 0.0
    row.updated_at = utcnow()
    db.session.flush()
    shift_size(previous, row.theme_id)
    return best


def shift_size(previous: int | None, current: int | None) -> None:
    """One item left `previous` for `current`: atomic, so concurrent jobs lose no counts."""
    if previous == current:
        return
    if previous is not None:
        db.session.execute(
            update(Theme).where(Theme.id == previous, Theme.size > 0).values(size=Theme.size - 1)
        )
    if current is not None:
        db.session.execute(update(Theme).where(Theme.id == current).values(size=Theme.size + 1))


def place_items(item_type: str, ids: list[int], vectors: np.ndarray) -> int:
    """Between refits: place many new items at once (one matrix product, not one query per
    item); staff placements stay. Return how many joined a theme."""
    if not ids:
        return 0
    themes = list(db.session.scalars(select(Theme).where(Theme.status == ThemeStatus.active)))
    staff = set(
        db.session.scalars(
            select(ThemeItem.item_id).where(
                ThemeItem.item_type == item_type,
                ThemeItem.item_id.in_(ids),
                ThemeItem.source == "staff",
            )
        )
    )
    if themes:
        scores = (
            np.asarray(vectors, dtype=np.float32)
            @ np.vstack([t.centroid_array() for t in themes]).T
        )
        best = scores.argmax(axis=1)
        best_score = scores[np.arange(len(ids)), best]
    now = utcnow()
    placed = 0
    movable = [i for i in ids if i not in staff]
    sizes: Counter = Counter()
    for old in db.session.scalars(
        delete(ThemeItem)
        .where(ThemeItem.item_type == item_type, ThemeItem.item_id.in_(movable))
        .returning(ThemeItem.theme_id)
    ):
        if old is not None:
            sizes[old] -= 1
    rows = []
    for n, item_id in enumerate(ids):
        if item_id in staff:
            continue
        theme = None
        if themes and best_score[n] >= PLACE_SIMILARITY:
            theme = themes[int(best[n])]
            sizes[theme.id] += 1
            placed += 1
        rows.append(
            {
                "item_type": item_type,
                "item_id": item_id,
                "theme_id": theme.id if theme else None,
                "source": "nearest",
                "similarity": float(best_score[n]) if theme else 0.0,
                "updated_at": now,
            }
        )
    if rows:
        db.session.execute(insert(ThemeItem), rows)
    for theme_id, change in sizes.items():  # atomic: concurrent jobs must not lose counts
        if change:
            db.session.execute(
                update(Theme).where(Theme.id == theme_id).values(size=Theme.size + change)
            )
    db.session.flush()
    return placed
