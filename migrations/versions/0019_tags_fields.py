"""tags and custom fields

`tags` (coloured, public or internal) with `idea_tags` and `feedback_tags`; `board_fields`,
the questions a board asks on the new-idea form (text, number, single or multiple choice,
date; required or optional; shown to customers or to staff only), and `field_values`, each
answer in the column of its type (one row per option of a multiple-choice answer).

Revision ID: 0019_tags_fields
Revises: 0018_custom_statuses
Create Date: 2026-11-29 18:40:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0019_tags_fields'
down_revision = '0018_custom_statuses'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'tags',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=40), nullable=False),
        sa.Column('slug', sa.String(length=40), nullable=False),
        sa.Column('colour', sa.String(length=7), nullable=False),
        sa.Column('public', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name='pk_tags'),
        sa.UniqueConstraint('slug', name='uq_tags_slug'),
    )
    op.create_table(
        'idea_tags',
        sa.Column('idea_id', sa.Integer(), nullable=False),
        sa.Column('tag_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ['idea_id'], ['ideas.id'], name='fk_idea_tags_idea_id_ideas', ondelete='CASCADE'
        ),
        sa.ForeignKeyConstraint(
            ['tag_id'], ['tags.id'], name='fk_idea_tags_tag_id_tags', ondelete='CASCADE'
        ),
        sa.PrimaryKeyConstraint('idea_id', 'tag_id', name='pk_idea_tags'),
    )
    op.create_index('ix_idea_tags_tag_id', 'idea_tags', ['tag_id'])
    op.create_table(
        'feedback_tags',
        sa.Column('feedback_id', sa.Integer(), nullable=False),
        sa.Column('tag_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ['feedback_id'],
            ['feedback_items.id'],
            name='fk_feedback_tags_feedback_id_feedback_items',
            ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['tag_id'], ['tags.id'], name='fk_feedback_tags_tag_id_tags', ondelete='CASCADE'
        ),
        sa.PrimaryKeyConstraint('feedback_id', 'tag_id', name='pk_feedback_tags'),
    )
    op.create_index('ix_feedback_tags_tag_id', 'feedback_tags', ['tag_id'])
    op.create_table(
        'board_fields',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('board_id', sa.Integer(), nullable=False),
        sa.Column('label', sa.String(length=80), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('choices', sa.JSON(), nullable=False),
        sa.Column('required', sa.Boolean(), nullable=False),
        sa.Column('public', sa.Boolean(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ['board_id'], ['boards.id'], name='fk_board_fields_board_id_boards', ondelete='CASCADE'
        ),
        sa.PrimaryKeyConstraint('id', name='pk_board_fields'),
    )
    op.create_index('ix_board_fields_board_id', 'board_fields', ['board_id'])
    op.create_table(
        'field_values',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('idea_id', sa.Integer(), nullable=False),
        sa.Column('field_id', sa.Integer(), nullable=False),
        sa.Column('text_value', sa.String(length=2000), nullable=True),
        sa.Column('number_value', sa.Double(), nullable=True),
        sa.Column('date_value', sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ['idea_id'], ['ideas.id'], name='fk_field_values_idea_id_ideas', ondelete='CASCADE'
        ),
        sa.ForeignKeyConstraint(
            ['field_id'],
            ['board_fields.id'],
            name='fk_field_values_field_id_board_fields',
            ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name='pk_field_values'),
        sa.UniqueConstraint(
            'idea_id',
            'field_id',
            'text_value',
            name='uq_field_values_idea_id_field_id_text_value',
        ),
    )
    op.create_index('ix_field_values_idea_id', 'field_values', ['idea_id'])
    op.create_index('ix_field_values_filter', 'field_values', ['field_id', 'text_value'])


def downgrade():
    op.drop_table('field_values')
    op.drop_table('board_fields')
    op.drop_table('feedback_tags')
    op.drop_table('idea_tags')
    op.drop_table('tags')
