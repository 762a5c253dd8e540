"""moderation: held and rejected posts, and one review per screened post

Ideas and comments get a `moderation` column: NULL for a published post (every existing
one), "held" while it waits for staff review, "rejected" once staff turned it down; only
its author and staff see it then. `moderation_reviews` keeps why each post was held or
flagged (the MODERATION setting, a honeypot, a too-fast form, links), its spam signals and
the staff decision with its reason.

Revision ID: 0014_moderation
Revises: 0013_audit_log
Create Date: 2026-12-01 16:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0014_moderation'
down_revision = '0013_audit_log'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ALTER TABLE on every database (no batch rebuild of these big tables on SQLite).
    op.add_column('ideas', sa.Column('moderation', sa.String(length=16), nullable=True))
    op.add_column('comments', sa.Column('moderation', sa.String(length=16), nullable=True))
    op.create_table(
        'moderation_reviews',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('idea_id', sa.Integer(), nullable=False),
        sa.Column('comment_id', sa.Integer(), nullable=True),
        sa.Column('author_id', sa.Integer(), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('reasons', sa.JSON(), nullable=False),
        sa.Column('honeypot', sa.Boolean(), nullable=False),
        sa.Column('seconds_to_submit', sa.Double(), nullable=True),
        sa.Column('link_count', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('decided_at', sa.DateTime(), nullable=True),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ['idea_id'],
            ['ideas.id'],
            name='fk_moderation_reviews_idea_id_ideas',
            ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['comment_id'],
            ['comments.id'],
            name='fk_moderation_reviews_comment_id_comments',
            ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['author_id'], ['users.id'], name='fk_moderation_reviews_author_id_users'
        ),
        sa.ForeignKeyConstraint(
            ['decided_by_id'], ['users.id'], name='fk_moderation_reviews_decided_by_id_users'
        ),
        sa.PrimaryKeyConstraint('id', name='pk_moderation_reviews'),
    )
    op.create_index('ix_moderation_reviews_open', 'moderation_reviews', ['state', 'id'])
    op.create_index('ix_moderation_reviews_idea_id', 'moderation_reviews', ['idea_id'])
    op.create_index('ix_moderation_reviews_comment_id', 'moderation_reviews', ['comment_id'])
    op.create_index('ix_moderation_reviews_author_id', 'moderation_reviews', ['author_id'])


def downgrade():
    op.drop_index('ix_moderation_reviews_author_id', table_name='moderation_reviews')
    op.drop_index('ix_moderation_reviews_comment_id', table_name='moderation_reviews')
    op.drop_index('ix_moderation_reviews_idea_id', table_name='moderation_reviews')
    op.drop_index('ix_moderation_reviews_open', table_name='moderation_reviews')
    op.drop_table('moderation_reviews')
    op.drop_column('comments', 'moderation')
    op.drop_column('ideas', 'moderation')
