"""The segments staff weigh demand by (companies themselves: `vocportal.companies`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, String
from sqlalchemy.orm import Mapped, mapped_column

from vocportal.extensions import db
from vocportal.timeutil import utcnow


class Segment(db.Model):
    """A named group of companies and the weight of their voice. A company belongs to the
    first segment (by `position`) whose conditions all hold; unset conditions match all.
    People without a company, or in no segment, weigh 1."""

    __tablename__ = "segments"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    position: Mapped[int] = mapped_column(default=0)
    plan: Mapped[str | None] = mapped_column(String(60))
    tier: Mapped[str | None] = mapped_column(String(60))
    #: Revenue band [min, max): either end may be open.
    min_revenue: Mapped[float | None] = mapped_column(Float)
    max_revenue: Mapped[float | None] = mapped_column(Float)
    #: How many "votes" one person from this segment counts for in weighted demand.
    weight: Mapped[float] = mapped_column(Float, default=1.0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
