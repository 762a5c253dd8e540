"""questions to customers and their answers

`questions`: a staff member's question about one idea or one feedback item, put to its
author or to every supporter; `answered_at` is set by the first answer (an idea "needs
info" while a question is unanswered and not closed). `answers`: each customer answer with
the channel it came by (page, signed link, email reply) and, for email, its Message-ID so a
resent reply is stored once. `notification_events.question_id` names the question a
question or answer notification is about (its recipients come from it).

Revision ID: 0015_questions
Revises: 0014_moderation
Create Date: 2026-11-29 18:40:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0015_questions'
down_revision = '0014_moderation'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'questions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('idea_id', sa.Integer(), nullable=True),
        sa.Column('feedback_item_id', sa.Integer(), nullable=True),
        sa.Column('asker_id', sa.Integer(), nullable=False),
        sa.Column('addressees', sa.String(length=16), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('body_html', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('answered_at', sa.DateTime(), nullable=True),
        sa.Column('closed_at', sa.DateTime(), nullable=True),
        sa.CheckConstraint(
            '(idea_id IS NULL) <> (feedback_item_id IS NULL)', name=op.f('ck_questions_one_subject')
        ),
        sa.ForeignKeyConstraint(
            ['idea_id'], ['ideas.id'], name='fk_questions_idea_id_ideas', ondelete='CASCADE'
        ),
        sa.ForeignKeyConstraint(
            ['feedback_item_id'],
            ['feedback_items.id'],
            name='fk_questions_feedback_item_id_feedback_items',
            ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(['asker_id'], ['users.id'], name='fk_questions_asker_id_users'),
        sa.PrimaryKeyConstraint('id', name='pk_questions'),
    )
    op.create_index('ix_questions_idea_id', 'questions', ['idea_id'])
    op.create_index('ix_questions_feedback_item_id', 'questions', ['feedback_item_id'])
    op.create_index('ix_questions_created_at', 'questions', ['created_at'])
    op.create_index('ix_questions_answered_at', 'questions', ['answered_at'])
    op.create_table(
        'answers',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('question_id', sa.Integer(), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=False),
        sa.Column('channel', sa.String(length=8), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('body_html', sa.Text(), nullable=False),
        sa.Column('external_id', sa.String(length=200), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ['question_id'],
            ['questions.id'],
            name='fk_answers_question_id_questions',
            ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(['author_id'], ['users.id'], name='fk_answers_author_id_users'),
        sa.PrimaryKeyConstraint('id', name='pk_answers'),
        sa.UniqueConstraint(
            'question_id', 'external_id', name='uq_answers_question_id_external_id'
        ),
    )
    op.create_index('ix_answers_question_id', 'answers', ['question_id'])
    op.create_index('ix_answers_author_id', 'answers', ['author_id'])
    with op.batch_alter_table('notification_events') as batch:
        batch.add_column(sa.Column('question_id', sa.Integer(), nullable=True))
        batch.create_foreign_key(
            'fk_notification_events_question_id_questions',
            'questions',
            ['question_id'],
            ['id'],
            ondelete='CASCADE',
        )
        batch.create_index('ix_notification_events_question_id', ['question_id'])


def downgrade():
    with op.batch_alter_table('notification_events') as batch:
        batch.drop_index('ix_notification_events_question_id')
        batch.drop_constraint('fk_notification_events_question_id_questions', type_='foreignkey')
        batch.drop_column('question_id')
    op.drop_index('ix_answers_author_id', table_name='answers')
    op.drop_index('ix_answers_question_id', table_name='answers')
    op.drop_table('answers')
    op.drop_index('ix_questions_answered_at', table_name='questions')
    op.drop_index('ix_questions_created_at', table_name='questions')
    op.drop_index('ix_questions_feedback_item_id', table_name='questions')
    op.drop_index('ix_questions_idea_id', table_name='questions')
    op.drop_table('questions')
