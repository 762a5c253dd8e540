"""One stored embedding per customer text (idea, and later feedback) and model."""

from __future__ import annotations

from datetime import datetime

import numpy as np
from sqlalchemy import LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from vocportal.extensions import db
from vocportal.timeutil import utcnow


class Embedding(db.Model):
    __tablename__ = "embeddings"
    __table_args__ = (UniqueConstraint("item_type", "item_id", "model"),)

    #: Grows with every (re-)embedding: readers catch up by loading ids above the last seen.
    id: Mapped[int] = mapped_column(primary_key=True)
    #: What the vector is of: "idea" (feedback items come later).
    item_type: Mapped[str] = mapped_column(String(16))
    item_id: Mapped[int]
    #: The model that made it; a different model means the vector must be re-made.
    model: Mapped[str] = mapped_column(String(120))
    dim: Mapped[int]
    #: float32 little-endian, L2-normalised.
    vector: Mapped[bytes] = mapped_column(LargeBinary)
    #: sha256 of the text embedded: an edit that does not change the text costs nothing.
    text_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def as_array(self) -> np.ndarray:
        return np.frombuffer(self.vector, dtype="<f4")
