"""How people answer without the portal's page: signed reply links and email replies.

- **Reply link** (`link_token` / `read_link_token`): an itsdangerous
  `URLSafeTimedSerializer` token naming (question, person), as the portal's other emailed
  links are; it needs no login and expires after `QUESTION_REPLY_MAX_AGE` seconds.
- **Reply address** (`address_token` / `read_address_token`): the question's email carries
  `Reply-To: reply+TOKEN@domain` (from `QUESTION_REPLY_ADDRESS`) and `[ref:TOKEN]` in its
  subject. TOKEN is `q<question>-<person>-<HMAC>` in lower case only (mail systems may
  change the case of an address's local part; base64 would not survive), 80 bits of
  HMAC-SHA256 keyed from SECRET_KEY. The inbound-email route finds it in the recipient or
  the subject, and the person it names must be the sender.
- **The reply's text** (`reply_text`): the new part of an email reply, without quoted
  history and signature (mail-parser-reply).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from mailparser_reply import EmailReplyParser

#: A reply token as it appears in an address or a subject.
_TOKEN = r"q(\d{1,12})-(\d{1,12})-([a-z2-7]{16})"
_IN_ADDRESS = re.compile(r"\+(" + _TOKEN + r")@", re.IGNORECASE)
_IN_SUBJECT = re.compile(r"\[ref:(" + _TOKEN + r")\]", re.IGNORECASE)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="question-reply")


def link_token(question_id: int, user_id: int) -> str:
    """A signed token for the reply link of one person's copy of a question."""
    return _serializer().dumps([question_id, user_id])


def read_link_token(token: str) -> tuple[int, int] | str:
    """(question id, user id) of a valid reply link token; "expired" or "invalid" if not."""
    try:
        data = _serializer().loads(token, max_age=current_app.config["QUESTION_REPLY_MAX_AGE"])
    except SignatureExpired:
        return "expired"
    except (BadSignature, UnicodeError):  # UnicodeError: text no signature can be made of
        return "invalid"
    if (
        not isinstance(data, list)
        or len(data) != 2
        or not all(isinstance(v, int) and not isinstance(v, bool) for v in data)
    ):
        return "invalid"
    return data[0], data[1]


def _mac(question_id: int, user_id: int) -> str:
    key = hashlib.sha256(
        b"vocportal-question-reply-address:" + current_app.config["SECRET_KEY"].encode()
    ).digest()
    digest = hmac.new(key, f"{question_id}:{user_id}".encode(), hashlib.sha256).digest()
    return base64.b32encode(digest[:10]).decode().lower()


def address_token(question_id: int, user_id: int) -> str:
    """The token of one person's copy of a question, for its reply address and subject."""
    return f"q{question_id}-{user_id}-{_mac(question_id, user_id)}"


def read_address_token(token: str) -> tuple[int, int] | None:
    """(question id, user id) of a genuine reply token, or None if it is forged."""
    match = re.fullmatch(_TOKEN, token.lower())
    if not match:
        return None
    question_id, user_id = int(match.group(1)), int(match.group(2))
    if not hmac.compare_digest(match.group(3), _mac(question_id, user_id)):
        return None
    return question_id, user_id


def reply_address(token: str) -> str | None:
    """`local+TOKEN@domain` from QUESTION_REPLY_ADDRESS, or None when it is not set."""
    configured = current_app.config["QUESTION_REPLY_ADDRESS"].strip()
    if "@" not in configured:
        return None
    local, domain = configured.rsplit("@", 1)
    return f"{local}+{token}@{domain}"


def subject_ref(token: str) -> str:
    """What a question's subject ends with, so a reply to any address still threads."""
    return f"[ref:{token}]"


def find_token(recipient: str, subject: str) -> str | None:
    """The reply token in an inbound email's recipient address(es) or subject, if any."""
    match = _IN_ADDRESS.search(recipient or "") or _IN_SUBJECT.search(subject or "")
    return match.group(1).lower() if match else None


def reply_text(text: str) -> str:
    """The new part of an email reply: quoted history and signature removed."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    parsed = EmailReplyParser(languages=["en", "de", "fr", "es", "it", "nl"]).read(text)
    body = parsed.replies[0].body if parsed.replies else ""
    # Quoted lines the parser left (a reply quoting without a header line) are not the answer.
    return "\n".join(
        line for line in body.splitlines() if not line.lstrip().startswith(">")
    ).strip()
