"""SQL the ORM does not say the same way on every database."""

from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite

from vocportal.extensions import db


def insert_ignore(model, **values):
    """INSERT INTO `model` ... ON CONFLICT DO NOTHING (PostgreSQL's or SQLite's, by the
    engine's dialect); without `values`, for executing with a list of rows."""
    insert = postgresql.insert if db.engine.dialect.name == "postgresql" else sqlite.insert
    stmt = insert(model)
    if values:
        stmt = stmt.values(**values)
    return stmt.on_conflict_do_nothing()
