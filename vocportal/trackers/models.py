"""Links from ideas to tracker issues, the tracker deliveries already handled, and the
admin's mapping from an issue's state to an idea status."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from vocportal.accounts.models import User
from vocportal.extensions import db
from vocportal.ideas.models import Idea, IdeaStatus, status_column
from vocportal.timeutil import utcnow


class Tracker(enum.Enum):
    github = "github"
    gitlab = "gitlab"
    jira = "jira"
    linear = "linear"

    @property
    def label(self) -> str:
        return {"github": "GitHub", "gitlab": "GitLab"}.get(self.value, self.value.capitalize())


class IssueState(enum.Enum):
    """What happened to an issue, the same words for every tracker (each tracker's own
    states and workflow categories are read into these by `vocportal.trackers.providers`)."""

    opened = "opened"  #: created, or back in a to-do / backlog state
    started = "started"  #: work began (Jira "In progress" category, Linear "started")
    completed = "completed"  #: closed as done
    not_planned = "not_planned"  #: closed without doing it (won't do, canceled)
    reopened = "reopened"  #: closed, then opened again

    @property
    def label(self) -> str:
        return {
            "opened": "opened",
            "started": "started",
            "completed": "closed as done",
            "not_planned": "closed as not planned",
            "reopened": "reopened",
        }[self.value]


#: The mapping an admin starts with: work starting or finishing moves the idea; a new or
#: reopened issue says nothing customers should hear.
DEFAULT_MAPPING: dict[IssueState, IdeaStatus | None] = {
    IssueState.opened: None,
    IssueState.started: IdeaStatus.in_progress,
    IssueState.completed: IdeaStatus.shipped,
    IssueState.not_planned: IdeaStatus.declined,
    IssueState.reopened: None,
}


class CommentState(enum.Enum):
    """Where the comment a new link posts on its issue stands."""

    pending = "pending"  #: queued, or waiting for RQ's next attempt
    sent = "sent"  #: the tracker answered 2xx
    failed = "failed"  #: every attempt failed, or the address was refused
    skipped = "skipped"  #: no token configured for this tracker: nothing was sent


class TrackerLink(db.Model):
    """One idea linked to one tracker issue (an issue may be linked to several ideas)."""

    __tablename__ = "tracker_links"
    __table_args__ = (UniqueConstraint("idea_id", "tracker", "issue_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), index=True)
    tracker: Mapped[Tracker] = mapped_column(
        Enum(Tracker, name="tracker", native_enum=False, length=16)
    )
    #: The issue as the tracker's webhooks name it: "owner/repo#12" (GitHub, GitLab),
    #: "PROJ-123" (Jira), "ENG-123" (Linear). Deliveries find their links by it.
    issue_key: Mapped[str] = mapped_column(String(200), index=True)
    #: The issue's web address as staff pasted it (also where Jira and GitLab are asked).
    url: Mapped[str] = mapped_column(String(500))
    #: Who linked it: the status moves its deliveries make are published in their name.
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    comment_state: Mapped[CommentState] = mapped_column(
        Enum(CommentState, name="tracker_comment_state", native_enum=False, length=16),
        default=CommentState.pending,
    )
    comment_attempts: Mapped[int] = mapped_column(default=0)
    #: Why the last attempt failed (or why nothing was sent).
    comment_error: Mapped[str] = mapped_column(Text, default="")

    idea: Mapped[Idea] = relationship()
    created_by: Mapped[User | None] = relationship()


class TrackerDelivery(db.Model):
    """A tracker webhook delivery already handled: a repeat (a retry, a replay) of the same
    delivery id moves nothing again."""

    __tablename__ = "tracker_deliveries"
    __table_args__ = (UniqueConstraint("tracker", "delivery_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tracker: Mapped[Tracker] = mapped_column(
        Enum(Tracker, name="tracker", native_enum=False, length=16)
    )
    #: The tracker's own id for the delivery (X-GitHub-Delivery, GitLab's Idempotency-Key,
    #: X-Atlassian-Webhook-Identifier, Linear-Delivery).
    delivery_id: Mapped[str] = mapped_column(String(200))
    issue_key: Mapped[str] = mapped_column(String(200), default="")
    #: What it came to: "moved 2 ideas", "no linked idea", "ignored: ..." (for the settings page).
    outcome: Mapped[str] = mapped_column(String(200), default="")
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class TrackerMapping(db.Model):
    """The admin's choice of idea status for one issue state (no row: `DEFAULT_MAPPING`)."""

    __tablename__ = "tracker_mappings"

    state: Mapped[IssueState] = mapped_column(
        Enum(IssueState, name="issue_state", native_enum=False, length=16), primary_key=True
    )
    #: None: an issue reaching this state moves nothing.
    status: Mapped[IdeaStatus | None] = status_column(nullable=True)
