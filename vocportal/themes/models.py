"""Themes, which item belongs to which, and the history of every fit."""

from __future__ import annotations

import enum
from datetime import datetime

import numpy as np
from sqlalchemy import JSON, Enum, Float, ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from vocportal.extensions import db
from vocportal.timeutil import utcnow


class ThemeStatus(enum.Enum):
    active = "active"
    #: No longer found by the latest fit; kept with its history, never renumbered.
    retired = "retired"
    #: Staff merged it into `merged_into_id`; refits that find it again send its items there.
    merged = "merged"


class Theme(db.Model):
    __tablename__ = "themes"

    #: Stable: a refit maps its topics onto existing themes, so this id keeps its meaning.
    id: Mapped[int] = mapped_column(primary_key=True)
    #: The automatic name from the latest fit: a short noun phrase mined from its items
    #: ("Card delivery tracking"); the keywords are `top_words`.
    label: Mapped[str] = mapped_column(String(200))
    #: A name staff gave it; shown instead of `label` and kept across refits.
    name: Mapped[str | None] = mapped_column(String(120))
    top_words: Mapped[list] = mapped_column(JSON, default=list)
    #: Items currently in the theme.
    size: Mapped[int] = mapped_column(default=0)
    #: A few representative items, as [{"type": "idea", "id": 12}, ...].
    representative: Mapped[list] = mapped_column(JSON, default=list)
    #: float32 L2-normalised mean embedding of its items: how refits and new items find it.
    centroid: Mapped[bytes] = mapped_column(LargeBinary)
    status: Mapped[ThemeStatus] = mapped_column(
        Enum(ThemeStatus, name="theme_status", native_enum=False, length=16),
        default=ThemeStatus.active,
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    retired_at: Mapped[datetime | None]
    #: The theme staff merged this one into (status merged).
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("themes.id"))

    @property
    def display_name(self) -> str:
        return self.name or self.label

    def centroid_array(self) -> np.ndarray:
        return np.frombuffer(self.centroid, dtype="<f4")


class ThemeItem(db.Model):
    """Which theme an item is in; no row (or theme_id NULL) means unsorted."""

    __tablename__ = "theme_items"

    item_type: Mapped[str] = mapped_column(String(16), primary_key=True)
    item_id: Mapped[int] = mapped_column(primary_key=True)
    theme_id: Mapped[int | None] = mapped_column(ForeignKey("themes.id"), index=True)
    #: "fit" (the last refit put it there), "nearest" (placed between refits by its
    #: embedding) or "staff" (moved by hand; refits leave it alone).
    source: Mapped[str] = mapped_column(String(16), default="fit")
    #: Cosine similarity to the theme's centroid when it was placed.
    similarity: Mapped[float] = mapped_column(Float, default=0.0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class TopicFit(db.Model):
    """One refit: what it saw and what it changed."""

    __tablename__ = "topic_fits"

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int | None] = mapped_column(ForeignKey("job_records.id"))
    n_items: Mapped[int] = mapped_column(default=0)
    n_themes: Mapped[int] = mapped_column(default=0)
    outlier_share: Mapped[float] = mapped_column(Float, default=0.0)
    #: How the fit's topics mapped onto themes.
    kept: Mapped[int] = mapped_column(default=0)
    created: Mapped[int] = mapped_column(default=0)
    retired: Mapped[int] = mapped_column(default=0)
    seconds: Mapped[float] = mapped_column(Float, default=0.0)
    #: Set when the corpus was too small to cluster, saying so.
    message: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ThemeSnapshot(db.Model):
    """A theme's size and label at one fit: its history."""

    __tablename__ = "theme_snapshots"

    theme_id: Mapped[int] = mapped_column(ForeignKey("themes.id"), primary_key=True)
    fit_id: Mapped[int] = mapped_column(ForeignKey("topic_fits.id"), primary_key=True)
    size: Mapped[int]
    label: Mapped[str] = mapped_column(String(200))


class ThemeAlert(db.Model):
    """Early warning: a theme's weekly volume or supporters jumped above its own baseline.
    One row per theme, week and measure, so each jump is announced to staff once."""

    __tablename__ = "theme_alerts"
    __table_args__ = (UniqueConstraint("theme_id", "week_start", "measure"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    theme_id: Mapped[int] = mapped_column(ForeignKey("themes.id"), index=True)
    #: Monday (UTC) of the week that jumped.
    week_start: Mapped[datetime]
    #: "volume" (new items) or "supporters" (distinct new supporters).
    measure: Mapped[str] = mapped_column(String(16))
    value: Mapped[float] = mapped_column(Float)
    #: The theme's recent weekly mean the value is compared with.
    baseline: Mapped[float] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Set when staff dismissed it from the themes view.
    dismissed_at: Mapped[datetime | None]
