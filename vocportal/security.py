"""Password hashing and policy, and safe redirect targets."""

from __future__ import annotations

from functools import cache
from importlib import resources
from urllib.parse import urlsplit

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

PASSWORD_MIN = 8
PASSWORD_MAX = 128


@cache
def _hasher(time_cost: int, memory_cost: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=1)


def hasher() -> PasswordHasher:
    cfg = current_app.config
    return _hasher(cfg["ARGON2_TIME_COST"], cfg["ARGON2_MEMORY_COST"])


def hash_password(password: str) -> str:
    """Return an argon2id hash of `password`."""
    return hasher().hash(password)


# A valid hash of a random password: checking against it when the email is unknown makes
# "unknown email" cost the same time as "wrong password".
_DUMMY_PASSWORD = "vocportal-dummy-password-for-timing"


def verify_password(password_hash: str | None, password: str) -> bool:
    """Tell whether `password` matches `password_hash`, in constant-ish time."""
    ph = hasher()
    try:
        if not password_hash:  # no account, or a contact who never signed up: same cost
            ph.verify(_dummy_hash(), password + "x")
            return False
        return ph.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _dummy_hash() -> str:
    cache_ = current_app.extensions.setdefault("vocportal_dummy_hash", {})
    if "hash" not in cache_:
        cache_["hash"] = hasher().hash(_DUMMY_PASSWORD)
    return cache_["hash"]


@cache
def common_passwords() -> frozenset[str]:
    text = resources.files("vocportal").joinpath("data/common-passwords.txt").read_text()
    return frozenset(
        line.strip().lower() for line in text.splitlines() if line and not line.startswith("#")
    )


def password_problem(password: str, *, email: str = "", name: str = "") -> str | None:
    """Return why `password` is not acceptable, or None. No composition rules (ASVS)."""
    if len(password) < PASSWORD_MIN:
        return f"Use at least {PASSWORD_MIN} characters."
    if len(password) > PASSWORD_MAX:
        return f"Use at most {PASSWORD_MAX} characters."
    lowered = password.lower()
    if lowered in common_passwords():
        return "This password is too common; choose a less guessable one."
    if email and lowered in {email.lower(), email.split("@")[0].lower()}:
        return "Do not use your email address as your password."
    if name and lowered == name.lower():
        return "Do not use your name as your password."
    return None


def safe_next(target: str | None) -> str | None:
    """Return `target` when it is a local path on this site, else None (no open redirects)."""
    if not target:
        return None
    target = target.strip()
    if "\\" in target or any(ord(c) < 32 for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target
