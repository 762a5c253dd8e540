"""The notification emails: one event's email and the daily digest, from templates/email.

Every email carries a Message-ID made from its notification ids (a resend after a crash
repeats it, so mail systems drop the duplicate), one-click unsubscribe headers, and links
to the person's activity and preferences. Building raises MessageBuildError for an
address no To header can carry.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app

from vocportal.accounts.models import User
from vocportal.mail import absolute_links, build_message, email_markdown, render_email
from vocportal.notifications.models import EventKind, Notification
from vocportal.notifications.preferences import unsubscribe_token

#: The button of an event's email, by what happened.
_BUTTON = {
    EventKind.status_update: "See the update",
    EventKind.comment: "See the comment",
    EventKind.theme_alert: "See the theme",
}


def event_email(notification: Notification):
    """The email telling one person about one event."""
    event, user = notification.event, notification.user
    portal = current_app.config["PORTAL_NAME"]
    subject = f"[{portal}] {event.title}"
    links = _footer_links(user, event.idea_id)
    text, html = render_email(
        "event",
        subject=subject,
        preview=event.title,
        name=user.display_name,
        title=event.title,
        text=absolute_links(event.text),
        text_html=email_markdown(event.text) if event.text else None,
        url=f"{_base_url()}{event.link}",
        button_label=_BUTTON.get(event.kind, "See it"),
        unsubscribe_label=(
            "Unsubscribe from this idea with one click"
            if event.idea_id
            else "Stop all notification emails with one click"
        ),
        reason=(
            "You get this because you asked for this idea (posted, voted, commented or sent "
            "us feedback about it) or follow it."
            if event.idea_id
            else f"You get this as a member of the {portal} team."
        ),
        **links,
    )
    return build_message(
        user.email,
        subject,
        text,
        headers=_list_headers(links["unsubscribe_url"], notification_ids=[notification.id]),
        html=html,
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
