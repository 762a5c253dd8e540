"""A person's API tokens die with the password they were made under (the accounts' domain
events; revoked in the caller's transaction, see `vocportal.accounts.events`)."""

from __future__ import annotations

from vocportal.accounts import events
from vocportal.accounts.events import CredentialChange
from vocportal.accounts.models import User
from vocportal.api.models import TokenRevocation
from vocportal.api.operations import revoke_tokens_of

#: What the token page says beside tokens a password change revoked.
REASONS = {
    CredentialChange.changed: TokenRevocation.password_changed,
    CredentialChange.reset: TokenRevocation.password_reset,
}


def on_credentials_changed(user: User, *, how: CredentialChange, **_: object) -> None:
    revoke_tokens_of(user, REASONS[how])


def connect() -> None:
    events.credentials_changed.connect(on_credentials_changed)
