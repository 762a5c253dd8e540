"""tracker links: ideas linked to GitHub, GitLab, Jira and Linear issues

`tracker_links` ties an idea to an issue (by the key the tracker's webhooks use) and logs
the comment a new link posts on the issue; `tracker_deliveries` records each tracker
webhook delivery handled, unique per tracker and delivery id, so a retry or a replay moves
nothing twice; `tracker_mappings` holds the admin's idea status per issue state (no row:
the built-in default).

Revision ID: 0021_tracker_links
Revises: 0020_private_boards
Create Date: 2026-11-29 18:45:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0021_tracker_links"
down_revision = "0020_private_boards"
branch_labels = None
depends_on = None

TRACKER = sa.Enum(
    "github", "gitlab", "jira", "linear", name="tracker", native_enum=False, length=16
)
STATUS = sa.Enum(
    "open",
    "under_review",
    "planned",
    "in_progress",
    "shipped",
    "declined",
    "duplicate",
    name="idea_status",
    native_enum=False,
    length=16,
)


def upgrade():
    op.create_table(
        "tracker_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("idea_id", sa.Integer(), nullable=False),
        sa.Column("tracker", TRACKER, nullable=False),
        sa.Column("issue_key", sa.String(length=200), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column(
            "comment_state",
            sa.Enum(
                "pending",
                "sent",
                "failed",
                "skipped",
                name="tracker_comment_state",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("comment_attempts", sa.Integer(), nullable=False),
        sa.Column("comment_error", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["idea_id"], ["ideas.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("idea_id", "tracker", "issue_key"),
    )
    op.create_index("ix_tracker_links_idea_id", "tracker_links", ["idea_id"])
    op.create_index("ix_tracker_links_issue_key", "tracker_links", ["issue_key"])
    op.create_table(
        "tracker_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tracker", TRACKER, nullable=False),
        sa.Column("delivery_id", sa.String(length=200), nullable=False),
        sa.Column("issue_key", sa.String(length=200), nullable=False),
        sa.Column("outcome", sa.String(length=200), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("tracker", "delivery_id"),
    )
    op.create_table(
        "tracker_mappings",
        sa.Column(
            "state",
            sa.Enum(
                "opened",
                "started",
                "completed",
                "not_planned",
                "reopened",
                name="issue_state",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("status", STATUS, nullable=True),
        sa.PrimaryKeyConstraint("state"),
    )


def downgrade():
    op.drop_table("tracker_mappings")
    op.drop_table("tracker_deliveries")
    op.drop_index("ix_tracker_links_issue_key", table_name="tracker_links")
    op.drop_index("ix_tracker_links_idea_id", table_name="tracker_links")
    op.drop_table("tracker_links")
