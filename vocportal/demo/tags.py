"""The demo's tags and custom fields.

Four tags (two public, two internal), put on ideas whose titles name what the tag is
about, and on feedback the same way; custom fields on two boards (one staff-only). These
are labels, not updates: no event, notification or count of the history changes.
"""

from __future__ import annotations

from sqlalchemy import select

from vocportal.accounts.models import User
from vocportal.extensions import db
from vocportal.feedback.models import FeedbackItem
from vocportal.ideas.models import Board, Idea
from vocportal.tags import fields
from vocportal.tags import operations as tags

#: name, colour, public, words of a title that earn the tag (lower case).
TAGS = (
    ("Mobile", "#0d9488", True, ("mobile", "iphone", "android", "ios ", "phone", "tablet")),
    ("Accounting", "#2563eb", True, ("quickbooks", "xero", " vat ", "sales tax")),
    ("Enterprise ask", "#9333ea", False, ("sso", "saml", "audit", "scim", "permission")),
    ("Churn risk", "#dc2626", False, ("offline", "slow", "crash", "broken")),
)

#: board slug, label, kind, choices (one per line), required, public.
FIELDS = (
    (
        "integrations",
        "Which tool?",
        "single",
        "Jira\nGitHub\nSlack\nQuickBooks\nXero\nOther",
        False,
        True,
    ),
    ("reports-budgets", "Team size", "number", "", False, True),
    ("reports-budgets", "Deal size (USD)", "number", "", False, False),
)


def _matching(texts: dict[int, str], words: tuple[str, ...]) -> list[int]:
    return sorted(i for i, text in texts.items() if any(w in f" {text.lower()} " for w in words))


def add(admin: User) -> dict[str, int]:
    """Add the demo's tags (on matching ideas and feedback) and custom fields."""
    titles = {i: t for i, t in db.session.execute(select(Idea.id, Idea.title))}
    said = {i: t for i, t in db.session.execute(select(FeedbackItem.id, FeedbackItem.text))}
    tagged: set[int] = set()
    for name, colour, public, words in TAGS:
        tag = tags.save_tag(admin, None, name, colour, public)
        idea_ids = _matching(titles, words)
        if idea_ids:
            tags.tag_ideas(admin, idea_ids, [tag.id])
            tagged.update(idea_ids)
        feedback_ids = _matching(said, words)
        if feedback_ids:
            tags.tag_feedback(admin, feedback_ids, [tag.id])
    boards = {b.slug: b.id for b in db.session.scalars(select(Board))}
    for slug, label, kind, choices, required, public in FIELDS:
        fields.add_field(admin, boards[slug], label, kind, choices, required, public)
    return {"tags": len(TAGS), "tagged ideas": len(tagged), "custom fields": len(FIELDS)}
