"""Import every model so Alembic and the app see the whole schema."""

from vocportal.accounts.models import Role, User
from vocportal.changelog.models import ChangelogEntry
from vocportal.embeddings.models import Embedding
from vocportal.ideas.models import Board, Comment, Follow, Idea, IdeaStatus, StatusChange, Vote
from vocportal.queue.models import JobRecord, JobState
from vocportal.themes.models import Theme, ThemeItem, ThemeSnapshot, ThemeStatus, TopicFit

__all__ = [
    "Board",
    "ChangelogEntry",
    "Embedding",
    "JobRecord",
    "JobState",
    "Theme",
    "ThemeItem",
    "ThemeSnapshot",
    "ThemeStatus",
    "TopicFit",
    "Comment",
    "Follow",
    "Idea",
    "IdeaStatus",
    "Role",
    "StatusChange",
    "User",
    "Vote",
]
