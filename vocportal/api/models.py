"""Personal API tokens."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from vocportal.accounts.models import User
from vocportal.enums import LabelledEnum
from vocportal.extensions import db
from vocportal.timeutil import utcnow


class TokenRevocation(LabelledEnum):
    """Why a token stopped working."""

    #: Its owner revoked it on the token page.
    owner = "owner", "revoked"
    #: Its owner changed their password: a stolen token must not outlive that.
    password_changed = "password_changed", "revoked when your password changed"
    #: The password was reset by email (account recovery).
    password_reset = "password_reset", "revoked when your password was reset"


class ApiToken(db.Model):
    """A token acting as its owner (customer or staff) with the scopes it was given."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    #: SHA-256 of the secret, hex; the secret itself is shown once and never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: The first characters of the token, so people can tell their tokens apart.
    prefix: Mapped[str] = mapped_column(String(16))
    #: Space-separated: "read" or "read write".
    scopes: Mapped[str] = mapped_column(String(40), default="read")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    #: Why it was revoked (None while it is live, and for tokens revoked before 0008).
    revoked_reason: Mapped[TokenRevocation | None] = mapped_column(
        Enum(TokenRevocation, name="token_revocation", native_enum=False, length=20)
    )

    user: Mapped[User] = relationship(lazy="joined")

    def allows(self, scope: str) -> bool:
        return scope in self.scopes.split()
