"""What views, the API and other features read about themes: lists, pages, quotes, counts.

No writes here, and nothing that loads the theme fit (BERTopic runs in workers only).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import func, select

from vocportal.accounts.models import User
from vocportal.embeddings.encoder import MODEL_NAME
from vocportal.embeddings.models import Embedding
from vocportal.extensions import db
from vocportal.feedback.models import FeedbackItem
from vocportal.ideas import operations as ideas
from vocportal.ideas.models import Idea, IdeaStatus
from vocportal.themes import results
from vocportal.themes.models import Theme, ThemeItem, ThemeStatus, TopicFit


def in_corpus(stmt):
    """Restrict `stmt` (over Idea) to the ideas a refit clusters: public, with a vector."""
    return stmt.join(
        Embedding, (Embedding.item_type == "idea") & (Embedding.item_id == Idea.id)
    ).where(
        Embedding.model == MODEL_NAME,
        Idea.withdrawn_at.is_(None),
        Idea.hidden_at.is_(None),
        Idea.moderation.is_(None),
        Idea.status != IdeaStatus.duplicate,
    )


def corpus_size() -> int:
    """How many items a refit would cluster now (public ideas with a vector)."""
    return db.session.scalar(in_corpus(select(func.count()).select_from(Idea))) or 0


def min_items() -> int:
    """How many items a refit needs before clustering means anything."""
    return results.MIN_ITEMS


def active_themes() -> list[Theme]:
    return list(
        db.session.scalars(
            select(Theme)
            .where(Theme.status == ThemeStatus.active)
            .order_by(Theme.size.desc(), Theme.id)
        )
    )


def last_fit() -> TopicFit | None:
    return db.session.scalar(select(TopicFit).order_by(TopicFit.id.desc()).limit(1))


def theme_ideas(theme: Theme, limit: int = 200) -> list[Idea]:
    return list(
        db.session.scalars(
            select(Idea)
            .join(ThemeItem, (ThemeItem.item_type == "idea") & (ThemeItem.item_id == Idea.id))
            .where(ThemeItem.theme_id == theme.id)
            .order_by(Idea.vote_count.desc())
            .limit(limit)
        )
    )


def unsorted_count() -> int:
    return (
        db.session.scalar(
            select(func.count()).select_from(ThemeItem).where(ThemeItem.theme_id.is_(None))
        )
        or 0
    )


def representative_ideas(themes: list[Theme]) -> dict[int, Idea]:
    """The representative ideas of these themes, by id: one query."""
    ids = [r["id"] for t in themes for r in t.representative if r.get("type") == "idea"]
    if not ids:
        return {}
    return {i.id: i for i in db.session.scalars(select(Idea).where(Idea.id.in_(ids)))}


def theme_sections(theme: Theme) -> list[tuple[str, list]]:
    """A theme's items grouped by item type, for its page: [(item_type, items)]."""
    return [("idea", theme_ideas(theme)), ("feedback", theme_feedback(theme))]


def theme_feedback(theme: Theme, limit: int = 200) -> list[FeedbackItem]:
    return list(
        db.session.scalars(
            select(FeedbackItem)
            .join(
                ThemeItem,
                (ThemeItem.item_type == "feedback") & (ThemeItem.item_id == FeedbackItem.id),
            )
            .where(ThemeItem.theme_id == theme.id)
            .order_by(FeedbackItem.received_at.desc())
            .limit(limit)
        )
    )


def merge_target(theme: Theme, by_id: dict[int, Theme] | None = None) -> Theme | None:
    """The theme a merged theme's items belong in now: the end of its merge chain.

    Return `theme` itself unless it is merged, and None for a broken chain (a loop or a
    missing theme), which merges never create.
    """
    seen = set()
    while theme.status is ThemeStatus.merged:
        if theme.id in seen or theme.merged_into_id is None:
            return None
        seen.add(theme.id)
        theme = (by_id or {}).get(theme.merged_into_id) or db.session.get(
            Theme, theme.merged_into_id
        )
        if theme is None:
            return None
    return theme


def move_targets(theme: Theme | None = None) -> list[Theme]:
    """Active themes an item or theme can move into (all but `theme`), by name."""
    return sorted(
        (t for t in active_themes() if theme is None or t.id != theme.id),
        key=lambda t: (t.display_name.lower(), t.id),
    )


@dataclass(frozen=True)
class Quote:
    """A representative item's own words, for a theme's page."""

    item_type: str
    item_id: int
    title: str
    text: str


def _idea_quotes(ids: list[int]) -> dict[int, Quote]:
    return {
        idea.id: Quote("idea", idea.id, idea.title, idea.body)
        for idea in db.session.scalars(select(Idea).where(Idea.id.in_(ids)))
    }


def _feedback_quotes(ids: list[int]) -> dict[int, Quote]:
    return {
        item.id: Quote("feedback", item.id, f"Feedback via {item.source.label}", item.text)
        for item in db.session.scalars(select(FeedbackItem).where(FeedbackItem.id.in_(ids)))
    }


#: Item type -> how to load its quotes by id.
QUOTE_LOADERS: dict[str, Callable[[list[int]], dict[int, Quote]]] = {
    "idea": _idea_quotes,
    "feedback": _feedback_quotes,
}


def representative_quotes(theme: Theme, viewer: User | None) -> list[Quote]:
    """The theme's representative items' text, in the fit's order (missing ones skipped),
    as `viewer` may read them: staff all; anyone else only ideas they may see (never one
    on a private board they may not see) and no feedback."""
    loaded: dict[str, dict[int, Quote]] = {}
    for item_type, loader in QUOTE_LOADERS.items():
        ids = [r["id"] for r in theme.representative if r.get("type") == item_type]
        loaded[item_type] = loader(ids) if ids else {}
    if not (viewer is not None and viewer.is_authenticated and viewer.is_staff):
        loaded["feedback"] = {}
        seen = set(
            db.session.scalars(
                select(Idea.id).where(Idea.id.in_(loaded["idea"])).where(ideas.visible_to(viewer))
            )
        )
        loaded["idea"] = {k: q for k, q in loaded["idea"].items() if k in seen}
    return [
        loaded[r["type"]][r["id"]]
        for r in theme.representative
        if r.get("id") in loaded.get(r.get("type"), {})
    ]
