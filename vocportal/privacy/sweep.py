"""Find and replace a person's email and name in every text column of every table.

Erasure changes the rows that belong to the person one by one (see `erasure`); this sweep
is the net under it: whatever else mentions them (another person's comment, a staff note,
a webhook payload, a job's arguments, a delivery error, a notification's text, a feature
added later) is found by reflecting the metadata, not by a list someone must keep up.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import JSON, Column, Enum, String, Table, Text, cast, func, or_, select, update

from vocportal.extensions import db

#: What a person's email or name reads after erasure.
REPLACEMENT = "deleted user"

#: Names shorter than this are not swept from other people's text (a two-letter name would
#: match too much that is not about them); the person's own rows lose it anyway.
MIN_NAME_LENGTH = 3


@dataclass(frozen=True)
class Needle:
    """One thing to find: the text, and how it may sit inside other text."""

    text: str
    #: Characters that may not touch it on either side for it to count (a name inside a
    #: longer word is not the name; an address inside a longer address is not it).
    word: str

    def pattern(self) -> re.Pattern:
        return re.compile(
            rf"(?<![{self.word}]){re.escape(self.text)}(?![{self.word}])", re.IGNORECASE
        )

    def like_terms(self) -> set[str]:
        """What `lower(column) LIKE` looks for: the text lower-cased (SQLite's lower() and
        LIKE fold ASCII letters only, so also with only those folded), and as JSON escapes
        it (non-ASCII letters as \\u00e9)."""
        lower = self.text.lower()
        ascii_folded = "".join(c.lower() if c.isascii() else c for c in self.text)
        return {lower, ascii_folded, json.dumps(lower)[1:-1], json.dumps(self.text)[1:-1].lower()}


def needles(email: str, name: str) -> list[Needle]:
    """What identifies a person in free text: their address, and their name if it is long
    enough to be theirs."""
    found = [Needle(email, r"\w.+\-")] if email else []
    name = " ".join(name.split())
    if len(name) >= MIN_NAME_LENGTH:
        # Also as rendered Markdown holds it (comments' and messages' HTML): "Smith &amp; Co".
        found += [Needle(form, r"\w") for form in dict.fromkeys((name, html.escape(name, False)))]
    return found


def text_columns(exclude: set[str]) -> Iterator[tuple[Table, Column]]:
    """Every String, Text and JSON column of every table (enums are not text)."""
    for table in db.metadata.sorted_tables:
        if table.name in exclude:
            continue
        for column in table.columns:
            if isinstance(column.type, JSON) or (
                isinstance(column.type, String) and not isinstance(column.type, Enum)
            ):
                yield table, column


def _matches(column: Column, terms: set[str]):
    value = cast(column, Text) if isinstance(column.type, JSON) else column
    return or_(*(func.lower(value).contains(term, autoescape=True) for term in sorted(terms)))


def _replace(value, patterns: list[re.Pattern]):
    if isinstance(value, str):
        for pattern in patterns:
            value = pattern.sub(REPLACEMENT, value)
        return value
    if isinstance(value, dict):
        return {_replace(k, patterns): _replace(v, patterns) for k, v in value.items()}
    if isinstance(value, list):
        return [_replace(item, patterns) for item in value]
    return value


def count_mentions(found: list[Needle], exclude: set[str]) -> dict[str, int]:
    """Rows per table that mention any of `found` (for the erasure's confirmation)."""
    counts: dict[str, int] = {}
    terms = set().union(*(n.like_terms() for n in found)) if found else set()
    if not terms:
        return counts
    for table, column in text_columns(exclude):
        n = db.session.scalar(
            select(func.count()).select_from(table).where(_matches(column, terms))
        )
        if n:
            counts[table.name] = counts.get(table.name, 0) + n
    return counts


def sweep(found: list[Needle], exclude: set[str]) -> int:
    """Replace each of `found` with "deleted user" wherever it appears (case-insensitive)
    outside the `exclude`d tables; return how many values changed. Flushes only."""
    if not found:
        return 0
    db.session.flush()
    terms = set().union(*(n.like_terms() for n in found))
    patterns = [n.pattern() for n in found]
    changed = 0
    for table, column in text_columns(exclude):
        keys = list(table.primary_key.columns)
        rows = db.session.execute(select(*keys, column).where(_matches(column, terms))).all()
        for row in rows:
            old = row[-1]
            new = _replace(old, patterns)
            if new == old:
                # Found by LIKE but not as a whole word ("Annabel" for "Ann"): left alone.
                continue
            where = [key == value for key, value in zip(keys, row[:-1], strict=True)]
            db.session.execute(update(table).where(*where).values({column.name: new}))
            changed += 1
    db.session.expire_all()
    return changed
