"""Accounts announce what happened to a person (vocportal.accounts.events); the API revokes
their tokens and the audit log records admin actions, without accounts importing either.

The receivers run in the caller's transaction: a change that is rolled back leaves no
revoked token and no audit entry behind.
"""

from __future__ import annotations

import pyotp
from sqlalchemy import func, select

from vocportal.accounts import events, mfa
from vocportal.accounts import operations as accounts
from vocportal.accounts.events import CredentialChange
from vocportal.accounts.models import Role
from vocportal.api import operations as api_ops
from vocportal.api.models import ApiToken, TokenRevocation
from vocportal.audit.models import AuditEntry
from vocportal.extensions import db

PASSWORD = "correct horse battery"
NEW_PASSWORD = "a brand new passphrase"


def audit_entries() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEntry))


def live_tokens(user) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    )


def test_a_rolled_back_password_change_leaves_tokens_live_and_nothing_logged(app, make_user):
    user = make_user()
    api_ops.create_token(user, "laptop script", "write")
    api_ops.create_token(user, "ci", "read")
    db.session.commit()
    entries = audit_entries()

    accounts.change_password(user, PASSWORD, NEW_PASSWORD)
    # Inside the transaction the API's receiver revoked both tokens.
    assert live_tokens(user) == 0
    db.session.rollback()

    assert live_tokens(user) == 2
    assert audit_entries() == entries
    assert accounts.authenticate(user.email, PASSWORD) is not None


def test_rolled_back_admin_actions_leave_no_audit_entry(app, make_user):
    admin = make_user(Role.admin)
    person = make_user(Role.staff)
    secret = pyotp.random_base32()
    mfa.enable(person, secret, pyotp.TOTP(secret).now())
    db.session.commit()
    entries = audit_entries()

    accounts.set_role(admin, person, Role.customer)
    accounts.set_blocked(admin, person, True)
    mfa.reset_by_admin(admin, person)
    # Inside the transaction the audit log's receivers recorded all three.
    assert audit_entries() == entries + 3
    db.session.rollback()

    assert audit_entries() == entries
    db.session.refresh(person)
    assert person.role is Role.staff and not person.blocked and person.mfa_enabled


def test_each_account_change_is_announced_once_with_its_actor(app, make_user):
    heard: list[tuple[str, int, dict]] = []

    def listen(name):
        def receiver(sender, **kwargs):
            heard.append((name, sender.id, kwargs))

        return receiver

    names = ("credentials_changed", "role_changed", "block_changed", "mfa_reset")
    receivers = {name: listen(name) for name in names}
    for name, fn in receivers.items():
        getattr(events, name).connect(fn)
    try:
        admin = make_user(Role.admin)
        person = make_user()
        accounts.change_password(person, PASSWORD, NEW_PASSWORD)
        accounts.reset_password(person, PASSWORD)
        accounts.set_role(admin, person, Role.staff)
        accounts.set_blocked(admin, person, True)
        accounts.set_blocked(admin, person, False)
        secret = pyotp.random_base32()
        mfa.enable(person, secret, pyotp.TOTP(secret).now())
        mfa.reset_by_admin(admin, person)
    finally:
        for name, fn in receivers.items():
            getattr(events, name).disconnect(fn)

    assert heard == [
        ("credentials_changed", person.id, {"actor": person, "how": CredentialChange.changed}),
        ("credentials_changed", person.id, {"actor": person, "how": CredentialChange.reset}),
        ("role_changed", person.id, {"actor": admin, "old": Role.customer, "new": Role.staff}),
        ("block_changed", person.id, {"actor": admin, "blocked": True}),
        ("block_changed", person.id, {"actor": admin, "blocked": False}),
        ("mfa_reset", person.id, {"actor": admin}),
    ]


def test_a_reset_password_revokes_tokens_with_the_reset_reason(app, make_user):
    user = make_user()
    token, _ = api_ops.create_token(user, "ci", "read")
    db.session.commit()
    accounts.reset_password(user, NEW_PASSWORD)
    db.session.commit()
    db.session.refresh(token)
    assert token.revoked_reason is TokenRevocation.password_reset
    assert api_ops.credential_revocation(user) == token
