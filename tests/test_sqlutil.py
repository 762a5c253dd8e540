"""sqlutil: INSERT ... ON CONFLICT DO NOTHING on SQLite and PostgreSQL alike."""

from sqlalchemy import func, select

from vocportal.extensions import db
from vocportal.ideas.models import Vote
from vocportal.sqlutil import insert_ignore
from vocportal.timeutil import utcnow


def _votes(idea) -> int:
    return db.session.scalar(select(func.count()).where(Vote.idea_id == idea.id))


def test_insert_ignore_adds_a_row_once(make_idea, make_user):
    idea, voter = make_idea(), make_user()
    before = _votes(idea)  # the author's own vote
    db.session.execute(insert_ignore(Vote, idea_id=idea.id, user_id=voter.id, created_at=utcnow()))
    assert _votes(idea) == before + 1
    # The same (idea, user) again: no error, no second row.
    db.session.execute(insert_ignore(Vote, idea_id=idea.id, user_id=voter.id, created_at=utcnow()))
    db.session.commit()
    assert _votes(idea) == before + 1


def test_insert_ignore_takes_a_list_of_rows(make_idea, make_user):
    idea, voters = make_idea(), [make_user(), make_user()]
    before = _votes(idea)
    rows = [{"idea_id": idea.id, "user_id": v.id, "created_at": utcnow()} for v in voters]
    db.session.execute(insert_ignore(Vote), rows)
    db.session.execute(insert_ignore(Vote), rows)  # the same rows again: nothing new
    db.session.commit()
    assert _votes(idea) == before + 2
