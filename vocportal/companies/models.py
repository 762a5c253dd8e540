"""Companies (customer accounts) and the segments they fall in (`customers` weighs demand
by them; boards may be shown to a segment's customers only)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Float, String
from sqlalchemy.orm import Mapped, mapped_column

from vocportal.extensions import db
from vocportal.timeutil import utcnow


class Company(db.Model):
    """A customer organisation; people belong to at most one. Staff only: customers never
    see companies (their own or others')."""

    __tablename__ = "companies"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(160), unique=True)
    #: The company's id in the CRM or billing system, for imports that update in place.
    external_id: Mapped[str | None] = mapped_column(String(120), unique=True)
    #: Plan name as billing knows it ("free", "team", "enterprise").
    plan: Mapped[str | None] = mapped_column(String(60), index=True)
    #: Monthly recurring revenue in whole currency units.
    monthly_revenue: Mapped[float | None] = mapped_column(Float)
    tier: Mapped[str | None] = mapped_column(String(60))
    #: Any other key/value staff set or import ({"region": "EMEA"}).
    attributes: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


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
