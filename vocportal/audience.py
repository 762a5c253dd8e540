"""Who stands behind an idea: the one place that says who asks for it and who hears about it.

A person relates to an idea in five ways (`Relation`). Three sets are built from them, and
every feature uses these instead of its own query:

- **Demand** (`DEMAND`): the people *asking* for the idea: its author, its voters and the
  senders of feedback staff linked to it. Demand figures, weighted demand by segment, "who
  is asking" and theme demand count these. Commenting is not asking (a comment may
  disagree), and following is interest, not demand.
- **Told the outcome** (`Audience.status_update`): everyone who should hear what became of
  the idea: demand plus commenters and followers. Status updates reach them, and the
  metric "share of supporters told the outcome" counts exactly them.
- **In the conversation** (`Audience.staff_comment`): the author and followers. A staff
  comment (an answer or a question) reaches them; voters follow when they vote, so they hear
  it unless they opted out.
- **Asked a question** (`Audience.question_supporters`, `Audience.question_author`): staff
  put a question to the idea's demand, or to its author only (`vocportal.questions`).

Whoever hears, three kinds of people never do: those who opted out of the idea (a muted
follow), blocked people, and people who may not see the idea's board (a private board:
`vocportal.ideas.board_access`). The person who caused a notification is left out where it is
sent (`vocportal.notifications.delivery`), not here.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable

from sqlalchemy import Select, literal, select, union_all

from vocportal.accounts.models import Role, User
from vocportal.extensions import db
from vocportal.feedback.models import FeedbackItem
from vocportal.ideas.board_access import people_who_see
from vocportal.ideas.models import Comment, Follow, Idea, Vote


class Relation(enum.Enum):
    """How a person stands behind an idea."""

    author = "author"
    voter = "voter"
    commenter = "commenter"
    #: Follows it and has not opted out (voters, commenters and the author follow too).
    follower = "follower"
    #: Sent feedback (any channel, with or without an account) that staff linked to it.
    feedback_sender = "feedback_sender"


#: The people asking for an idea: what demand counts.
DEMAND: frozenset[Relation] = frozenset({Relation.author, Relation.voter, Relation.feedback_sender})


class Audience(enum.Enum):
    """Who hears about an idea, by what happened to it."""

    #: A status update (the outcome): demand, commenters and followers.
    status_update = frozenset(DEMAND | {Relation.commenter, Relation.follower})
    #: A staff comment: the author and followers.
    staff_comment = frozenset({Relation.author, Relation.follower})
    #: A staff question to every supporter (`vocportal.questions`): the people asking for
    #: it (demand).
    question_supporters = frozenset(DEMAND)
    #: A staff question to the idea's author.
    question_author = frozenset({Relation.author})


def _acts(relation: Relation, idea_ids, user_ids) -> Select:
    """(idea_id, user_id, relation, at) for one relation, narrowed to ideas and/or people."""
    model, idea_col, user_col, at_col, extra = {
        Relation.author: (Idea, Idea.id, Idea.author_id, Idea.created_at, ()),
        Relation.voter: (Vote, Vote.idea_id, Vote.user_id, Vote.created_at, ()),
        Relation.commenter: (Comment, Comment.idea_id, Comment.author_id, Comment.created_at, ()),
        Relation.follower: (
            Follow,
            Follow.idea_id,
            Follow.user_id,
            Follow.created_at,
            (Follow.muted.is_(False),),
        ),
        Relation.feedback_sender: (
            FeedbackItem,
            FeedbackItem.idea_id,
            FeedbackItem.author_id,
            FeedbackItem.received_at,
            (FeedbackItem.idea_id.is_not(None),),
        ),
    }[relation]
    stmt = select(
        idea_col.label("idea_id"),
        user_col.label("user_id"),
        literal(relation.value).label("relation"),
        at_col.label("at"),
    ).select_from(model)
    stmt = stmt.where(*extra)
    if idea_ids is not None:
        stmt = stmt.where(idea_col.in_(idea_ids))
    if user_ids is not None:
        stmt = stmt.where(user_col.in_(user_ids))
    return stmt


def relations(
    kinds: Iterable[Relation] = tuple(Relation),
    *,
    idea_ids: Iterable[int] | None = None,
    user_ids: Iterable[int] | None = None,
) -> Select:
    """Every act behind ideas: rows of (idea_id, user_id, relation, at), one per vote,
    comment, follow, linked feedback item or authorship, narrowed to `idea_ids` and/or
    `user_ids` when given. A person may appear several times for one idea."""
    idea_ids = list(idea_ids) if idea_ids is not None else None
    user_ids = list(user_ids) if user_ids is not None else None
    parts = [_acts(r, idea_ids, user_ids) for r in Relation if r in set(kinds)]
    stmt = union_all(*parts).subquery()
    return select(stmt.c.idea_id, stmt.c.user_id, stmt.c.relation, stmt.c.at)


def demand_pairs(idea_ids: Iterable[int]) -> Select:
    """(idea_id, user_id), once per person and idea, for the people asking for the ideas."""
    return _pairs(DEMAND, list(idea_ids))


def _pairs(kinds: Iterable[Relation], idea_ids: list[int]) -> Select:
    acts = union_all(*(_acts(r, idea_ids, None) for r in Relation if r in set(kinds))).subquery()
    return select(acts.c.idea_id, acts.c.user_id).distinct()


def muted(idea_ids: Iterable[int]) -> Select:
    """(idea_id, user_id) for the people who opted out of those ideas."""
    return select(Follow.idea_id, Follow.user_id).where(
        Follow.idea_id.in_(list(idea_ids)), Follow.muted.is_(True)
    )


def hearing(audience: Audience, idea_ids: Iterable[int], *, customers_only: bool = False) -> Select:
    """(idea_id, user_id), once per person and idea, for the people who hear `audience`
    news about those ideas: the relations it names, minus people who opted out of the idea,
    blocked people and people who may not see the idea's board (`customers_only` also leaves
    out staff and admins)."""
    idea_ids = list(idea_ids)
    pairs = _pairs(audience.value, idea_ids).subquery()
    opted_out = muted(idea_ids).subquery()
    stmt = (
        select(pairs.c.idea_id, pairs.c.user_id)
        .join(User, User.id == pairs.c.user_id)
        .where(User.blocked.is_(False))
        .where(
            ~select(opted_out.c.user_id)
            .where(opted_out.c.idea_id == pairs.c.idea_id, opted_out.c.user_id == pairs.c.user_id)
            .exists()
        )
    )
    board_ids = db.session.scalars(select(Idea.board_id).where(Idea.id.in_(idea_ids)).distinct())
    board_rule = people_who_see(Idea.board_id, board_ids)
    if board_rule is not None:
        stmt = stmt.join(Idea, Idea.id == pairs.c.idea_id).where(board_rule)
    if customers_only:
        stmt = stmt.where(User.role.not_in([Role.staff, Role.admin]))
    return stmt
