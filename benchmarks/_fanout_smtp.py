"""The SMTP side of benchmarks/fanout.py: an aiosmtpd server in a thread that counts what
it accepts, and the floor (the same server fed by one plain smtplib loop, no database)."""

from __future__ import annotations

import multiprocessing
import smtplib
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from _harness import free_port, log

#: About the size of the portal's status-update email, HTML and text (its runs report
#: `email_bytes_mean`: 5,010-5,036 bytes). The size counts: on this machine the server takes
#: about 1.5 times as long for 5,000-byte messages as for 1,024-byte ones.
FLOOR_MESSAGE_BYTES = 5000
#: The floor's message size before 2026-11-29, still measured so older ratios compare.
SMALL_FLOOR_BYTES = 1024
FLOOR_TIMEOUT_S = 300
MAIL_FROM = "vocportal <noreply@vocportal.localhost>"
IDEA_TITLE = "Export dashboards as PDF"


class CountingHandler:
    """aiosmtpd handler: accept every message, count them and their distinct recipients."""

    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.accepted = 0
            self.recipients: set[str] = set()
            self.recipient_slots = 0  # recipients over all messages, repeats included
            self.sizes: list[int] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        with self.lock:
            self.accepted += 1
            self.recipient_slots += len(envelope.rcpt_tos)
            self.recipients.update(envelope.rcpt_tos)
            if len(self.sizes) < 100:
                self.sizes.append(len(envelope.content))
        return "250 Message accepted for delivery"

    def counts(self) -> tuple[int, int]:
        """(messages accepted, recipients that got more than one message's worth)."""
        with self.lock:
            return self.accepted, self.recipient_slots - len(self.recipients)

    def mean_size(self) -> int:
        with self.lock:
            return round(sum(self.sizes) / len(self.sizes)) if self.sizes else 0


@contextmanager
def smtp_server() -> Iterator[tuple[CountingHandler, int]]:
    """Run aiosmtpd on 127.0.0.1 in a thread until the block ends; yield (handler, port)."""
    from aiosmtpd.controller import Controller

    handler = CountingHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


def floor_message(recipient: str, size: int = FLOOR_MESSAGE_BYTES) -> bytes:
    """A plain-text email of about `size` bytes, shaped like a portal notification."""
    headers = (
        f"From: {MAIL_FROM}\r\nTo: {recipient}\r\nSubject: [Tallyhive feedback] "
        f"{IDEA_TITLE}: now shipped\r\nMessage-ID: <floor-{recipient}>\r\n"
        'Auto-Submitted: auto-generated\r\nContent-Type: text/plain; charset="utf-8"\r\n'
        "Content-Transfer-Encoding: 7bit\r\nMIME-Version: 1.0\r\n\r\n"
    )
    line = "Thanks for your vote. This line stands in for the notification text.\r\n"
    body = line * max(1, (size - len(headers)) // len(line))
    return (headers + body).encode()


def floor_client(port: int, n: int, result, size: int) -> None:
    """In a child process: send n messages of `size` bytes over one connection; put the
    seconds taken."""
    recipients = [f"floor{i}@example.test" for i in range(n)]
    messages = [(to, floor_message(to, size)) for to in recipients]
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as smtp:
        for recipient, message in messages:
            smtp.sendmail(MAIL_FROM, [recipient], message)
    result.put(time.perf_counter() - started)


def smtp_floor(
    handler: CountingHandler, port: int, n: int, size: int = FLOOR_MESSAGE_BYTES
) -> float:
    """Seconds for the server to accept n messages of `size` bytes from one smtplib loop
    (no database)."""
    handler.reset()
    context = multiprocessing.get_context("spawn")
    result = context.Queue()
    client = context.Process(target=floor_client, args=(port, n, result, size))
    client.start()
    try:
        seconds = result.get(timeout=FLOOR_TIMEOUT_S)
    finally:
        client.join(timeout=30)
    accepted, duplicates = handler.counts()
    if accepted != n or duplicates:
        raise RuntimeError(f"SMTP floor: {accepted} of {n} accepted, {duplicates} duplicates")
    log(f"SMTP floor: {n} messages of ~{handler.mean_size()} bytes in {seconds:.2f} s")
    return seconds
