"""Chat formats: a delivery's event written as a Slack, Microsoft Teams or Discord message.

An endpoint's `format` says how its deliveries' bodies are written; the delivery row keeps
the generic envelope (`{"id", "event", "created_at", "data"}`) either way, and the body is
written from it when it is sent, so the log, retries and signature work as for JSON.

- Slack (incoming webhook): `{"text": <fallback>, "blocks": [...]}` in Block Kit: a
  section with the linked title and text (mrkdwn, at most 3,000 characters), a section of
  fields, a context line and an actions block with a link button.
- Microsoft Teams (incoming webhook / Workflows): an Adaptive Card 1.4 (TextBlocks, a
  FactSet, an Action.OpenUrl) inside the connector's envelope `{"type": "message",
  "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive", "content": ...}]}`.
- Discord (webhook): one embed (title at most 256 characters, description at most 4,096,
  at most 25 fields, colour as an integer) and `allowed_mentions` empty, so a customer's
  "@everyone" pings nobody.

Text comes from customers: Slack's control characters (`&`, `<`, `>`) are escaped, so a
customer cannot write a link or a mention into a staff channel.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from flask import current_app

from vocportal.webhooks.models import WebhookFormat

#: Characters of an event's text kept in a chat message (the rest is on the portal).
TEXT_CHARS = 1500
#: Characters of a title (Discord's embed title limit).
TITLE_CHARS = 256
#: Characters of a field's value (Discord's limit is 1,024; Slack's field text 2,000).
FIELD_CHARS = 300
#: Side colours (Discord embeds), by event.
COLOURS = {
    "idea.created": 0x2563EB,
    "idea.status_changed": 0x16A34A,
    "feedback.created": 0xD97706,
    "comment.created": 0x64748B,
    "theme.alert": 0xDC2626,
    "question.answered": 0x7C3AED,
    "report.weekly": 0x0891B2,
}
DEFAULT_COLOUR = 0x475569


@dataclass
class Message:
    """What any chat message says about an event, before a platform's format."""

    title: str
    url: str | None
    text: str = ""
    fields: list[tuple[str, str]] = field(default_factory=list)
    event: str = ""
    timestamp: str | None = None


def _cut(text: str | None, limit: int) -> str:
    text = (text or "").strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _status(value: str | None) -> str:
    from vocportal.ideas.models import IdeaStatus

    try:
        return IdeaStatus(value).label
    except ValueError:
        return (value or "").replace("_", " ").capitalize()


def _votes(count: int) -> str:
    return f"{count} vote" + ("" if count == 1 else "s")


# --- what each event says ----------------------------------------------------------------


def _idea_created(data: dict) -> Message:
    return Message(
        title=f"New idea: {data['title']}",
        url=data.get("url"),
        text=data.get("body") or "",
        fields=[
            ("Board", data["board"]["name"]),
            ("Status", _status(data.get("status"))),
            ("Votes", _votes(data.get("vote_count", 0))),
            ("By", (data.get("author") or {}).get("display_name") or "someone"),
        ],
    )


def _status_changed(data: dict) -> Message:
    idea = data["idea"]
    old, new = _status(data.get("old_status")), _status(data.get("new_status"))
    return Message(
        title=f"{idea['title']}: {old} → {new}",
        url=data.get("url") or idea.get("url"),
        text=data.get("message") or "",
        fields=[
            ("Board", idea["board"]["name"]),
            ("Status", f"{old} → {new}"),
            ("Votes", _votes(idea.get("vote_count", 0))),
            ("By", (data.get("changed_by") or {}).get("display_name") or "staff"),
        ],
    )


def _feedback_created(data: dict) -> Message:
    fields = [("Channel", data.get("source", "")), ("From", data["author"]["email"])]
    if data.get("idea_id"):
        fields.append(("Linked idea", f"#{data['idea_id']}"))
    return Message(
        title=f"New feedback from {data['author']['email']}",
        url=data.get("url"),
        text=data.get("text") or "",
        fields=fields,
    )


def _comment_created(data: dict) -> Message:
    author = (data.get("author") or {}).get("display_name") or "someone"
    fields = [("By", author), ("Idea status", _status(data["idea"].get("status")))]
    if data.get("is_official"):
        fields.append(("Official response", "yes"))
    return Message(
        title=f"New comment on {data['idea']['title']}",
        url=data.get("url"),
        text=data.get("body") or "",
        fields=fields,
    )


def _theme_alert(data: dict) -> Message:
    what = "New items" if data.get("measure") == "volume" else "New supporters"
    return Message(
        title=data["title"],
        url=data.get("url"),
        text=data.get("text") or "",
        fields=[
            ("Theme", data["theme"]["name"]),
            (f"{what} last week", f"{data.get('value', 0):g}"),
            ("Weekly mean before", f"{data.get('baseline', 0):.1f}"),
        ],
    )


def _answer_received(data: dict) -> Message:
    about = data.get("idea")
    who = (data.get("answered_by") or {}).get("display_name") or "A customer"
    fields = [("Answered by", who), ("Channel", data.get("channel", ""))]
    if about:
        fields.append(("Idea", about["title"]))
    fields.append(("Question", data["question"]["body"]))
    return Message(
        title=f"{who} answered: {about['title']}" if about else f"{who} answered a question",
        url=data.get("url"),
        text=data.get("body") or "",
        fields=fields,
    )


def _weekly_report(data: dict) -> Message:
    figures = data.get("figures") or {}
    rising = figures.get("themes_rising") or []
    lines = [
        f"Themes rising: {', '.join(t['name'] for t in rising[:5]) or 'none'}",
        f"Shipped: {len(figures.get('shipped') or [])} ideas, "
        f"{figures.get('shipped_told', 0)} people told",
        f"Open promises (over {figures.get('promise_days', 90)} days): "
        f"{len(figures.get('promises') or [])}",
    ]
    return Message(
        title=f"Voice-of-customer report, week of {data.get('week_start')}",
        url=data.get("url"),
        text="\n".join(lines),
        fields=[
            ("Themes rising", str(len(rising))),
            ("Ideas shipped", str(len(figures.get("shipped") or []))),
            ("People told", str(figures.get("shipped_told", 0))),
            ("Open promises", str(len(figures.get("promises") or []))),
        ],
    )


#: Event name -> how its data becomes a Message. Other features add theirs with `describe`.
DESCRIBERS: dict[str, Callable[[dict], Message]] = {
    "idea.created": _idea_created,
    "idea.status_changed": _status_changed,
    "feedback.created": _feedback_created,
    "comment.created": _comment_created,
    "theme.alert": _theme_alert,
    "question.answered": _answer_received,
    "report.weekly": _weekly_report,
}


def describe(event: str, data: dict) -> Message:
    """The chat message for an event's data (a plain one for an event with no describer)."""
    describer = DESCRIBERS.get(event)
    if describer is not None:
        return describer(data)
    return Message(title=data.get("title") or event, url=data.get("url"), text=data.get("text", ""))


# --- the three platforms -----------------------------------------------------------------


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack(message: Message, portal: str) -> dict:
    """A Slack incoming-webhook message in Block Kit."""
    title = _slack_escape(_cut(message.title, TITLE_CHARS))
    heading = f"*<{message.url}|{title}>*" if message.url else f"*{title}*"
    text = _slack_escape(_cut(message.text, TEXT_CHARS))
    blocks: list[dict] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": f"{heading}\n{text}".strip()}}
    ]
    if message.fields:
        blocks.append(
            {
                "type": "section",
                "fields": [
                    {"type": "mrkdwn", "text": f"*{_slack_escape(name)}*\n{_slack_escape(value)}"}
                    for name, value in ((n, _cut(v, FIELD_CHARS)) for n, v in message.fields[:10])
                ],
            }
        )
    blocks.append(
        {
            "type": "context",
            "elements": [
                {"type": "mrkdwn", "text": _slack_escape(f"{_cut(portal, 80)} · {message.event}")}
            ],
        }
    )
    if message.url:
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "text": {"type": "plain_text", "text": "Open in the portal"},
                        "url": message.url,
                    }
                ],
            }
        )
    return {"text": _cut(message.title, TITLE_CHARS), "blocks": blocks}


def teams(message: Message, portal: str) -> dict:
    """A Teams message: an Adaptive Card 1.4 inside the connector's attachment envelope."""
    body: list[dict] = [
        {
            "type": "TextBlock",
            "text": _cut(message.title, TITLE_CHARS),
            "weight": "Bolder",
            "size": "Medium",
            "wrap": True,
        }
    ]
    if message.text.strip():
        body.append({"type": "TextBlock", "text": _cut(message.text, TEXT_CHARS), "wrap": True})
    if message.fields:
        body.append(
            {
                "type": "FactSet",
                "facts": [
                    {"title": name, "value": _cut(value, FIELD_CHARS)}
                    for name, value in message.fields
                ],
            }
        )
    body.append(
        {
            "type": "TextBlock",
            "text": f"{_cut(portal, 80)} · {message.event}",
            "isSubtle": True,
            "size": "Small",
            "wrap": True,
        }
    )
    card = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
    }
    if message.url:
        card["actions"] = [
            {"type": "Action.OpenUrl", "title": "Open in the portal", "url": message.url}
        ]
    return {
        "type": "message",
        "attachments": [
            {"contentType": "application/vnd.microsoft.card.adaptive", "content": card}
        ],
    }


def discord(message: Message, portal: str) -> dict:
    """A Discord webhook message: one embed; mentions in the text ping nobody."""
    embed: dict = {
        "title": _cut(message.title, TITLE_CHARS),
        "color": COLOURS.get(message.event, DEFAULT_COLOUR),
        "footer": {"text": f"{_cut(portal, 80)} · {message.event}"},
    }
    if message.url:
        embed["url"] = message.url
    if message.text.strip():
        embed["description"] = _cut(message.text, TEXT_CHARS)
    if message.fields:
        embed["fields"] = [
            {"name": _cut(name, 256), "value": _cut(value, FIELD_CHARS) or "—", "inline": True}
            for name, value in message.fields[:25]
        ]
    if message.timestamp:
        embed["timestamp"] = message.timestamp
    # No "username": Discord refuses some names; the webhook's own name is shown.
    return {"embeds": [embed], "allowed_mentions": {"parse": []}}


WRITERS: dict[WebhookFormat, Callable[[Message, str], dict]] = {
    WebhookFormat.slack: slack,
    WebhookFormat.teams: teams,
    WebhookFormat.discord: discord,
}


def render(format: WebhookFormat, envelope: dict) -> dict:
    """The body a chat endpoint gets for a delivery's envelope (not for the JSON format)."""
    message = describe(envelope["event"], envelope.get("data") or {})
    message.event = envelope["event"]
    message.timestamp = envelope.get("created_at")
    return WRITERS[format](message, current_app.config["PORTAL_NAME"])
