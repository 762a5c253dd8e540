"""Account rules: sign-up, login, sessions, passwords, profile, roles."""

from __future__ import annotations

import enum

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select

from vocportal.accounts import events
from vocportal.accounts.events import CredentialChange
from vocportal.accounts.models import Role, User, normalise_email
from vocportal.errors import OperationError, PermissionDenied
from vocportal.extensions import db
from vocportal.security import hash_password, password_problem, verify_password
from vocportal.timeutil import utcnow


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def user_by_id(user_id: int) -> User | None:
    return db.session.get(User, user_id)


def create_user(
    email: str,
    display_name: str,
    password: str,
    role: Role = Role.customer,
    *,
    verified: bool = True,
) -> User:
    """Create an account for someone staff or the CLI vouch for (verified unless told
    otherwise); refuse a taken email or a weak password. A contact with that email (known
    from feedback, never signed up) becomes the account, keeping its history.

    Sign-up by a stranger goes through `sign_up`, which proves the address first."""
    email = normalise_email(email)
    display_name = display_name.strip()
    existing = find_user_by_email(email)
    if existing is not None and not existing.is_contact:
        raise OperationError("An account with this email already exists.", field="email")
    problem = password_problem(password, email=email, name=display_name)
    if problem:
        raise OperationError(problem, field="password")
    # A contact known from feedback: the row is theirs (a contact keeps its role unless
    # another is given).
    user = existing if existing is not None else User(email=email, role=Role.customer)
    user.display_name = display_name
    user.password_hash = hash_password(password)
    user.pending_password_hash = None
    user.email_verified_at = utcnow() if verified else None
    if role is not Role.customer:
        user.role = role
    if existing is None:
        db.session.add(user)
    db.session.flush()
    return user


class SignupOutcome(enum.Enum):
    """Which email a sign-up sends (the page answers the same in every case)."""

    #: No account at this address (none yet, or a contact): a link to confirm it.
    confirm = "confirm"
    #: An account with a password already has it: "log in, or reset your password".
    taken = "taken"


def sign_up(email: str, display_name: str, password: str) -> tuple[SignupOutcome, User]:
    """Start a sign-up: nothing is joined to the address until its owner opens the
    emailed link (`confirm_sign_up`).

    The chosen password waits, hashed, on the address's row: a new contact-like row for a
    new address, or the contact's own row for an address known from feedback. Either way
    nobody can log in with it, and no history, company or notification moves, until the
    link is opened and the password typed again. The same work is done whatever the
    address (the password is always hashed), so the answer says nothing about accounts.
    """
    email = normalise_email(email)
    display_name = display_name.strip()
    problem = password_problem(password, email=email, name=display_name)
    if problem:
        raise OperationError(problem, field="password")
    password_hash = hash_password(password)
    user = find_user_by_email(email)
    if user is not None and not user.is_contact:
        return SignupOutcome.taken, user
    if user is None:
        user = User(email=email, display_name=display_name, password_hash="", role=Role.customer)
        db.session.add(user)
    # A later sign-up replaces an earlier one's password: only the newest link works.
    user.pending_password_hash = password_hash
    db.session.flush()
    return SignupOutcome.confirm, user


def _tail(value: str | None) -> str:
    return (value or "")[-16:]


def _verify_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="email-verify")


def make_verify_token(user: User, display_name: str | None = None) -> str:
    """Return a signed link token that proves `user`'s address when opened.

    For a sign-up in waiting it also finishes the sign-up with `display_name`. It is bound to
    the waiting password (a newer sign-up or its use kills it) and to the address being
    unverified (once proved, every such link is dead)."""
    return _verify_serializer().dumps(
        {"id": user.id, "e": user.email, "p": _tail(user.pending_password_hash), "n": display_name}
    )


def verify_token_data(token: str) -> tuple[User, str | None] | None:
    """Return (user, display name) for a valid, unused, unexpired confirm token, else None."""
    try:
        data = _verify_serializer().loads(token, max_age=current_app.config["EMAIL_VERIFY_MAX_AGE"])
    except (BadSignature, SignatureExpired):
        return None
    if not isinstance(data, dict):
        return None
    user = db.session.get(User, data.get("id")) if isinstance(data.get("id"), int) else None
    if user is None or user.blocked or user.is_verified or user.email != data.get("e"):
        return None
    if _tail(user.pending_password_hash) != data.get("p"):
        return None
    if not user.pending_password_hash and user.is_contact:
        return None  # a contact with no sign-up in waiting: nothing to confirm
    name = data.get("n")
    return user, (name if isinstance(name, str) else None)


def confirm_sign_up(token: str, password: str | None) -> User:
    """Prove the address a confirm token was sent to, and return the user to log in.

    A sign-up in waiting needs its password typed again: whoever opens the link must be
    whoever signed up, so a stranger's sign-up confirmed by a careless click in the real
    owner's mailbox gives the stranger nothing. Only then does the row get its password
    (a contact's history with it)."""
    found = verify_token_data(token)
    if found is None:
        raise OperationError("That link is invalid, used or expired. Ask for a new one.")
    user, display_name = found
    if user.pending_password_hash:
        if not verify_password(user.pending_password_hash, password or ""):
            raise OperationError(
                "That is not the password you chose when you signed up.", field="password"
            )
        user.password_hash = user.pending_password_hash
        user.pending_password_hash = None
        if display_name:
            user.display_name = display_name.strip()[:80]
        end_sessions(user)
    mark_verified(user)
    user.last_login_at = utcnow()
    db.session.flush()
    return user


def mark_verified(user: User) -> None:
    """Record that the person proved they read mail at their address (once)."""
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
    db.session.flush()


def _magic_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="magic-link")


def _login_stamp(user: User) -> str:
    return user.last_login_at.isoformat() if user.last_login_at else ""


def make_sign_in_token(user: User) -> str:
    """Return a signed sign-in link token for `user`; any login (this one too) kills it."""
    return _magic_serializer().dumps({"id": user.id, "t": _login_stamp(user)})


def user_for_sign_in_token(token: str) -> User | None:
    """Return the user a valid, unused, unexpired sign-in token is for, else None."""
    try:
        data = _magic_serializer().loads(token, max_age=current_app.config["MAGIC_LINK_MAX_AGE"])
    except (BadSignature, SignatureExpired):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("id"), int):
        return None
    user = db.session.get(User, data["id"])
    if user is None or user.blocked or user.is_contact or _login_stamp(user) != data.get("t"):
        return None
    return user


def sign_in_by_link(token: str) -> User:
    """Log in with an emailed link; it proves the address too, and is then used up."""
    user = user_for_sign_in_token(token)
    if user is None:
        raise OperationError("That sign-in link is invalid, used or expired. Ask for a new one.")
    mark_verified(user)
    user.last_login_at = utcnow()
    db.session.flush()
    return user


def can_sign_in_by_link(user: User | None) -> bool:
    """Whether a sign-in link may be emailed to this row: a live account with a password."""
    return user is not None and not user.blocked and not user.is_contact


def authenticate(email: str, password: str) -> User | None:
    """Return the user whose credentials these are, or None; same cost either way."""
    user = find_user_by_email(email)
    ok = verify_password(user.password_hash if user else None, password)
    if not ok or user is None or user.blocked:
        return None
    user.last_login_at = utcnow()
    return user


def end_sessions(user: User) -> None:
    """Invalidate every session and remember-me cookie the user holds."""
    user.session_version = User.session_version + 1
    db.session.flush()
    db.session.refresh(user, ["session_version"])


def change_password(user: User, current: str, new: str) -> None:
    """Change the password after checking the current one; ends other sessions and revokes
    the person's API tokens."""
    if not verify_password(user.password_hash, current):
        raise OperationError("That is not your current password.", field="current_password")
    set_password(user, new, how=CredentialChange.changed)


def set_password(user: User, new: str, *, how: CredentialChange = CredentialChange.reset) -> None:
    """Set a new password (a reset, unless `how` says otherwise): every session ends and
    `credentials_changed` is sent (the API revokes every token), so nothing stolen with the
    old credentials outlives them."""
    problem = password_problem(new, email=user.email, name=user.display_name)
    if problem:
        raise OperationError(problem, field="password")
    user.password_hash = hash_password(new)
    end_sessions(user)
    events.credentials_changed.send(user, actor=user, how=how)


def reset_password(user: User, new: str) -> None:
    """Set a new password from an emailed reset link: that link proved the address too, and
    a sign-up still waiting on it is dropped (its password is replaced)."""
    set_password(user, new)
    user.pending_password_hash = None
    mark_verified(user)


def update_profile(user: User, display_name: str) -> None:
    user.display_name = display_name.strip()
    db.session.flush()


def _reset_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="password-reset")


def make_reset_token(user: User) -> str:
    """Return a signed token for resetting `user`'s password; a used one stops working."""
    # The tail of the current hash binds the token to this password: once it changes
    # (the reset itself), the token is dead.
    return _reset_serializer().dumps({"id": user.id, "h": user.password_hash[-16:]})


def user_for_reset_token(token: str) -> User | None:
    """Return the user a valid, unused, unexpired reset token is for, else None."""
    try:
        data = _reset_serializer().loads(
            token, max_age=current_app.config["PASSWORD_RESET_MAX_AGE"]
        )
    except (BadSignature, SignatureExpired):
        return None
    user = db.session.get(User, data.get("id"))
    if user is None or user.blocked or user.password_hash[-16:] != data.get("h"):
        return None
    return user


def set_role(actor: User, user: User, role: Role) -> None:
    """Give `user` a role; admins only, and the last admin cannot demote themselves."""
    if not actor.is_admin:
        raise PermissionDenied()
    if user.role is Role.admin and role is not Role.admin:
        admins = db.session.scalar(select(func.count()).where(User.role == Role.admin))
        if admins <= 1:
            raise OperationError("The portal needs at least one admin.", field="role")
    old, user.role = user.role, role
    db.session.flush()
    events.role_changed.send(user, actor=actor, old=old, new=role)


def set_blocked(actor: User, user: User, blocked: bool) -> None:
    """Block or unblock a user; a block ends their sessions at once."""
    if not actor.is_admin:
        raise PermissionDenied()
    if user.id == actor.id:
        raise OperationError("You cannot block yourself.")
    user.blocked = blocked
    if blocked:
        end_sessions(user)
    db.session.flush()
    events.block_changed.send(user, actor=actor, blocked=blocked)
