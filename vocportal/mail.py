"""Outgoing email over SMTP, or into the log when no mail server is configured.

Every email is HTML with a plain-text alternative, both rendered from the Jinja templates
`templates/email/<name>.txt` and `.html` (the HTML ones autoescaped) by `render_email`.
"""

from __future__ import annotations

import logging
import re
import smtplib
from contextlib import contextmanager
from email import charset, message_from_bytes
from email.errors import MessageError
from email.header import Header, decode_header, make_header
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import make_msgid, parseaddr
from functools import lru_cache
from urllib.parse import unquote, urlsplit

from flask import current_app
from markupsafe import Markup

from vocportal.markdown import render_markdown
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


def _part(body: str, subtype: str) -> MIMEText:
    part = MIMEText(body, subtype, _UTF8_QP)
    del part["MIME-Version"]  # the message says it once
    return part


def build_message(
    to: str, subject: str, text: str, headers: dict | None = None, html: str | None = None
) -> Message:
    """A UTF-8 message: `text` alone, or with `html` a multipart/alternative of both (the
    compat32 classes: ten times cheaper to build than EmailMessage, which counts when a
    fan-out sends thousands).

    Every header value is made one line; raises MessageBuildError if the message cannot be
    built (a recipient that is not one address, text that is not valid Unicode)."""
    try:
        if html is None:
            msg: Message = MIMEText(text, "plain", _UTF8_QP)
        else:
            msg = MIMEMultipart("alternative")
            msg.attach(_part(text, "plain"))  # the last part is the one clients prefer
            msg.attach(_part(html, "html"))
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


# --- writing emails ----------------------------------------------------------------------

_TAG_STYLES = {
    # Inline styles only: many mail clients drop <style>. Explicit colours, so a client's
    # dark mode either leaves the email as it is or turns all of it, never half.
    "p": "margin:0 0 12px 0;",
    "a": "color:#0b5f94;text-decoration:underline;",
    "blockquote": "margin:0 0 12px 0;padding:0 0 0 12px;border-left:3px solid #cbd5e1;"
    "color:#374151;",
    "code": "font-family:Menlo,Consolas,monospace;font-size:14px;background-color:#eef2f6;"
    "color:#111827;padding:1px 4px;border-radius:3px;",
    "pre": "margin:0 0 12px 0;padding:10px;background-color:#eef2f6;color:#111827;"
    "white-space:pre-wrap;word-break:break-word;border-radius:4px;",
    "ul": "margin:0 0 12px 0;padding:0 0 0 22px;",
    "ol": "margin:0 0 12px 0;padding:0 0 0 22px;",
    "li": "margin:0 0 4px 0;",
    "h3": "margin:0 0 8px 0;font-size:17px;color:#111827;",
    "h4": "margin:0 0 8px 0;font-size:16px;color:#111827;",
    "h5": "margin:0 0 8px 0;font-size:15px;color:#111827;",
    "h6": "margin:0 0 8px 0;font-size:15px;color:#111827;",
    "table": "border-collapse:collapse;margin:0 0 12px 0;",
    "th": "border:1px solid #cbd5e1;padding:4px 8px;text-align:left;color:#111827;",
    "td": "border:1px solid #cbd5e1;padding:4px 8px;color:#111827;",
    "hr": "border:0;border-top:1px solid #cbd5e1;margin:12px 0;",
}
_OPEN_TAG = re.compile(r"<(" + "|".join(_TAG_STYLES) + r")([ >/])")
#: A link (href) or Markdown link target that is a path on the portal, not a full address.
_RELATIVE_HREF = re.compile(r'href="/(?!/)')
_RELATIVE_MD_LINK = re.compile(r"\]\(/(?!/)")


def absolute_links(text: str) -> str:
    """Markdown `text` with its links to portal paths (`[x](/changelog)`) made absolute: an
    email is read outside the portal."""
    return _RELATIVE_MD_LINK.sub(f"]({_base_url()}/", text or "")


@lru_cache(maxsize=256)
def _email_markdown(text: str, base_url: str) -> str:
    html = render_markdown(text)  # rendered and sanitised as on the portal's pages
    html = _RELATIVE_HREF.sub(f'href="{base_url}/', html)
    return _OPEN_TAG.sub(lambda m: f'<{m[1]} style="{_TAG_STYLES[m[1]]}"{m[2]}', html)


def email_markdown(text: str) -> Markup:
    """User-written Markdown as safe HTML for an email: sanitised, links absolute, styled
    inline (cached: a fan-out renders one event's text for every recipient)."""
    return Markup(_email_markdown(text or "", _base_url()))


def _base_url() -> str:
    return current_app.config["BASE_URL"].rstrip("/")


def render_email(template: str, /, **context) -> tuple[str, str]:
    """The (text, html) of an email from templates/email/`template`.txt and .html.

    Rendered straight from the app's Jinja environment (no request needed: workers have
    only the app context); .html templates are autoescaped, .txt ones not."""
    env = current_app.jinja_env
    context.setdefault("portal", current_app.config["PORTAL_NAME"])
    context.setdefault("base_url", _base_url())
    text = env.get_template(f"email/{template}.txt").render(context)
    html = env.get_template(f"email/{template}.html").render(context)
    return text.rstrip("\n") + "\n", html


# --- sending ------------------------------------------------------------------------------

#: A link in the text part: it ends at whitespace or at what closes it in prose.
_LINK = re.compile(r"https?://[^\s<>\"'()\[\]]+")


def _text_of(msg: Message) -> str:
    for part in msg.walk():
        if part.get_content_type() == "text/plain":
            payload = part.get_payload(decode=True) or b""
            return payload.decode(part.get_content_charset() or "utf-8", "replace")
    return ""


def links_in(msg: Message) -> list[str]:
    """The links of a message's text part, in order, each once (decoded: whole, never split
    by the transfer encoding)."""
    found = (link.rstrip(".,;:!?") for link in _LINK.findall(_text_of(msg)))
    return list(dict.fromkeys(found))


def log_line(msg: Message) -> str:
    """One line saying who an email is for, what it is about and its links."""
    subject = one_line(str(make_header(decode_header(msg["Subject"] or ""))))
    links = " ".join(links_in(msg)) or "(none)"
    return f'email to {msg["To"]}: "{subject}" links: {links}'


class _LogTransport:
    """MAIL_URL=log://: each email is one log line with its links, nothing is sent."""

    def send(self, msg: Message) -> None:
        log.warning("%s", log_line(msg))

    def send_bytes(self, to: str, data: bytes) -> None:
        self.send(message_from_bytes(data))


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

    def send_bytes(self, to: str, data: bytes) -> None:
        """Send a message already written out (CRLF line ends) to `to`: a fan-out writes
        thousands, and the email package's generator costs more than the SMTP exchange."""
        if self.client is None:
            self.client = self._connect()
            self.sender = parseaddr(current_app.config["MAIL_FROM"])[1]
        try:
            self.client.sendmail(self.sender, [to], data)
        except smtplib.SMTPServerDisconnected:
            self.client = self._connect()
            self.client.sendmail(self.sender, [to], data)

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


def send_email(
    to: str, subject: str, text: str, headers: dict | None = None, html: str | None = None
) -> None:
    """Send one email through the transport MAIL_URL names; raise on failure."""
    with smtp_connection() as transport:
        transport.send(build_message(to, subject, text, headers, html))
