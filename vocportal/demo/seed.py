"""Load the demo portal: boards, people, ideas, votes, comments and staff history.

Customers' rows are inserted in bulk with back-dated timestamps, then each idea's counters
are set from its rows, so the demo obeys the same invariants as live data. What staff did
(triage, status updates, answers, changelog entries and the notifications they sent) goes
through the portal's own operations: see `vocportal.demo.history`.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import timedelta

from sqlalchemy import func, insert, select

from vocportal.accounts.models import Role, User
from vocportal.companies.models import Company
from vocportal.customers.models import Segment
from vocportal.demo import content, history
from vocportal.demo import questions as demo_questions
from vocportal.demo import statuses as demo_statuses
from vocportal.demo import tags as demo_tags
from vocportal.demo import trackers as demo_trackers
from vocportal.extensions import db
from vocportal.feedback.models import FeedbackItem, FeedbackSource
from vocportal.ideas.models import (
    Board,
    BoardAudience,
    Comment,
    Follow,
    Idea,
    StatusChange,
    Vote,
)
from vocportal.ideas.support import trend_weight
from vocportal.markdown import render_markdown
from vocportal.reports import operations as reports
from vocportal.reports.figures import last_complete_week
from vocportal.security import hash_password
from vocportal.timeutil import utcnow

#: Who to log in as in the demo; printed by `vocportal demo`.
DEMO_LOGINS = {
    "admin": ("admin@tallyhive.example", "tallyhive-admin-demo"),
    "staff": ("staff@tallyhive.example", "tallyhive-staff-demo"),
    "customer": ("customer@brightlane.example", "tallyhive-customer-demo"),
}


def database_is_empty() -> bool:
    return not db.session.scalar(select(func.count()).select_from(Idea))


def _email(name: str, company: dict) -> str:
    first, *rest = name.lower().replace("'", "").split()
    last = rest[-1] if rest else "x"
    return f"{first}.{last}@{company['domain']}"


def seed(seed_value: int = 7) -> dict[str, int]:
    """Insert the demo data and commit; return how many of each thing were made."""
    rng = random.Random(seed_value)
    now = utcnow()

    boards = {}
    for position, spec in enumerate(content.BOARDS):
        board = Board(
            slug=spec["slug"], name=spec["name"], description=spec["description"], position=position
        )
        db.session.add(board)
        boards[spec["slug"]] = board

    people_hash = hash_password(DEMO_LOGINS["customer"][1])
    staff = [
        User(
            email=DEMO_LOGINS["admin"][0],
            display_name="Ada Okafor (Tallyhive)",
            password_hash=hash_password(DEMO_LOGINS["admin"][1]),
            role=Role.admin,
        ),
        User(
            email=DEMO_LOGINS["staff"][0],
            display_name="Sam Lindqvist (Tallyhive)",
            password_hash=hash_password(DEMO_LOGINS["staff"][1]),
            role=Role.staff,
        ),
    ]
    customers = [
        User(
            email=DEMO_LOGINS["customer"][0],
            display_name="Casey Morgan",
            password_hash=people_hash,
            role=Role.customer,
            created_at=now - timedelta(days=200),
        )
    ]
    seen = {u.email for u in staff + customers}
    for name in content.CUSTOMER_NAMES:
        company = rng.choice(content.COMPANIES)
        email = _email(name, company)
        if email in seen:
            continue
        seen.add(email)
        customers.append(
            User(
                email=email,
                display_name=name,
                password_hash=people_hash,
                role=Role.customer,
                created_at=now - timedelta(days=rng.randint(30, 365)),
            )
        )
    db.session.add_all(staff + customers)
    db.session.flush()
    for person in staff + customers:
        # Demo people proved their addresses when they joined, so they may vote and post.
        person.email_verified_at = person.created_at

    ideas_spec = list(content.IDEAS)
    rng.shuffle(ideas_spec)
    ideas = []
    for spec in ideas_spec:
        created = now - timedelta(days=rng.uniform(0.2, 180))
        ideas.append(
            Idea(
                board=boards[spec["board"]],
                author=rng.choice(customers),
                title=spec["title"],
                body=spec["body"],
                body_html=render_markdown(spec["body"]),
                created_at=created,
                updated_at=created,
            )
        )
    db.session.add_all(ideas)
    db.session.flush()

    # Who supports what comes first; the staff history decides when ideas closed, and
    # nobody votes or comments on an idea after it shipped or was declined.
    vote_sets: dict[int, set[int]] = {}
    for idea in ideas:
        # A long tail: most ideas get a few votes, some get many.
        n = min(len(customers) - 1, int(rng.paretovariate(1.3)) + rng.randint(0, 3))
        vote_sets[idea.id] = {idea.author_id, *(u.id for u in rng.sample(customers, n))}
    story = history.plan(rng, ideas, {i: len(v) for i, v in vote_sets.items()}, staff, now)
    # The demo customer supports a few ideas staff took up, so their bell has a story.
    taken_up = [i for i in ideas if i.id in story.status]
    for idea in rng.sample(taken_up, 6):
        vote_sets[idea.id].add(customers[0].id)

    votes, follows, comments = [], set(), []
    for idea in ideas:
        span = (story.closed_at.get(idea.id, now) - idea.created_at).total_seconds()
        for user_id in sorted(vote_sets[idea.id]):
            at = (
                idea.created_at
                if user_id == idea.author_id
                else (idea.created_at + timedelta(seconds=rng.uniform(0, span)))
            )
            votes.append({"idea_id": idea.id, "user_id": user_id, "created_at": at})
            follows.add((idea.id, user_id))
        for _ in range(min(6, int(rng.expovariate(0.8)))):
            author = rng.choice(customers)
            at = idea.created_at + timedelta(seconds=rng.uniform(0, span))
            body = rng.choice(content.COMMENTS)
            comments.append(
                {
                    "idea_id": idea.id,
                    "author_id": author.id,
                    "body": body,
                    "body_html": render_markdown(body),
                    "created_at": at,
                    "is_official": False,
                }
            )
            follows.add((idea.id, author.id))

    db.session.execute(insert(Vote), votes)
    db.session.execute(insert(Comment), comments)
    db.session.execute(
        insert(Follow),
        [{"idea_id": i, "user_id": u, "created_at": now} for i, u in sorted(follows)],
    )

    comment_counts: dict[int, int] = defaultdict(int)
    for row in comments:
        comment_counts[row["idea_id"]] += 1
    trend: dict[int, float] = defaultdict(float)
    for row in votes:
        trend[row["idea_id"]] += trend_weight(row["created_at"])
    for idea in ideas:
        idea.vote_count = len(vote_sets[idea.id])
        idea.comment_count = comment_counts[idea.id]
        idea.trend_score = trend[idea.id]
    feedback_count = _seed_customers(rng, customers, now)
    db.session.flush()
    # One private board: admin and security ideas are seen by customers on paid plans (the
    # Enterprise and Team segments) and staff, not by visitors or starter customers.
    boards["admin-security"].audience = BoardAudience.members
    boards["admin-security"].audience_segment_ids = sorted(db.session.scalars(select(Segment.id)))
    published = history.publish(story, {i.id: i for i in ideas}, staff[0])
    asked = demo_questions.seed(rng, staff, customers[0], now)
    demo_statuses.add(staff[0], now)
    labelled = demo_tags.add(staff[0])
    linked = demo_trackers.add(staff[1])
    # Last week's voice-of-customer report, built (not sent: no email about the past) so
    # its page shows one; themes appear in later reports, once the worker has fitted them.
    reports.build_report(last_complete_week(now))
    db.session.commit()
    return {
        "feedback items": feedback_count,
        "boards": len(boards),
        "people": len(staff) + len(customers),
        "ideas": len(ideas),
        "votes": len(votes),
        "comments": db.session.scalar(select(func.count()).select_from(Comment)),
        "status changes": db.session.scalar(select(func.count()).select_from(StatusChange)),
        **published,
        **asked,
        **labelled,
        **linked,
        "weekly reports": len(reports.reports()),
    }


PLANS = (("starter", 49.0), ("team", 390.0), ("enterprise", 4200.0))


def _seed_customers(rng: random.Random, people: list[User], now) -> int:
    """Companies from the demo people's email domains, two weighted segments, and feedback
    from other channels (not linked to ideas yet: that is for staff to do)."""
    by_domain = {}
    for spec in content.COMPANIES:
        plan, revenue = rng.choice(PLANS)
        company = Company(
            name=spec["name"],
            plan=plan,
            monthly_revenue=revenue * rng.uniform(0.8, 1.6),
            tier="strategic" if plan == "enterprise" and rng.random() < 0.5 else None,
            attributes={"domain": spec["domain"]},
        )
        db.session.add(company)
        by_domain[spec["domain"]] = company
    db.session.flush()
    for person in people:
        company = by_domain.get(person.email.split("@")[1])
        if company is not None:
            person.company_id = company.id
    db.session.add_all(
        [
            Segment(name="Enterprise", plan="enterprise", weight=5.0, position=0),
            Segment(name="Team", plan="team", weight=2.0, position=1),
        ]
    )
    with_company = [p for p in people if p.company_id is not None]
    for n, spec in enumerate(content.FEEDBACK):
        author = rng.choice(with_company)
        db.session.add(
            FeedbackItem(
                text=spec["text"],
                source=FeedbackSource(spec["source"]),
                external_id=f"demo-{n}",
                author_id=author.id,
                company_id=author.company_id,
                received_at=now - timedelta(days=rng.randint(1, 60)),
                payload={"demo": True},
            )
        )
    return len(content.FEEDBACK)
