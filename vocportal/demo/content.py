"""Demo content for vocportal: a fictional SaaS product and its customers' feature requests.

The content itself lives in the JSON files beside this module (`vocportal/demo/data/`, shipped
as package data); this module only reads them. Ideas are grouped into themes (the ``theme``
key) whose members paraphrase each other, so similarity detection has realistic
near-duplicates to find. All companies and people are fictional; email domains use the
reserved ``.example`` TLD.
"""

from __future__ import annotations

import json
from importlib.resources import files
from typing import Any

DATA = files(__package__) / "data"


def load(name: str) -> Any:
    """The parsed contents of `data/<name>.json`."""
    return json.loads((DATA / f"{name}.json").read_text(encoding="utf-8"))


#: {"name", "tagline"} of the fictional product.
PRODUCT: dict[str, str] = load("product")
#: Boards in display order: {"slug", "name", "description"}.
BOARDS: list[dict[str, str]] = load("boards")
#: Feature requests: {"board" (a slug), "theme", "title", "body" (Markdown)}.
IDEAS: list[dict[str, str]] = load("ideas")
#: Customers' comments, attached to ideas at random.
COMMENTS: list[str] = load("comments")
#: Staff answers by situation: "question" (asking an open idea's author for more), or an
#: IdeaStatus value (the official reply on an idea in that status).
STAFF_REPLIES: dict[str, list[str]] = load("staff_replies")
#: Staff-only notes kept on a few planned ideas.
STAFF_NOTES: list[str] = load("staff_notes")
#: Changelog entry text by board slug: {"title", "body" (Markdown)}; the demo's shipped ideas
#: of a board ship together in its entry.
CHANGELOG: dict[str, dict[str, str]] = load("changelog")
#: Display names of the demo's customers.
CUSTOMER_NAMES: list[str] = load("customer_names")
#: Customer companies: {"name", "domain"}; people's emails use these domains.
COMPANIES: list[dict[str, str]] = load("companies")
#: Status-change messages by IdeaStatus value.
STATUS_MESSAGES: dict[str, list[str]] = load("status_messages")
#: Feedback heard outside the portal: {"source" (a FeedbackSource value), "text"}.
FEEDBACK: list[dict[str, str]] = load("feedback")
