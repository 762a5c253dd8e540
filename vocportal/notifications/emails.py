"""The notification emails: one event's email and the daily digest, from templates/email.

Every email carries a Message-ID made from its notification ids (a resend after a crash
repeats it, so mail systems drop the duplicate), one-click unsubscribe headers, and links
to the person's activity and preferences. Building raises MessageBuildError for an
address no To header can carry.
"""

from __future__ import annotations

from binascii import b2a_qp
from email.header import Header
from urllib.parse import urlsplit

from flask import current_app
from markupsafe import escape

from vocportal.accounts.models import User
from vocportal.mail import (
    MessageBuildError,
    _address,
    _header,
    absolute_links,
    build_message,
    email_markdown,
    render_email,
)
from vocportal.notifications.models import EventKind, Notification, NotificationEvent
from vocportal.notifications.preferences import unsubscribe_token
from vocportal.questions import replies

#: The button of an event's email, by what happened.
_BUTTON = {
    EventKind.status_update: "See the update",
    EventKind.comment: "See the comment",
    EventKind.theme_alert: "See the theme",
    EventKind.question: "Answer the question",
    EventKind.answer: "See the answer",
    EventKind.feedback_linked: "See the idea",
}


class EventEmails:
    """One event's emails, written out for SMTP: the templates are rendered once per event
    (and kind of reader: with or without an account) with stand-ins for the reader's name
    and unsubscribe link, which `write` fills in per person before quoted-printable encoding
    both parts. A fan-out writes thousands; rendering and the email package's generator per
    person cost more than the SMTP exchange."""

    def __init__(self, event: NotificationEvent):
        self.event = event
        portal = current_app.config["PORTAL_NAME"]
        self.subject = f"[{portal}] {event.title}"
        #: A question's email is answered by its reader: a signed reply link and a reply
        #: token (Reply-To address and subject) per person (`vocportal.questions.replies`).
        self._asks = event.kind is EventKind.question and event.question_id is not None
        head = {"From": current_app.config["MAIL_FROM"]}
        if not self._asks:
            head["Subject"] = self.subject
        self._head = _header_lines(head)
        self._bodies: dict[bool, tuple[str, str]] = {}

    def _rendered(self, has_account: bool) -> tuple[str, str]:
        if has_account not in self._bodies:
            event, portal = self.event, current_app.config["PORTAL_NAME"]
            self._bodies[has_account] = render_email(
                "event",
                subject=self.subject,
                preview=event.title,
                name=_NAME,
                title=event.title,
                text=absolute_links(event.text),
                text_html=email_markdown(event.text) if event.text else None,
                url=_REPLY if self._asks else f"{_base_url()}{event.link}",
                reply_hint=_reply_hint() if self._asks else None,
                button_label=_BUTTON.get(event.kind, "See it"),
                unsubscribe_label=(
                    "Unsubscribe from this idea with one click"
                    if event.idea_id
                    else "Stop all notification emails with one click"
                ),
                reason=(
                    "You get this because you asked for this idea (posted, voted, commented or "
                    "sent us feedback about it) or follow it."
                    if event.idea_id
                    else "You get this because you sent us the feedback it is about."
                    if self._asks
                    else f"You get this as a member of the {portal} team."
                ),
                activity_url=f"{_base_url()}/me/activity" if has_account else None,
                unsubscribe_url=_UNSUBSCRIBE,
                preferences_url=f"{_base_url()}/notifications/settings",
            )
        return self._bodies[has_account]

    def write(self, notification_id: int, user: User) -> tuple[str, bytes]:
        """(recipient, the message as bytes with CRLF line ends) for one person's row.

        Raises MessageBuildError for an address no To header can carry or text that is not
        valid Unicode."""
        to = _address(user.email)
        text, html = self._rendered(bool(user.password_hash))
        unsubscribe = unsubscribe_url(user.id, self.event.idea_id)
        name = user.display_name
        text = text.replace(_NAME, name).replace(_UNSUBSCRIBE, unsubscribe)
        html = html.replace(_NAME, escape(name)).replace(_UNSUBSCRIBE, escape(unsubscribe))
        personal = {}
        if self._asks:
            question_id = self.event.question_id
            link = f"{_base_url()}/questions/reply/{replies.link_token(question_id, user.id)}"
            text, html = text.replace(_REPLY, link), html.replace(_REPLY, escape(link))
            token = replies.address_token(question_id, user.id)
            personal["Subject"] = f"{self.subject} {replies.subject_ref(token)}"
            if reply_to := replies.reply_address(token):
                personal["Reply-To"] = reply_to
        # Never inside a part: every "=" in a quoted-printable body is written =3D.
        boundary = f"===============vocportal{self.event.id}n{notification_id}=="
        head = _header_lines(
            {
                "To": to,
                **personal,
                **_list_headers(unsubscribe, notification_ids=[notification_id]),
            }
        )
        try:
            parts = [_qp_part("plain", text, boundary), _qp_part("html", html, boundary)]
        except UnicodeEncodeError as error:  # a lone surrogate in a name or the text
            raise MessageBuildError(f"{type(error).__name__}: {error}") from error
        return to, b"".join(
            [
                f'Content-Type: multipart/alternative; boundary="{boundary}"\r\n'
                "MIME-Version: 1.0\r\n".encode(),
                self._head,
                head,
                b"\r\n",
                *parts,
                f"--{boundary}--\r\n".encode(),
            ]
        )


#: Stand-ins for the per-person parts of a rendered event email (NUL: never in stored text).
_NAME, _UNSUBSCRIBE, _REPLY = "\x00name\x00", "\x00unsubscribe\x00", "\x00reply\x00"


def _reply_hint() -> str:
    """How a question's reader answers, under its button."""
    if current_app.config["QUESTION_REPLY_ADDRESS"]:
        return "Answer with the button (no login needed), or simply reply to this email."
    return "Answer with the button: no login needed."


def _header_lines(headers: dict[str, str]) -> bytes:
    """Header lines as `build_message` writes them: one line each, RFC 2047 when not ASCII."""
    lines = []
    for key, value in headers.items():
        value = _header(value)
        if isinstance(value, Header):
            value = value.encode(linesep="\r\n")
        lines.append(f"{key}: {value}\r\n")
    return "".join(lines).encode("ascii")


def _qp_part(subtype: str, body: str, boundary: str) -> bytes:
    """One quoted-printable UTF-8 part of a multipart message, with its boundary line."""
    body = body.replace("\r\n", "\n").replace("\r", "\n")
    encoded = b2a_qp(body.encode("utf-8"), istext=True).replace(b"\n", b"\r\n")
    return (
        f'--{boundary}\r\nContent-Type: text/{subtype}; charset="utf-8"\r\n'
        "Content-Transfer-Encoding: quoted-printable\r\n\r\n".encode()
        + encoded
        + b"\r\n"  # the line break before the next boundary belongs to the boundary
    )


def digest_email(user: User, rows: list[Notification]):
    """One email with all of a person's waiting updates (`rows`)."""
    portal = current_app.config["PORTAL_NAME"]
    count = len(rows)
    subject = f"[{portal}] Your daily digest: {count} update{'s' if count != 1 else ''}"
    links = _footer_links(user, None)
    items = [
        {
            "title": n.event.title,
            "url": f"{_base_url()}{n.event.link}",
            "text": absolute_links(n.event.text),
            "text_html": email_markdown(n.event.text) if n.event.text else None,
        }
        for n in rows
    ]
    text, html = render_email(
        "digest",
        subject=subject,
        preview=f"{count} update{'s' if count != 1 else ''} on {portal}",
        name=user.display_name,
        items=items,
        **links,
    )
    return build_message(
        user.email,
        subject,
        text,
        headers=_list_headers(links["unsubscribe_url"], notification_ids=[n.id for n in rows]),
        html=html,
    )


def unsubscribe_url(user_id: int, idea_id: int | None) -> str:
    """The one-click link that unsubscribes a person from an idea (None: from all email)."""
    return f"{_base_url()}/unsubscribe/{unsubscribe_token(user_id, idea_id)}"


def _base_url() -> str:
    return current_app.config["BASE_URL"].rstrip("/")


def _activity_url(user: User) -> str | None:
    """My activity, for people with an account (a contact has none to log in to)."""
    return f"{_base_url()}/me/activity" if user.password_hash else None


def _footer_links(user: User, idea_id: int | None) -> dict:
    return {
        "activity_url": _activity_url(user),
        "unsubscribe_url": unsubscribe_url(user.id, idea_id),
        "preferences_url": f"{_base_url()}/notifications/settings",
    }


def _message_id(notification_ids: list[int]) -> str:
    host = urlsplit(current_app.config["BASE_URL"]).hostname or "vocportal.localhost"
    return f"<notification-{'-'.join(map(str, notification_ids))}@{host}>"


def _list_headers(unsubscribe: str, notification_ids: list[int]) -> dict:
    return {
        "Message-ID": _message_id(notification_ids),
        "List-Unsubscribe": f"<{unsubscribe}/one-click>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "Auto-Submitted": "auto-generated",
    }
