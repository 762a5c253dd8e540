"""The migrations build exactly the schema the models describe, and go down and up again."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from vocportal.extensions import db


def _include(obj, name, type_, reflected, compare_to):
    # The same filter the migration environment uses for the per-database search objects.
    return not (
        name in {"search_vector", "ix_ideas_search_vector", "alembic_version"}
        or (name or "").startswith("ideas_fts")
    )


def schema_diff() -> list:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"include_object": _include, "compare_type": True}
        )
        return compare_metadata(context, db.metadata)


def test_migrated_schema_matches_models(app):
    assert schema_diff() == []


def test_downgrade_to_base_and_upgrade_again(app):
    downgrade(revision="base")
    tables = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
    assert tables == set()
    upgrade()
    assert schema_diff() == []
    # The search structures come back too.
    if db.engine.dialect.name == "sqlite":
        names = db.session.execute(text("SELECT name FROM sqlite_master")).scalars().all()
        assert "ideas_fts" in names and "ideas_fts_au" in names
    else:
        columns = {c["name"] for c in inspect(db.engine).get_columns("ideas")}
        assert "search_vector" in columns
