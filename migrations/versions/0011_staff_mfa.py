"""staff mfa: a TOTP authenticator per person, and their single-use recovery codes

`users.totp_secret` holds the person's TOTP secret, encrypted (Fernet, a key derived from
SECRET_KEY); `totp_enabled_at` says since when login asks for a code (NULL: never, or an
admin reset it); `totp_last_step` is the 30-second time step of the last code accepted, so
a code cannot be used twice. `recovery_codes` holds ten salted SHA-256 digests per person,
each used at most once (`used_at`).

Revision ID: 0011_staff_mfa
Revises: 0010_verified_email
Create Date: 2026-12-01 10:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0011_staff_mfa'
down_revision = '0010_verified_email'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ALTER TABLE (see 0010: a batch rebuild of users on SQLite breaks 0006's downgrade).
    op.add_column('users', sa.Column('totp_secret', sa.String(length=255), nullable=True))
    op.add_column('users', sa.Column('totp_enabled_at', sa.DateTime(), nullable=True))
    op.add_column('users', sa.Column('totp_last_step', sa.BigInteger(), nullable=True))
    op.create_table(
        'recovery_codes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('code_hash', sa.String(length=128), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('used_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ['user_id'], ['users.id'], name='fk_recovery_codes_user_id_users', ondelete='CASCADE'
        ),
        sa.PrimaryKeyConstraint('id', name='pk_recovery_codes'),
    )
    op.create_index('ix_recovery_codes_user_id', 'recovery_codes', ['user_id'])


def downgrade():
    op.drop_index('ix_recovery_codes_user_id', table_name='recovery_codes')
    op.drop_table('recovery_codes')
    op.drop_column('users', 'totp_last_step')
    op.drop_column('users', 'totp_enabled_at')
    op.drop_column('users', 'totp_secret')
