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


def page_of(
    stmt: Select,
    page: int,
    per_page: int,
    count: bool | Select = False,
    rows: bool = False,
) -> Page:
    """Return page `page` (1-based) of `stmt`'s rows; count them all only if asked (`count`
    may be a cheaper statement with the same rows to count instead, e.g. without joins).

    The items are the first column's values (ORM objects for a select of a model), or with
    `rows` the whole rows (a select of columns)."""
    page = max(1, min(page, 10_000))
    window = stmt.limit(per_page + 1).offset((page - 1) * per_page)
    found = list(db.session.execute(window) if rows else db.session.scalars(window).unique())
    total = None
    if count is not False:
        counted = stmt if count is True else count
        total = db.session.scalar(
            select(func.count()).select_from(counted.order_by(None).subquery())
        )
    return Page(
        items=found[:per_page],
        page=page,
        per_page=per_page,
        has_next=len(found) > per_page,
        total=total,
    )
