"""verified email: when a person proved their address, and a contact's sign-up in waiting

Sign-up no longer trusts the address it is given: a new account confirms it with an
emailed link before it may vote, post or comment, and a sign-up with the address of a
contact (known from feedback, no password) claims the contact's history only when the link
is opened. `email_verified_at` says when the address was proved; `pending_password_hash`
holds a contact's chosen password until then.

Existing accounts with a password were trusted before this and are marked verified (as of
their creation); contacts stay unverified.

Revision ID: 0010_verified_email
Revises: 0009_merge_notes_without_titles
Create Date: 2026-11-30 10:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0010_verified_email'
down_revision = '0009_merge_notes_without_titles'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ALTER TABLE on every database: a batch rebuild of `users` on SQLite would turn its
    # column-level foreign key into a table-level one, which 0006's downgrade cannot drop.
    op.add_column('users', sa.Column('email_verified_at', sa.DateTime(), nullable=True))
    op.add_column('users', sa.Column('pending_password_hash', sa.String(length=255), nullable=True))
    users = sa.table(
        'users',
        sa.column('password_hash', sa.String),
        sa.column('created_at', sa.DateTime),
        sa.column('email_verified_at', sa.DateTime),
    )
    op.execute(
        users.update()
        .where(users.c.password_hash != '')
        .values(email_verified_at=users.c.created_at)
    )


def downgrade():
    op.drop_column('users', 'pending_password_hash')
    op.drop_column('users', 'email_verified_at')
