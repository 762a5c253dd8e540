"""chat formats for webhook endpoints

Each webhook endpoint gets a message format (the generic signed JSON envelope, which stays
the default for every existing endpoint, or a Slack, Microsoft Teams or Discord message)
and the boards whose ideas it hears about (an empty list: every board, as before).

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


def downgrade():
    with op.batch_alter_table('webhook_endpoints') as batch_op:
        batch_op.drop_column('board_ids')
        batch_op.drop_column('format')
