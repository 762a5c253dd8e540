"""Import every model so Alembic and the app see the whole schema."""

from vocportal.accounts.models import Role, User
from vocportal.ideas.models import Board, Comment, Follow, Idea, IdeaStatus, StatusChange, Vote

__all__ = [
    "Board",
    "Comment",
    "Follow",
    "Idea",
    "IdeaStatus",
    "Role",
    "StatusChange",
    "User",
    "Vote",
]
