"""A real SMTP server (aiosmtpd) on localhost that keeps what it receives."""

from __future__ import annotations

import email
import email.policy
import socket
import time
from email.message import Message

import pytest
from aiosmtpd.controller import Controller


class Inbox:
    def __init__(self):
        self.messages: list[Message] = []
        #: Refuse this many messages with a temporary error before accepting again.
        self.refuse_next = 0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        if self.refuse_next > 0:
            self.refuse_next -= 1
            return "451 Requested action aborted: try again later"
        self.messages.append(
            email.message_from_bytes(envelope.content, policy=email.policy.default)
        )
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Message]:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.messages


def text_of(message: Message) -> str:
    """The plain-text part of an email (every email is text with an HTML alternative)."""
    return message.get_body(("plain",)).get_content()


def html_of(message: Message) -> str:
    """The HTML part of an email."""
    return message.get_body(("html",)).get_content()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server():
    """Yield (MAIL_URL, inbox) for a running local SMTP server."""
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield f"smtp://127.0.0.1:{port}", inbox
    finally:
        controller.stop()
