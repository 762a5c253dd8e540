"""custom statuses, each of a built-in kind, and expected dates

`statuses` holds the statuses admins define: a name, colour, description, order and
whether customers see it, each of one built-in kind (open, under review, planned, in
progress, shipped, declined). The six built-in statuses become its first six rows, with
the names and colours they had, so nothing changes meaning or look.

`ideas.status` stays the kind (roadmap, voting, metrics, changelog and the API read it);
`ideas.status_id` adds the custom status shown (NULL: the kind's default, which every
existing idea keeps). `status_changes` remembers the custom statuses before and after.
`ideas.target_period` is the expected month ("2027-03") or quarter ("2027-Q2").

Revision ID: 0018_custom_statuses
Revises: 0017_chat_webhooks
Create Date: 2026-11-29 18:40:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0018_custom_statuses"
down_revision = "0017_chat_webhooks"
branch_labels = None
depends_on = None

DEFAULTS = [
    ("open", "Open", "grey"),
    ("under_review", "Under review", "orange"),
    ("planned", "Planned", "blue"),
    ("in_progress", "In progress", "purple"),
    ("shipped", "Shipped", "green"),
    ("declined", "Declined", "red"),
]

# (table, column): the new references to `statuses`.
REFERENCES = [
    ("ideas", "status_id"),
    ("status_changes", "old_status_id"),
    ("status_changes", "new_status_id"),
]


def upgrade():
    statuses = op.create_table(
        "statuses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("colour", sa.String(length=16), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("is_public", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_statuses")),
    )
    op.bulk_insert(
        statuses,
        [
            {
                "kind": kind,
                "name": name,
                "colour": colour,
                "description": "",
                "position": position,
                "is_public": True,
            }
            for position, (kind, name, colour) in enumerate(DEFAULTS, start=1)
        ],
    )
    # Plain ALTERs, not a batch: rebuilding `ideas` on SQLite would drop its search triggers.
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table, column in REFERENCES:
        name = f"fk_{table}_{column}_statuses"
        if sqlite:  # SQLite takes a foreign key only inline, in the ADD COLUMN itself
            op.execute(
                f"ALTER TABLE {table} ADD COLUMN {column} INTEGER "
                f"CONSTRAINT {name} REFERENCES statuses (id)"
            )
        else:
            op.add_column(table, sa.Column(column, sa.Integer(), nullable=True))
            op.create_foreign_key(name, table, "statuses", [column], ["id"])
    op.create_index(op.f("ix_ideas_status_id"), "ideas", ["status_id"], unique=False)
    op.add_column("ideas", sa.Column("target_period", sa.String(length=7), nullable=True))


def downgrade():
    op.drop_column("ideas", "target_period")
    op.drop_index(op.f("ix_ideas_status_id"), table_name="ideas")
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table, column in reversed(REFERENCES):
        if not sqlite:
            op.drop_constraint(f"fk_{table}_{column}_statuses", table, type_="foreignkey")
        op.drop_column(table, column)
    op.drop_table("statuses")
