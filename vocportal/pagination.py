"""Keyset-free, count-free pages: fetch one row more than a page to know if there is a next.

Counting every matching row on each request costs more than rendering the page on a large
board; the public list only needs "is there a next page". Searches still count, to say how
many ideas matched.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import Select, func, select

from vocportal.extensions import db


@dataclass
class Page:
    items: list
    page: int
    per_page: int
    has_next: bool
    total: int | None = None

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1

    @property
    def pages(self) -> int | None:
        return None if self.total is None else max(1, math.ceil(self.total / self.per_page))


def page_of(stmt: Select, page: int, per_page: int, count: bool = False) -> Page:
    """Return page `page` (1-based) of `stmt`'s rows; count them all only if asked."""
    page = max(1, min(page, 10_000))
    rows = list(db.session.scalars(stmt.limit(per_page + 1).offset((page - 1) * per_page)).unique())
    total = None
    if count:
        total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    return Page(
        items=rows[:per_page],
        page=page,
        per_page=per_page,
        has_next=len(rows) > per_page,
        total=total,
    )
