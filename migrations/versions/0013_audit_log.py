"""audit log: an append-only record of staff and admin actions

One row per action (who, when, what, to what, from where). Rows are never updated or
deleted; on PostgreSQL a trigger refuses it, except an update in a transaction that set
`vocportal.audit_forget` (erasure blanks a deleted person's name and email).

Revision ID: 0013_audit_log
Revises: 0012_sso_identities
Create Date: 2026-12-01 15:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0013_audit_log'
down_revision = '0012_sso_identities'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'audit_entries',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('actor_email', sa.String(length=254), nullable=False),
        sa.Column('actor_name', sa.String(length=80), nullable=False),
        sa.Column('action', sa.String(length=64), nullable=False),
        sa.Column('target_type', sa.String(length=32), nullable=False),
        sa.Column('target_id', sa.Integer(), nullable=True),
        sa.Column('summary', sa.String(length=300), nullable=False),
        sa.Column('details', sa.JSON(), nullable=False),
        sa.Column('origin', sa.String(length=16), nullable=False),
        sa.Column('ip', sa.String(length=45), nullable=False),
        sa.Column('user_agent', sa.String(length=255), nullable=False),
        sa.PrimaryKeyConstraint('id', name='pk_audit_entries'),
    )
    op.create_index('ix_audit_entries_at', 'audit_entries', ['at'], unique=False)
    op.create_index('ix_audit_entries_actor_id', 'audit_entries', ['actor_id'], unique=False)
    op.create_index('ix_audit_entries_action', 'audit_entries', ['action'], unique=False)
    op.create_index(
        'ix_audit_entries_target', 'audit_entries', ['target_type', 'target_id'], unique=False
    )
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(
            """
            CREATE FUNCTION audit_entries_append_only() RETURNS trigger AS $$
            BEGIN
                IF TG_OP = 'UPDATE'
                   AND current_setting('vocportal.audit_forget', true) = 'on' THEN
                    RETURN NEW;
                END IF;
                RAISE EXCEPTION 'audit entries are append-only (% refused)', TG_OP;
            END;
            $$ LANGUAGE plpgsql
            """
        )
        op.execute(
            """
            CREATE TRIGGER audit_entries_append_only
            BEFORE UPDATE OR DELETE ON audit_entries
            FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only()
            """
        )


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP TRIGGER audit_entries_append_only ON audit_entries')
        op.execute('DROP FUNCTION audit_entries_append_only()')
    op.drop_index('ix_audit_entries_target', table_name='audit_entries')
    op.drop_index('ix_audit_entries_action', table_name='audit_entries')
    op.drop_index('ix_audit_entries_actor_id', table_name='audit_entries')
    op.drop_index('ix_audit_entries_at', table_name='audit_entries')
    op.drop_table('audit_entries')
