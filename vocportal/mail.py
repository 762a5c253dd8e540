"""Outgoing email over SMTP, or into the log when no mail server is configured."""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage
from email.utils import make_msgid
from urllib.parse import unquote, urlsplit

from flask import current_app

log = logging.getLogger("vocportal.mail")


def build_message(to: str, subject: str, text: str, headers: dict | None = None) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = current_app.config["MAIL_FROM"]
    msg["To"] = to
    msg["Subject"] = subject
    msg["Message-ID"] = make_msgid(domain="vocportal.localhost")
    for key, value in (headers or {}).items():
        msg[key] = value
    msg.set_content(text)
    return msg


def send_email(to: str, subject: str, text: str, headers: dict | None = None) -> None:
    """Send one plain-text email through the transport MAIL_URL names; raise on failure."""
    msg = build_message(to, subject, text, headers)
    url = urlsplit(current_app.config["MAIL_URL"])
    if url.scheme == "log":
        log.warning("Email (MAIL_URL=log://, not sent)\n%s", msg.as_string())
        return
    if url.scheme not in {"smtp", "smtps", "smtp+starttls"}:
        raise ValueError(f"MAIL_URL scheme {url.scheme!r} is not one of log, smtp, smtps")
    host, port = url.hostname or "localhost", url.port
    if url.scheme == "smtps":
        client: smtplib.SMTP = smtplib.SMTP_SSL(host, port or 465, timeout=30)
    else:
        client = smtplib.SMTP(host, port or 25, timeout=30)
    with client:
        if url.scheme == "smtp+starttls":
            client.starttls()
        if url.username:
            client.login(unquote(url.username), unquote(url.password or ""))
        client.send_message(msg)
