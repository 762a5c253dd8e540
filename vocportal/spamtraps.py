"""Cheap spam signals read from a posting form: a honeypot, a too-fast submission, links.

What each signal does (`vocportal.moderation.rules.screen` applies it; the moderation queue
shows all three):

- the honeypot (a field people never see) filled in: the post is **held**, whatever
  `MODERATION` says, so a bot's post is never published silently;
- more than `MODERATION_MAX_LINKS` links: **held**;
- sent less than `MODERATION_MIN_SECONDS` after the form was shown, or without a valid
  signed form stamp: **flagged** only (published, and listed for staff to look at): a person
  who types fast, or a browser that replays a form, should not lose their post.

Posts that come through the API carry no form, so they have none of these signals.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadSignature, TimestampSigner
from wtforms import HiddenField, StringField

from vocportal.timeutil import utcnow

_SALT = "vocportal.moderation.form-stamp"
_LINK = re.compile(r"(?:\bhttps?://|\bwww\.)[^\s<>()\[\]]+", re.IGNORECASE)


@dataclass(frozen=True)
class SpamSignals:
    """What a posting form told us beyond its text."""

    #: The hidden honeypot field came back filled in.
    honeypot: bool = False
    #: Seconds between the form being shown and sent; None when its stamp was missing or
    #: forged.
    seconds: float | None = None
    #: Links in the posted text.
    links: int = 0

    @property
    def too_fast(self) -> bool:
        return self.seconds is None or self.seconds < current_app.config["MODERATION_MIN_SECONDS"]

    @property
    def too_many_links(self) -> bool:
        return self.links > current_app.config["MODERATION_MAX_LINKS"]


def _signer() -> TimestampSigner:
    return TimestampSigner(current_app.secret_key, salt=_SALT)


def new_stamp() -> str:
    """A signed 'this form was shown now', for the form's hidden field."""
    return _signer().sign("form").decode()


def stamp_age(stamp: str | None) -> float | None:
    """Seconds since `stamp` was made, or None if it is missing or not ours."""
    if not stamp:
        return None
    try:
        _, signed_at = _signer().unsign(stamp, return_timestamp=True)
    except (BadSignature, ValueError):
        return None
    return max(0.0, (utcnow() - signed_at.replace(tzinfo=None)).total_seconds())


def count_links(text: str) -> int:
    return len(_LINK.findall(text or ""))


def read_signals(honeypot: str | None, stamp: str | None, text: str) -> SpamSignals:
    """The signals of one submitted form: its honeypot value, its stamp, the posted text."""
    return SpamSignals(
        honeypot=bool((honeypot or "").strip()),
        seconds=stamp_age(stamp),
        links=count_links(text),
    )


class SpamTraps:
    """Mixed into a posting form (before FlaskForm): a honeypot and the signed time the
    form was shown. Templates render both with `moderation/_traps.html`."""

    #: People never see it (the `.trap` class moves it off-screen: no inline style under
    #: the CSP; aria-hidden and out of the tab order); bots filling every field fill it.
    homepage = StringField("Leave this field empty")
    #: A signed timestamp of when the form was shown (kept when the form comes back with
    #: an error, so fixing a typo does not look like a fast bot).
    started = HiddenField()

    def form_stamp(self) -> str:
        return self.started.data or new_stamp()

    def spam_signals(self, text: str) -> SpamSignals:
        return read_signals(self.homepage.data, self.started.data, text)
