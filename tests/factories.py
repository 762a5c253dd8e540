"""Factories: tests say what they need (`make_idea(votes=3)`) and nothing more."""

from __future__ import annotations

import itertools

import pytest

from vocportal.accounts import operations as account_ops
from vocportal.accounts.models import Role
from vocportal.extensions import db
from vocportal.ideas import operations as idea_ops
from vocportal.ideas import support
from vocportal.ideas.models import Board

PASSWORD = "correct horse battery"
_seq = itertools.count(1)


@pytest.fixture
def make_user(app):
    def make(
        role: str | Role = Role.customer,
        email: str | None = None,
        name: str | None = None,
        password: str = PASSWORD,
        verified: bool = True,
    ):
        n = next(_seq)
        user = account_ops.create_user(
            email or f"person{n}@example.com",
            name or f"Person {n}",
            password,
            Role(role),
            verified=verified,
        )
        db.session.commit()
        return user

    return make


@pytest.fixture
def make_board(app):
    def make(name: str | None = None, archived: bool = False) -> Board:
        n = next(_seq)
        board = Board(
            slug=f"board-{n}",
            name=name or f"Board {n}",
            description="",
            archived=archived,
            position=n,
        )
        db.session.add(board)
        db.session.commit()
        return board

    return make


@pytest.fixture
def make_idea(app, make_user, make_board):
    def make(
        title: str = "Export timesheets to CSV",
        body: str = "We need this monthly.",
        author=None,
        board=None,
        votes: int = 0,
    ):
        author = author or make_user()
        board = board or make_board()
        idea = idea_ops.create_idea(author, board, title, body)
        db.session.commit()
        for _ in range(votes):
            support.vote(make_user(), idea)
        db.session.commit()
        return idea

    return make


@pytest.fixture
def add_supporters(app):
    """Give an idea `n` voters at once (rows written in bulk: no password hashing per
    person), optionally with an email preference; return their ids."""
    from sqlalchemy import insert, select, update

    from vocportal.accounts.models import EmailPref, User
    from vocportal.ideas.models import Follow, Idea, Vote
    from vocportal.security import hash_password
    from vocportal.timeutil import utcnow

    password_hash = hash_password(PASSWORD)

    def add(idea, n: int, email_pref: EmailPref = EmailPref.immediate) -> list[int]:
        start = next(_seq)
        for _ in range(n):
            next(_seq)
        now = utcnow()
        emails = [f"supporter{start + i}@example.com" for i in range(n)]
        db.session.execute(
            insert(User),
            [
                {
                    "email": e,
                    "display_name": f"Supporter {start + i}",
                    "password_hash": password_hash,
                    "role": Role.customer,
                    "email_pref": email_pref,
                    "blocked": False,
                    "session_version": 1,
                    "created_at": now,
                }
                for i, e in enumerate(emails)
            ],
        )
        ids = list(db.session.scalars(select(User.id).where(User.email.in_(emails))))
        db.session.execute(
            insert(Vote), [{"idea_id": idea.id, "user_id": u, "created_at": now} for u in ids]
        )
        db.session.execute(
            insert(Follow),
            [{"idea_id": idea.id, "user_id": u, "created_at": now, "muted": False} for u in ids],
        )
        db.session.execute(
            update(Idea).where(Idea.id == idea.id).values(vote_count=Idea.vote_count + len(ids))
        )
        db.session.commit()
        return ids

    return add
