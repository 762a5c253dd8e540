"""Time helpers: every timestamp the portal stores is naive UTC."""

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Return the current UTC time without tzinfo (how every column stores it)."""
    return datetime.now(UTC).replace(tzinfo=None)
