"""The segments staff weigh demand by. The model lives in `vocportal.companies.models`, below
ideas, so that a board's audience can name segments; it is re-exported here."""

from __future__ import annotations

from vocportal.companies.models import Segment

__all__ = ["Segment"]
