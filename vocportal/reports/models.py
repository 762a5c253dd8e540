"""The weekly report, who gets it, and one delivery row per (report, kind, address)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Enum, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from vocportal.extensions import db
from vocportal.notifications.models import DeliveryState
from vocportal.timeutil import utcnow


class WeeklyReport(db.Model):
    """One week's report, built once from the portal's figures and kept as built: the page
    and every email show the same numbers, however the data moves afterwards."""

    __tablename__ = "weekly_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Monday (UTC) of the week the report covers; one report per week.
    week_start: Mapped[date] = mapped_column(unique=True)
    #: The figures (`vocportal.reports.figures.build_figures`), as JSON.
    figures: Mapped[dict] = mapped_column(JSON)
    built_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReportSubscriber(db.Model):
    """An address an admin subscribed to the report (sales@, support@): no account needed."""

    __tablename__ = "report_subscribers"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Lower-cased address.
    email: Mapped[str] = mapped_column(String(320), unique=True)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Set by the one-click unsubscribe; the address gets no report while set.
    unsubscribed_at: Mapped[datetime | None]


class ReportOptOut(db.Model):
    """A staff member who unsubscribed from the weekly report (staff get it by default)."""

    __tablename__ = "report_opt_outs"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ThemeFollow(db.Model):
    """A colleague following a theme: a weekly note when it moves."""

    __tablename__ = "theme_follows"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    theme_id: Mapped[int] = mapped_column(
        ForeignKey("themes.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


#: What a delivery row carries.
KIND_REPORT = "report"
KIND_THEME_NOTE = "theme_note"


class ReportDelivery(db.Model):
    """One email of a week: the report, or a follower's theme note, to one address, once.

    The unique constraint makes a second run of the weekly job add nothing; a send claims
    its row (pending -> sending) before sending and marks it sent after."""

    __tablename__ = "report_deliveries"
    __table_args__ = (
        UniqueConstraint("report_id", "kind", "email"),
        Index("ix_report_deliveries_queue", "report_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("weekly_reports.id", ondelete="CASCADE"))
    #: KIND_REPORT or KIND_THEME_NOTE.
    kind: Mapped[str] = mapped_column(String(16))
    #: Lower-cased recipient address.
    email: Mapped[str] = mapped_column(String(320))
    #: The staff member (or follower) it is for; None for a subscribed address.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    subscriber_id: Mapped[int | None] = mapped_column(
        ForeignKey("report_subscribers.id", ondelete="CASCADE")
    )
    state: Mapped[DeliveryState] = mapped_column(
        Enum(DeliveryState, name="report_delivery_state", native_enum=False, length=16)
    )
    #: Theme note only: the themes that moved, as built ([{id, name, new_items, ...}]).
    themes: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    error: Mapped[str] = mapped_column(Text, default="")
