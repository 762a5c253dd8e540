"""SQL the ORM does not say the same way on every database."""

from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite

from vocportal.extensions import db


def dialect_insert(model):
    """INSERT INTO `model` that can say ON CONFLICT (`on_conflict_do_nothing`,
    `on_conflict_do_update`): PostgreSQL's or SQLite's, by the engine's dialect."""
    insert = postgresql.insert if db.engine.dialect.name == "postgresql" else sqlite.insert
    return insert(model)


def insert_ignore(model, **values):
    """INSERT INTO `model` ... ON CONFLICT DO NOTHING; without `values`, for executing with
    a list of rows."""
    stmt = dialect_insert(model)
    if values:
        stmt = stmt.values(**values)
    return stmt.on_conflict_do_nothing()
