"""vote budgets: how many open ideas each customer may vote for on a board

`boards.vote_budget` is NULL (no limit) on every existing board, so nothing changes until
an admin sets one.

Revision ID: 0022_vote_budgets
Revises: 0021_tracker_links
Create Date: 2026-11-29 19:10:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0022_vote_budgets'
down_revision = '0021_tracker_links'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('boards', sa.Column('vote_budget', sa.Integer(), nullable=True))


def downgrade():
    op.drop_column('boards', 'vote_budget')
