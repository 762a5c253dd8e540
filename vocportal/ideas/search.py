"""Full-text search over ideas with each database's own engine, behind one function.

SQLite: an FTS5 table `ideas_fts` (external content, kept by triggers).
PostgreSQL: a stored generated tsvector column `ideas.search_vector` with a GIN index.
Both are created by the migrations, not by the models.
"""

from __future__ import annotations

import re

from sqlalchemy import Select, func, literal_column, select, text

from vocportal.extensions import db

_WORD = re.compile(r"\w+", re.UNICODE)


def _words(q: str) -> list[str]:
    """The words of a query (letters, digits, underscore): no search syntax gets through."""
    return _WORD.findall(q.lower())[:12]


def fts5_query(q: str, any_word: bool = False) -> str | None:
    """Turn free text into an FTS5 query: every word must match (or, with `any_word`, at
    least one), the last one as a prefix."""
    words = _words(q)
    if not words:
        return None
    quoted = [f'"{w}"' for w in words]
    quoted[-1] += "*"
    return (" OR " if any_word else " ").join(quoted)


def ranked_matches(q: str, any_word: bool = False) -> Select | None:
    """Return a selectable of (idea_id, rank) for ideas matching `q`, best rank lowest.

    `any_word`: an idea matching any of the words is a match (ranked by how well), e.g. for
    suggestions while someone types a sentence."""
    dialect = db.engine.dialect.name
    if dialect == "sqlite":
        query = fts5_query(q, any_word)
        if query is None:
            return None
        return (
            select(
                literal_column("ideas_fts.rowid").label("idea_id"),
                literal_column("bm25(ideas_fts, 4.0, 1.0)").label("rank"),
            )
            .select_from(text("ideas_fts"))
            .where(text("ideas_fts MATCH :fts_query").bindparams(fts_query=query))
        )
    if dialect == "postgresql":
        words = _words(q)
        if not words:
            return None
        # Same meaning as on SQLite: every word must match, the last one as a prefix.
        vector = literal_column("ideas.search_vector")
        joined = (" | " if any_word else " & ").join(words) + ":*"
        tsquery = func.to_tsquery(literal_column("'english'::regconfig"), joined)
        return (
            select(
                literal_column("ideas.id").label("idea_id"),
                (-func.ts_rank(vector, tsquery)).label("rank"),
            )
            .select_from(text("ideas"))
            .where(vector.op("@@")(tsquery))
        )
    raise NotImplementedError(f"full-text search is not available on {dialect}")
