"""chat formats for webhook endpoints

Each webhook endpoint gets a message format (the generic signed JSON envelope, which stays
the default for every existing endpoint, or a Slack, Microsoft Teams or Discord message)
and the boards whose ideas it hears about (an empty list: every board, as before).
`notification_events.feedback_item_id` names the feedback item a "feedback linked" reply
is about (its one recipient is that item's sender).

Revision ID: 0017_chat_webhooks
Revises: 0016_voc_reports
Create Date: 2026-11-29 18:40:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0017_chat_webhooks'
down_revision = '0016_voc_reports'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('webhook_endpoints') as batch_op:
        batch_op.add_column(
            sa.Column(
                'format',
                sa.Enum('json', 'slack', 'teams', 'discord', name='webhook_format',
                        native_enum=False, length=16),
                server_default='json',
                nullable=False,
            )
        )
        batch_op.add_column(
            sa.Column('board_ids', sa.JSON(), server_default=sa.text("'[]'"), nullable=False)
        )
    with op.batch_alter_table('notification_events') as batch_op:
        batch_op.add_column(sa.Column('feedback_item_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            'fk_notification_events_feedback_item_id_feedback_items',
            'feedback_items',
            ['feedback_item_id'],
            ['id'],
            ondelete='CASCADE',
        )
        batch_op.create_index('ix_notification_events_feedback_item_id', ['feedback_item_id'])


def downgrade():
    with op.batch_alter_table('notification_events') as batch_op:
        batch_op.drop_index('ix_notification_events_feedback_item_id')
        batch_op.drop_constraint(
            'fk_notification_events_feedback_item_id_feedback_items', type_='foreignkey'
        )
        batch_op.drop_column('feedback_item_id')
    with op.batch_alter_table('webhook_endpoints') as batch_op:
        batch_op.drop_column('board_ids')
        batch_op.drop_column('format')
