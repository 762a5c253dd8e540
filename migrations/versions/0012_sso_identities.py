"""sso identities: which provider account (issuer + subject) signs in as which person

Single sign-on with OpenID Connect links a provider's identity to a portal account once
(by a verified email, or by creating the account); later sign-ins find the account by the
ID token's (iss, sub), whatever email the provider sends then.

Revision ID: 0012_sso_identities
Revises: 0011_staff_mfa
Create Date: 2026-12-01 11:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0012_sso_identities'
down_revision = '0011_staff_mfa'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'sso_identities',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('provider', sa.String(length=64), nullable=False),
        sa.Column('issuer', sa.String(length=255), nullable=False),
        sa.Column('subject', sa.String(length=255), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('last_login_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ['user_id'], ['users.id'], name='fk_sso_identities_user_id_users', ondelete='CASCADE'
        ),
        sa.PrimaryKeyConstraint('id', name='pk_sso_identities'),
        sa.UniqueConstraint('issuer', 'subject', name='uq_sso_identities_issuer'),
    )
    op.create_index('ix_sso_identities_user_id', 'sso_identities', ['user_id'], unique=False)


def downgrade():
    op.drop_index('ix_sso_identities_user_id', table_name='sso_identities')
    op.drop_table('sso_identities')
