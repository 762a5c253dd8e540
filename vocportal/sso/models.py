"""Links between portal accounts and the identities providers vouch for."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from vocportal.extensions import db
from vocportal.timeutil import utcnow


class SsoIdentity(db.Model):
    """One provider account (issuer + subject) that signs in as one portal account.

    Later sign-ins match on (issuer, subject), never on the email the provider sends: an
    address can change or be handed to someone else; the subject cannot."""

    __tablename__ = "sso_identities"
    __table_args__ = (UniqueConstraint("issuer", "subject", name="uq_sso_identities_issuer"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: The provider's name in OIDC_PROVIDERS when the link was made (for display only).
    provider: Mapped[str] = mapped_column(String(64))
    #: The ID token's `iss`: the provider's issuer URL, checked against its discovery document.
    issuer: Mapped[str] = mapped_column(String(255))
    #: The ID token's `sub`: the provider's stable, never reassigned id for the person.
    subject: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]

    def __repr__(self) -> str:
        return f"<SsoIdentity {self.issuer} {self.subject} -> {self.user_id}>"
