"""What happens to questions, announced for the features that react to it.

`questions` asks and records answers; notifications (the bell and email), triage (the
inbox) and chat integrations listen in their own `subscribers` module, connected by the
application factory. `questions` imports none of them.

Both signals are sent with the Question as sender, inside the caller's transaction, after
the change is flushed. Receivers only add rows to the same session (the notification
outbox, webhook deliveries): a rolled-back question or answer leaves no announcement.
Receivers must not commit.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

question_asked = _signals.signal(
    "question-asked",
    doc="""Staff asked a question. Sender: the `Question`. Keyword arguments: `actor` (the
    staff member who asked), `idea` (the `Idea` it is about, or None) and `feedback_item`
    (the `FeedbackItem` it is about, or None; exactly one of the two is set). Whom it is
    put to is `question.addressees` (`Addressees.author` or `Addressees.supporters`).""",
)

answer_received = _signals.signal(
    "answer-received",
    doc="""A customer answered a question. Sender: the `Question`. Keyword arguments:
    `actor` (the person who answered), `answer` (the `Answer`; `answer.channel` is the
    `AnswerChannel` it came by: page, link or email), `idea` (the `Idea`, or None) and
    `feedback_item` (the `FeedbackItem`, or None). Sent once per stored answer, never for
    an email reply that was already stored.""",
)
