"""weekly voice-of-customer report subscribers and theme followers

`weekly_reports` keeps each week's report as built (its figures as JSON, one per week);
`report_subscribers` the addresses an admin subscribed (no account needed) and whether
they unsubscribed; `report_opt_outs` staff who unsubscribed (staff get it by default);
`theme_follows` colleagues following a theme; `report_deliveries` one email per (report,
kind, address), claimed before sending and marked sent after, so a week's report reaches
each recipient once.

Revision ID: 0016_voc_reports
Revises: 0015_questions
Create Date: 2026-11-29 18:40:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0016_voc_reports"
down_revision = "0015_questions"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "weekly_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("week_start", sa.Date(), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.Column("built_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_weekly_reports"),
        sa.UniqueConstraint("week_start", name="uq_weekly_reports_week_start"),
    )
    op.create_table(
        "report_subscribers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("added_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("unsubscribed_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["added_by_id"],
            ["users.id"],
            name="fk_report_subscribers_added_by_id_users",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_report_subscribers"),
        sa.UniqueConstraint("email", name="uq_report_subscribers_email"),
    )
    op.create_table(
        "report_opt_outs",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_report_opt_outs_user_id_users", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", name="pk_report_opt_outs"),
    )
    op.create_table(
        "theme_follows",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("theme_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_theme_follows_user_id_users", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["theme_id"],
            ["themes.id"],
            name="fk_theme_follows_theme_id_themes",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "theme_id", name="pk_theme_follows"),
    )
    op.create_index("ix_theme_follows_theme_id", "theme_follows", ["theme_id"])
    op.create_table(
        "report_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("subscriber_id", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("themes", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("claimed_at", sa.DateTime(), nullable=True),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["weekly_reports.id"],
            name="fk_report_deliveries_report_id_weekly_reports",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_report_deliveries_user_id_users", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["subscriber_id"],
            ["report_subscribers.id"],
            name="fk_report_deliveries_subscriber_id_report_subscribers",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_report_deliveries"),
        sa.UniqueConstraint(
            "report_id", "kind", "email", name="uq_report_deliveries_report_id_kind_email"
        ),
    )
    op.create_index("ix_report_deliveries_queue", "report_deliveries", ["report_id", "state"])


def downgrade():
    op.drop_index("ix_report_deliveries_queue", table_name="report_deliveries")
    op.drop_table("report_deliveries")
    op.drop_index("ix_theme_follows_theme_id", table_name="theme_follows")
    op.drop_table("theme_follows")
    op.drop_table("report_opt_outs")
    op.drop_table("report_subscribers")
    op.drop_table("weekly_reports")
