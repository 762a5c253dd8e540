"""who may see a board: boards.audience and its segment, company and domain lists

Every existing board stays visible to everyone (`audience` 'everyone', empty lists).

Revision ID: 0020_private_boards
Revises: 0019_tags_fields
Create Date: 2026-11-29 18:40:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0020_private_boards'
down_revision = '0019_tags_fields'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ALTER TABLE on every database: `boards` is referenced by ideas, so no batch
    # rebuild (SQLite would refuse to drop the old table under its foreign keys).
    op.add_column(
        'boards',
        sa.Column('audience', sa.String(length=16), server_default='everyone', nullable=False),
    )
    for name in ('audience_segment_ids', 'audience_company_ids', 'audience_domains'):
        op.add_column(
            'boards', sa.Column(name, sa.JSON(), server_default=sa.text("'[]'"), nullable=False)
        )


def downgrade():
    op.drop_column('boards', 'audience_domains')
    op.drop_column('boards', 'audience_company_ids')
    op.drop_column('boards', 'audience_segment_ids')
    op.drop_column('boards', 'audience')
