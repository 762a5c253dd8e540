"""api tokens: why a token was revoked (a password change or reset now revokes them all)

A token that outlived its owner's password change or reset would let whoever stole it keep
using the account after its recovery; such tokens are now revoked, and the token page says
why. Tokens revoked before this keep an empty reason.

Revision ID: 0008_token_credential_version
Revises: 0007_one_line_titles
Create Date: 2026-11-29 13:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008_token_credential_version'
down_revision = '0007_one_line_titles'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                'revoked_reason',
                sa.Enum(
                    'owner',
                    'password_changed',
                    'password_reset',
                    name='token_revocation',
                    native_enum=False,
                    length=20,
                ),
                nullable=True,
            )
        )


def downgrade():
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_column('revoked_reason')
