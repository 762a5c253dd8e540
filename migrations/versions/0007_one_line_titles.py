"""one-line titles and names: line breaks in stored titles become one space

Titles and names end up in email subjects and headers, where a line break ends the header
(the rest fell into the body, or made the message impossible to build). Input now refuses
them; this makes rows stored before that one line: each whitespace run holding a line
break becomes one space, other control characters go, and the ends are stripped. Rows
without any are not touched.

Revision ID: 0007_one_line_titles
Revises: 0006_customers_feedback_api
Create Date: 2026-11-29 12:00:00

"""
import re

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007_one_line_titles'
down_revision = '0006_customers_feedback_api'
branch_labels = None
depends_on = None

#: (table, column) of one-line text. Unique names (companies, segments) are left alone: two
#: of them could become equal.
COLUMNS = [
    ('ideas', 'title'),
    ('changelog_entries', 'title'),
    ('notification_events', 'title'),
    ('themes', 'name'),
    ('themes', 'label'),
    ('boards', 'name'),
    ('users', 'display_name'),
]
#: Line breaks as Python's str.splitlines() knows them (a copy: migrations import no app code).
LINE_BREAKS = '\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029'
BREAK_RUN = re.compile(rf'\s*[{LINE_BREAKS}]\s*')
CONTROL = re.compile(r'[\x00-\x08\x0e-\x1b\x1f\x7f-\x84\x86-\x9f]')
PAGE = 5000


def one_line(value):
    fixed = CONTROL.sub('', BREAK_RUN.sub(' ', value))
    return fixed.strip() if fixed != value else value


def upgrade():
    conn = op.get_bind()
    for table_name, column_name in COLUMNS:
        table = sa.table(table_name, sa.column('id', sa.Integer), sa.column(column_name))
        column = table.c[column_name]
        last_id = 0
        while True:
            rows = conn.execute(
                sa.select(table.c.id, column)
                .where(table.c.id > last_id)
                .order_by(table.c.id)
                .limit(PAGE)
            ).all()
            if not rows:
                break
            last_id = rows[-1][0]
            changed = [
                {'row_id': row_id, 'value': one_line(value)}
                for row_id, value in rows
                if value is not None and one_line(value) != value
            ]
            if changed:
                conn.execute(
                    table.update()
                    .where(table.c.id == sa.bindparam('row_id'))
                    .values({column_name: sa.bindparam('value')}),
                    changed,
                )


def downgrade():
    # Nothing to undo: the old schema takes one-line values as they are, and the line
    # breaks removed were never meant to be there (they cannot be told apart to restore).
    pass
