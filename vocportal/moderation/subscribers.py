"""Moderation screens every new post before ideas announce it (`ideas.events.post_submitted`):
a post `rules.screen` holds is announced only when staff approve it."""

from __future__ import annotations

from vocportal.accounts.models import User
from vocportal.ideas import events
from vocportal.ideas.models import Comment, Idea
from vocportal.moderation import rules
from vocportal.spamtraps import SpamSignals


def screen_post(
    idea: Idea, *, actor: User, post: Idea | Comment, signals: SpamSignals | None, **_: object
) -> bool:
    return rules.screen(actor, post, signals)


def connect() -> None:
    events.post_submitted.connect(screen_post)
