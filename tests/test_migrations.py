"""The migrations build exactly the schema the models describe, go down and up again, and
rewrite the rows they say they rewrite."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from vocportal.extensions import db
from vocportal.ideas import merge as merges
from vocportal.ideas import operations as ideas
from vocportal.ideas.models import Idea, IdeaStatus
from vocportal.markdown import render_markdown


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


def test_merge_notes_written_before_lose_the_targets_title(app, make_user, make_idea):
    staff = make_user(role="staff")
    target = make_idea(title="Secret target idea")
    plain, with_message = make_idea(title="First duplicate"), make_idea(title="Second duplicate")
    other = make_idea(title="Not merged")
    merges.merge(staff, plain, target)
    merges.merge(staff, with_message, target, message="Thanks, **all**.")
    ideas.change_status(staff, other, IdeaStatus.planned, "")
    db.session.commit()
    notes = {
        # Notes as merges wrote them before: the target's title (brackets and Markdown too).
        plain.id: f"Merged into [Secret *target* idea](/ideas/{target.id}): votes and "
        "followers moved there.",
        with_message.id: f"Thanks, **all**.\n\nMerged into [Secret [beta] ] idea](/ideas/"
        f"{target.id}): votes and followers moved there.",
        # Not a merge: left as it is.
        other.id: f"Merged into [Secret idea](/ideas/{target.id}): votes and followers "
        "moved there.",
    }
    for idea_id, message in notes.items():
        db.session.execute(
            text(
                "UPDATE status_changes SET message = :message, message_html = :html"
                " WHERE id = (SELECT MAX(id) FROM status_changes WHERE idea_id = :idea)"
            ),
            {"message": message, "html": render_markdown(message), "idea": idea_id},
        )
    db.session.commit()

    downgrade(revision="0008_token_credential_version")  # the merge-note migration's downgrade
    upgrade()

    db.session.expire_all()
    expected = {
        plain.id: f"Merged into [idea #{target.id}](/ideas/{target.id}): votes and followers "
        "moved there.",
        with_message.id: f"Thanks, **all**.\n\nMerged into [idea #{target.id}](/ideas/"
        f"{target.id}): votes and followers moved there.",
        other.id: notes[other.id],
    }
    for idea_id, message in expected.items():
        last = ideas.status_history(db.session.get(Idea, idea_id))[-1]
        assert last.message == message
        assert last.message_html == render_markdown(message)  # as the app renders it
    # Exactly what a merge writes today.
    fresh = make_idea(title="Third duplicate")
    merges.merge(staff, fresh, target)
    db.session.commit()
    written = ideas.status_history(fresh)[-1]
    assert (written.message, written.message_html) == (
        expected[plain.id],
        render_markdown(expected[plain.id]),
    )
