"""People who use the portal."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import BigInteger, Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from vocportal.enums import LabelledEnum
from vocportal.extensions import db
from vocportal.timeutil import utcnow


class Role(enum.Enum):
    """What a person may do: customers post and vote, staff triage, admins manage."""

    customer = "customer"
    staff = "staff"
    admin = "admin"


class EmailPref(LabelledEnum):
    """How a person wants notification emails: each one, one a day, or none."""

    immediate = "immediate", "Each update as it happens"
    digest = "digest", "One daily digest"
    never = "never", "No email (in-app only)"


def normalise_email(email: str) -> str:
    """An email address as accounts store and look it up: trimmed, lower-cased."""
    return email.strip().lower()


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Lower-cased at the operations layer; unique login name.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(80))
    #: argon2id hash (PHC string); never the password itself. Empty for a contact: someone
    #: known from feedback (email, CSV, API) who never signed up and cannot log in; signing
    #: up with that email claims the row, with its history.
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(
        Enum(Role, name="user_role", native_enum=False, length=16), default=Role.customer
    )
    #: A blocked user cannot log in, and their live sessions stop working.
    blocked: Mapped[bool] = mapped_column(default=False)
    #: Bumped on logout and password change; sessions carry it and die when it moves on.
    session_version: Mapped[int] = mapped_column(default=1)
    #: Notification email preference; in-app notifications are always kept.
    email_pref: Mapped[EmailPref] = mapped_column(
        Enum(EmailPref, name="email_pref", native_enum=False, length=16),
        default=EmailPref.immediate,
        server_default=EmailPref.immediate.value,
    )
    #: The customer's company, if known (staff-only information).
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Also what an emailed sign-in link is bound to: any login makes older links useless.
    last_login_at: Mapped[datetime | None]
    #: When the person proved they read mail at `email` (a confirm, sign-in or reset link);
    #: None until then. Unverified people may log in but not vote, post or comment. Users
    #: made by staff or the CLI are verified; contacts are not.
    email_verified_at: Mapped[datetime | None]
    #: A contact's sign-up waiting for its confirm link: the argon2id hash of the password
    #: they chose. The contact's history is theirs (and the password theirs to log in with)
    #: only once the link is opened and that password typed again.
    pending_password_hash: Mapped[str | None] = mapped_column(String(255))
    #: The TOTP authenticator's secret, encrypted (see accounts/mfa.py); set at enrolment and
    #: never shown again. Login asks for a code only while `totp_enabled_at` is set.
    totp_secret: Mapped[str | None] = mapped_column(String(255))
    #: When the person enrolled a TOTP authenticator; None: no second factor (never enrolled,
    #: or an admin reset it).
    totp_enabled_at: Mapped[datetime | None]
    #: The 30-second time step of the last code accepted: a code is never taken twice, nor
    #: one older than that (replay protection).
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)

    def get_id(self) -> str:
        """Return the session identity: the id and the session version it is valid for."""
        return f"{self.id}:{self.session_version}"

    @property
    def is_active(self) -> bool:
        return not self.blocked

    @property
    def is_contact(self) -> bool:
        """Known from feedback only: no password, cannot log in."""
        return not self.password_hash

    @property
    def is_verified(self) -> bool:
        """The person has proved they read mail at their address."""
        return self.email_verified_at is not None

    @property
    def mfa_enabled(self) -> bool:
        """Login asks this person for a code from their authenticator after the password."""
        return self.totp_enabled_at is not None and bool(self.totp_secret)

    @property
    def is_staff(self) -> bool:
        return self.role in (Role.staff, Role.admin)

    @property
    def is_admin(self) -> bool:
        return self.role is Role.admin

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class RecoveryCode(db.Model):
    """One of the ten single-use codes given at MFA enrolment, for a lost authenticator."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: "salt$digest": SHA-256 of a random 16-byte salt and the code (80 random bits, so a
    #: fast hash is enough); never the code itself.
    code_hash: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: When it was used to log in; a used code never works again.
    used_at: Mapped[datetime | None]
