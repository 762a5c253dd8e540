"""Outgoing email over SMTP, or into the log when no mail server is configured."""

from __future__ import annotations

import logging
import re
import smtplib
from contextlib import contextmanager
from email import charset
from email.errors import MessageError
from email.header import Header
from email.message import Message
from email.mime.text import MIMEText
from email.utils import make_msgid
from urllib.parse import unquote, urlsplit

from flask import current_app

from vocportal.text import one_line

log = logging.getLogger("vocportal.mail")


_UTF8_QP = charset.Charset("utf-8")
_UTF8_QP.body_encoding = charset.QP

#: An address as a To header takes it: no display name, no whitespace or control characters.
_ADDRESS = re.compile(r"[^\s@]+@[^\s@]+")


class MessageBuildError(ValueError):
    """This message cannot be built (an address or text no header can carry): sending it
    again will not help."""


def _header(value: str) -> str | Header:
    # One line whatever the caller gives: a line break would end the header, and what
    # follows would become headers of its own or fall into the body.
    value = one_line(value)
    return value if value.isascii() else Header(value, "utf-8")


def _address(to: str) -> str:
    if not _ADDRESS.fullmatch(to) or not to.isprintable():
        raise MessageBuildError(f"the address {to!r} cannot be a recipient")
    return to


def build_message(to: str, subject: str, text: str, headers: dict | None = None) -> Message:
    """A plain-text UTF-8 message (the compat32 classes: ten times cheaper to build than
    EmailMessage, which counts when a fan-out sends thousands).

    Every header value is made one line; raises MessageBuildError if the message cannot be
    built (a recipient that is not one address, text that is not valid Unicode)."""
    try:
        msg = MIMEText(text, "plain", _UTF8_QP)
        msg["From"] = _header(current_app.config["MAIL_FROM"])
        msg["To"] = _address(to)
        msg["Subject"] = _header(subject)
        headers = dict(headers or {})
        msg["Message-ID"] = one_line(headers.pop("Message-ID", None) or "") or make_msgid(
            domain="vocportal.localhost"
        )
        for key, value in headers.items():
            msg[key] = _header(value)
    except MessageBuildError:
        raise
    except (ValueError, MessageError) as error:  # UnicodeEncodeError, HeaderParseError, ...
        raise MessageBuildError(f"{type(error).__name__}: {error}") from error
    return msg


class _LogTransport:
    def send(self, msg: Message) -> None:
        log.warning("Email (MAIL_URL=log://, not sent)\n%s", msg.as_string())


class _SMTPTransport:
    """One SMTP connection reused for many messages; reconnects once if the server hung up."""

    def __init__(self, url):
        self.url = url
        self.client: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        url = self.url
        host, port = url.hostname or "localhost", url.port
        if url.scheme == "smtps":
            client: smtplib.SMTP = smtplib.SMTP_SSL(host, port or 465, timeout=30)
        else:
            client = smtplib.SMTP(host, port or 25, timeout=30)
        if url.scheme == "smtp+starttls":
            client.starttls()
        if url.username:
            client.login(unquote(url.username), unquote(url.password or ""))
        return client

    def send(self, msg: Message) -> None:
        if self.client is None:
            self.client = self._connect()
        try:
            self.client.send_message(msg)
        except smtplib.SMTPServerDisconnected:
            self.client = self._connect()
            self.client.send_message(msg)

    def close(self) -> None:
        if self.client is not None:
            try:
                self.client.quit()
            except (OSError, smtplib.SMTPException):
                self.client.close()
            self.client = None


@contextmanager
def smtp_connection():
    """A transport for sending several messages over one connection (MAIL_URL)."""
    url = urlsplit(current_app.config["MAIL_URL"])
    if url.scheme == "log":
        yield _LogTransport()
        return
    if url.scheme not in {"smtp", "smtps", "smtp+starttls"}:
        raise ValueError(f"MAIL_URL scheme {url.scheme!r} is not one of log, smtp, smtps")
    transport = _SMTPTransport(url)
    try:
        yield transport
    finally:
        transport.close()


def send_email(to: str, subject: str, text: str, headers: dict | None = None) -> None:
    """Send one plain-text email through the transport MAIL_URL names; raise on failure."""
    with smtp_connection() as transport:
        transport.send(build_message(to, subject, text, headers))
