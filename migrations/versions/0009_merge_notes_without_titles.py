"""merge notes without titles: a duplicate's timeline names its target by number only

Merging idea A into B used to write "Merged into [B's title](/ideas/B): ..." on A's public
timeline; if B is later hidden or withdrawn, that note went on showing B's title to
everyone. Merges now write "Merged into [idea #B](/ideas/B): ..." (the page names B only
to readers who may see it); this rewrites the notes written before, in `message` and in
`message_html` (rendered again from the rewritten Markdown, exactly as the app renders it).
A staff message written above the note is kept as it is. Rows without such a note are not
touched.

Revision ID: 0009_merge_notes_without_titles
Revises: 0008_token_credential_version
Create Date: 2026-11-29 14:00:00

"""
import re

import nh3
import sqlalchemy as sa
from alembic import op
from markdown_it import MarkdownIt

# revision identifiers, used by Alembic.
revision = '0009_merge_notes_without_titles'
down_revision = '0008_token_credential_version'
branch_labels = None
depends_on = None

#: The note a merge wrote last in the duplicate's status message (the title may hold
#: brackets, and before titles were one line, line breaks).
OLD_NOTE = re.compile(
    r'Merged into \[(?P<title>.*)\]\(/ideas/(?P<id>\d+)\): votes and followers moved there\.',
    re.DOTALL,
)
NEW_NOTE = 'Merged into [idea #{id}](/ideas/{id}): votes and followers moved there.'
START = 'Merged into ['
PAGE = 1000

# A copy of vocportal.markdown.render_markdown as it is now (migrations import no app code).
_md = MarkdownIt('js-default', {'linkify': False, 'typographer': False}).enable('table')
ALLOWED_TAGS = {
    'a', 'p', 'br', 'hr', 'em', 'strong', 'code', 'pre', 'blockquote', 'ul', 'ol', 'li',
    'h3', 'h4', 'h5', 'h6', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'del',
}
ALLOWED_ATTRIBUTES = {'a': {'href', 'title'}, 'th': {'align'}, 'td': {'align'}}


def render_markdown(text):
    html = _md.render(text or '')
    html = html.replace('<h1>', '<h3>').replace('</h1>', '</h3>')
    html = html.replace('<h2>', '<h3>').replace('</h2>', '</h3>')
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={'http', 'https', 'mailto'},
        link_rel='nofollow noopener noreferrer ugc',
    )


def without_title(message):
    """The message with its merge note naming the target by number, or None if it has none.

    The note starts the message or follows the staff message after a blank line; the first
    such start whose rest is the whole note wins (a title may itself hold "Merged into [")."""
    start = message.find(START)
    while start != -1:
        if start == 0 or message[:start].endswith('\n\n'):
            note = OLD_NOTE.fullmatch(message, start)
            if note:
                return message[:start] + NEW_NOTE.format(id=note.group('id'))
        start = message.find(START, start + 1)
    return None


def upgrade():
    conn = op.get_bind()
    changes = sa.table(
        'status_changes',
        sa.column('id', sa.Integer),
        sa.column('new_status', sa.String),
        sa.column('message', sa.Text),
        sa.column('message_html', sa.Text),
    )
    last_id = 0
    while True:
        rows = conn.execute(
            sa.select(changes.c.id, changes.c.message)
            .where(
                changes.c.id > last_id,
                changes.c.new_status == 'duplicate',
                changes.c.message.like('%Merged into [%'),
            )
            .order_by(changes.c.id)
            .limit(PAGE)
        ).all()
        if not rows:
            break
        last_id = rows[-1][0]
        rewritten = []
        for row_id, message in rows:
            new = without_title(message)
            if new is not None and new != message:
                rewritten.append(
                    {'row_id': row_id, 'message': new, 'message_html': render_markdown(new)}
                )
        if rewritten:
            conn.execute(
                changes.update()
                .where(changes.c.id == sa.bindparam('row_id'))
                .values(message=sa.bindparam('message'), message_html=sa.bindparam('message_html')),
                rewritten,
            )


def downgrade():
    # Nothing to undo: the titles are not kept (that is the point), and the old schema shows
    # the new notes as they are.
    pass
