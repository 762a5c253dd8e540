"""Import every model so Alembic and the app see the whole schema."""

from vocportal.accounts.models import Role, User
from vocportal.api.models import ApiToken
from vocportal.audit.models import AuditEntry
from vocportal.changelog.models import ChangelogEntry
from vocportal.companies.models import Company
from vocportal.customers.models import Segment
from vocportal.embeddings.models import Embedding
from vocportal.feedback.models import FeedbackItem
from vocportal.ideas.models import (
    Board,
    Comment,
    Follow,
    Idea,
    IdeaStatus,
    MergeRecord,
    StatusChange,
    Vote,
)
from vocportal.moderation.models import ModerationReview
from vocportal.notifications.models import Notification, NotificationEvent
from vocportal.questions.models import Answer, Question
from vocportal.queue.models import JobRecord, JobState
from vocportal.reports.models import (
    ReportDelivery,
    ReportOptOut,
    ReportSubscriber,
    ThemeFollow,
    WeeklyReport,
)
from vocportal.tags.models import BoardField, FeedbackTag, FieldValue, IdeaTag, Tag
from vocportal.themes.models import (
    Theme,
    ThemeAlert,
    ThemeItem,
    ThemeSnapshot,
    ThemeStatus,
    TopicFit,
)
from vocportal.trackers.models import TrackerDelivery, TrackerLink, TrackerMapping
from vocportal.triage.models import InternalNote
from vocportal.webhooks.models import WebhookDelivery, WebhookEndpoint

__all__ = [
    "ReportDelivery",
    "ReportOptOut",
    "ReportSubscriber",
    "ThemeFollow",
    "WeeklyReport",
    "Answer",
    "Question",
    "ApiToken",
    "AuditEntry",
    "Company",
    "FeedbackItem",
    "Segment",
    "BoardField",
    "FeedbackTag",
    "FieldValue",
    "IdeaTag",
    "Tag",
    "TrackerDelivery",
    "TrackerLink",
    "TrackerMapping",
    "WebhookDelivery",
    "WebhookEndpoint",
    "Board",
    "InternalNote",
    "MergeRecord",
    "ModerationReview",
    "Notification",
    "NotificationEvent",
    "ThemeAlert",
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
