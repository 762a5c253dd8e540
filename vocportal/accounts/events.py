"""What happens to accounts, announced for the features that react to it.

`accounts` acts; the API (which revokes a person's tokens) and the audit log listen, each in
its own `subscribers` module, connected by the application factory. `accounts` imports
neither (as `vocportal.ideas.events` does for ideas).

Every signal is sent with the person whose account changed as sender, inside the caller's
transaction, after the change is flushed. Receivers only change rows in the same session:
a change that is rolled back leaves no revoked token and no audit entry behind. Receivers
must not commit.
"""

from __future__ import annotations

import enum

from blinker import Namespace

_signals = Namespace()


class CredentialChange(enum.Enum):
    """How a password came to change (the API says so beside the tokens it revoked)."""

    #: The person changed it on their profile, typing the current one.
    changed = "changed"
    #: It was reset: an emailed link (account recovery) or a new password set for them.
    reset = "reset"


credentials_changed = _signals.signal(
    "credentials-changed",
    doc="""The person's password changed; every session ended. Keyword arguments: `actor`
    (who set it: the person themself) and `how` (a `CredentialChange`).

    Nothing stolen with the old credentials may outlive them: the API revokes the
    person's tokens.""",
)

role_changed = _signals.signal(
    "role-changed",
    doc="""An admin gave the person another role. Keyword arguments: `actor`, `old` and
    `new` (each a `Role`).""",
)

block_changed = _signals.signal(
    "block-changed",
    doc="""An admin blocked the person (their sessions ended), or unblocked them. Keyword
    arguments: `actor` and `blocked` (True when blocked, False when unblocked).""",
)

mfa_reset = _signals.signal(
    "mfa-reset",
    doc="""An admin turned the person's two-factor authentication off (a lost phone); their
    sessions ended. Keyword arguments: `actor`.""",
)
