"""Account rules: sign-up, login, sessions, passwords, profile, roles."""

from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select

from vocportal.accounts.models import Role, User
from vocportal.api.models import TokenRevocation
from vocportal.api.operations import revoke_tokens_of
from vocportal.errors import OperationError, PermissionDenied
from vocportal.extensions import db
from vocportal.security import hash_password, password_problem, verify_password
from vocportal.timeutil import utcnow


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def create_user(email: str, display_name: str, password: str, role: Role = Role.customer) -> User:
    """Create an account; refuse a taken email or a weak password. A contact with that
    email (known from feedback, never signed up) becomes the account, keeping its history."""
    email = normalise_email(email)
    display_name = display_name.strip()
    existing = find_user_by_email(email)
    if existing is not None and not existing.is_contact:
        raise OperationError("An account with this email already exists.", field="email")
    problem = password_problem(password, email=email, name=display_name)
    if problem:
        raise OperationError(problem, field="password")
    if existing is not None:  # a contact known from feedback signs up: the row is theirs
        existing.display_name = display_name
        existing.password_hash = hash_password(password)
        if role is not Role.customer:
            existing.role = role
        db.session.flush()
        return existing
    user = User(
        email=email,
        display_name=display_name,
        password_hash=hash_password(password),
        role=role,
    )
    db.session.add(user)
    db.session.flush()
    return user


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
    set_password(user, new, reason=TokenRevocation.password_changed)


def set_password(
    user: User, new: str, *, reason: TokenRevocation = TokenRevocation.password_reset
) -> None:
    """Set a new password (a reset, unless `reason` says otherwise): every session ends and
    every API token is revoked, so nothing stolen with the old credentials outlives them."""
    problem = password_problem(new, email=user.email, name=user.display_name)
    if problem:
        raise OperationError(problem, field="password")
    user.password_hash = hash_password(new)
    end_sessions(user)
    revoke_tokens_of(user, reason)


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
    user.role = role
    db.session.flush()


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
