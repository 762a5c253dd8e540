"""The rows benchmarks/web.py loads: boards, people, ideas with made-up titles and bodies,
and votes with a heavy tail, each idea's counters equal to what its vote rows say."""

from __future__ import annotations

import html
import random
from datetime import timedelta

from _data import FIRST_NAMES, LAST_NAMES
from _harness import PASSWORD_HASH

BOARDS = [
    ("integrations", "Integrations", "Connect the product with the tools you already use."),
    ("reporting", "Reporting", "Dashboards, exports and numbers."),
    ("mobile", "Mobile app", "The iOS and Android apps."),
    ("billing", "Billing", "Plans, invoices and payments."),
    ("admin", "Admin and permissions", "Roles, teams and security settings."),
    ("notifications", "Notifications", "Emails, push alerts and digests."),
]
VERBS = [
    "Add", "Support", "Allow", "Improve", "Export", "Import", "Show", "Sync", "Schedule",
    "Customise", "Filter", "Bulk edit", "Archive", "Search", "Share", "Speed up", "Simplify",
    "Automate", "Preview", "Undo",
]  # fmt: skip
OBJECTS = [
    "dark mode", "CSV exports", "Slack notifications", "calendar sync", "two-factor login",
    "custom fields", "saved filters", "webhooks", "PDF invoices", "team roles",
    "keyboard shortcuts", "recurring tasks", "time zones", "email digests", "audit logs",
    "SSO with Okta", "API tokens", "offline mode", "attachments", "push alerts", "Jira issues",
    "Zapier triggers", "report templates", "bulk imports", "status pages", "guest access",
    "usage quotas", "Teams messages", "signed contracts", "project templates",
]  # fmt: skip
QUALIFIERS = [
    "in the mobile app", "for team admins", "on the dashboard", "per project", "for guests",
    "in weekly reports", "through the API", "on invoices", "for large accounts",
    "in the Android app", "on the iOS widget", "for every workspace", "by default",
    "without a page reload", "across time zones", "for read-only users", "", "", "",
]  # fmt: skip
SENTENCES = [
    "We run a team of forty and this comes up every week.",
    "Right now we copy everything by hand, which takes about an hour.",
    "Our competitors already offer this and customers keep asking.",
    "It would save our support team a lot of back and forth.",
    "This is the main thing blocking us from upgrading to the Business plan.",
    "Even a basic version would help.",
    "Please make it configurable per workspace.",
    "We tried a workaround with Zapier but it breaks often.",
    "Our auditors asked for this last quarter.",
    "Happy to test an early version.",
]
STATUS_WEIGHTS = {
    "open": 80, "under_review": 6, "planned": 5, "in_progress": 3, "shipped": 3,
    "declined": 2, "duplicate": 1,
}  # fmt: skip


def _title(rng: random.Random) -> str:
    parts = [rng.choice(VERBS), rng.choice(OBJECTS), rng.choice(QUALIFIERS)]
    return " ".join(p for p in parts if p)


def _vote_counts(rng: random.Random, n_ideas: int, extra: int, cap: int) -> list[int]:
    """Spread `extra` votes over ideas with a heavy tail (a few ideas get most), <= cap each."""
    weights = [rng.paretovariate(1.1) for _ in range(n_ideas)]
    total = sum(weights)
    counts = [min(cap, int(w / total * extra)) for w in weights]
    missing = extra - sum(counts)
    room = [i for i, c in enumerate(counts) if c < cap]
    while missing > 0:  # bounded: every pass adds at least one vote, capacity was checked
        rng.shuffle(room)
        for i in room[:missing]:
            counts[i] += 1
        missing = extra - sum(counts)
        room = [i for i, c in enumerate(counts) if c < cap]
    return counts


def generate(n_ideas: int, n_votes: int, n_users: int, seed: int) -> dict[str, list[dict]]:
    """Build the rows in memory: ids are explicit so votes can refer to ideas and users."""
    from vocportal.accounts.models import Role
    from vocportal.ideas.models import IdeaStatus
    from vocportal.ideas.support import trend_weight
    from vocportal.timeutil import utcnow

    if n_votes < n_ideas or n_votes > n_ideas * (n_users - 1):
        raise SystemExit("need ideas <= votes <= ideas * (users - 1) (each author votes once)")
    rng = random.Random(seed)
    now = utcnow().replace(microsecond=0)
    year_ago = now - timedelta(days=365)

    boards = [
        {"id": i + 1, "slug": slug, "name": name, "description": desc, "position": i}
        for i, (slug, name, desc) in enumerate(BOARDS)
    ]
    users = [
        {
            "id": i + 1,
            "email": f"user{i + 1}@example.test",
            "display_name": f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
            "password_hash": PASSWORD_HASH,
            "role": Role.admin if i == 0 else Role.customer,
            "created_at": year_ago - timedelta(days=rng.uniform(0, 30)),
        }
        for i in range(n_users)
    ]

    statuses = [IdeaStatus(s) for s in STATUS_WEIGHTS]
    created = sorted(year_ago + timedelta(days=rng.uniform(0, 365)) for _ in range(n_ideas))
    ideas, votes = [], []
    counts = _vote_counts(rng, n_ideas, n_votes - n_ideas, cap=n_users - 1)
    for i in range(n_ideas):
        idea_id, author_id, at = i + 1, rng.randrange(1, n_users + 1), created[i]
        body = " ".join(rng.sample(SENTENCES, rng.randint(1, 4)))
        # The author's own vote (as create_idea does), then other people's, spread until now.
        others = rng.sample(range(1, n_users + 1), counts[i] + 1)
        voters = [author_id] + [u for u in others if u != author_id][: counts[i]]
        vote_times = [at] + [at + (now - at) * rng.random() for _ in voters[1:]]
        for user_id, voted_at in zip(voters, vote_times, strict=True):
            vote = {"idea_id": idea_id, "user_id": user_id, "created_at": voted_at}
            votes.append({"id": len(votes) + 1, **vote})
        ideas.append(
            {
                "id": idea_id,
                "board_id": rng.randrange(1, len(boards) + 1),
                "author_id": author_id,
                "title": _title(rng),
                "body": body,
                "body_html": f"<p>{html.escape(body)}</p>",
                "status": rng.choices(statuses, weights=list(STATUS_WEIGHTS.values()))[0],
                "vote_count": len(vote_times),
                "trend_score": sum(trend_weight(t) for t in vote_times),
                "created_at": at,
                "updated_at": at,
            }
        )
    return {"boards": boards, "users": users, "ideas": ideas, "votes": votes}
