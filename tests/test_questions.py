"""Asking customers: staff questions on ideas and feedback, answers by page, signed link and
email reply (through the real inbound-email route), bell and email reach over a real SMTP
server and worker, the unanswered list, and the question metrics on hand-computed figures."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import select

from tests.smtp import smtp_server, text_of  # noqa: F401  (fixture)
from tests.test_jobs import run_worker
from vocportal.audit.models import AuditEntry
from vocportal.extensions import db
from vocportal.feedback import operations as feedback
from vocportal.feedback.models import FeedbackItem, FeedbackSource
from vocportal.ideas import support
from vocportal.ideas.models import Idea
from vocportal.notifications.models import Channel, EventKind, Notification, NotificationEvent
from vocportal.questions import operations as questions
from vocportal.questions import replies
from vocportal.questions.models import Addressees, Answer, AnswerChannel, Question
from vocportal.timeutil import utcnow
from vocportal.triage import operations as triage

SECRET = {"X-Webhook-Secret": "hook-secret"}

pytestmark = [
    pytest.mark.usefixtures("redis_url"),
    pytest.mark.app_config(
        JOB_RETRY_INTERVALS=[0, 0, 0, 0],
        INBOUND_EMAIL_SECRET="hook-secret",
        QUESTION_REPLY_ADDRESS="reply@portal.test",
    ),
]


@pytest.fixture
def mail(app, smtp_server):  # noqa: F811
    url, inbox = smtp_server
    app.config["MAIL_URL"] = url
    return inbox


@pytest.fixture
def cast(make_user, make_idea):
    """An idea with an author, a voter, a feedback contact linked to it, an unrelated
    customer, its owner and another staff member who asks."""
    people = {
        name: make_user(email=f"{name}@example.com", name=name.capitalize())
        for name in ("author", "voter", "bystander")
    }
    people["owner"] = make_user(role="staff", email="owner@example.com", name="Owner")
    people["asker"] = make_user(role="staff", email="asker@example.com", name="Asker")
    idea = make_idea(author=people["author"], title="Export timesheets to Xero")
    support.vote(people["voter"], idea)
    item, _ = feedback.create_feedback(
        text="We need Xero export",
        source=FeedbackSource.email,
        email="carol@contact.example.com",
        name="Carol",
        external_id="<carol-1@x>",
    )
    feedback.link(people["owner"], item, idea)
    idea.owner_id = people["owner"].id
    db.session.commit()
    people["contact"] = item.author
    return idea, item, people


def ask(client, idea, addressees="supporters", body="Which Xero plan are you on?"):
    client.login("asker@example.com")
    return client.post(
        f"/staff/ideas/{idea.id}/ask",
        {"body": body, "addressees": addressees},
        page=f"/ideas/{idea.id}",
    )


def asked(mail) -> list:
    """The question emails the SMTP server got (each carries its reply token in the
    subject); sending is done once the worker returns. Linking feedback emails too."""
    return [m for m in mail.messages if "[ref:" in m["Subject"]]


def only_question() -> Question:
    db.session.expire_all()
    return db.session.scalars(select(Question)).one()


def answers() -> list[Answer]:
    db.session.expire_all()
    return list(db.session.scalars(select(Answer).order_by(Answer.id)))


def recipients(kind: EventKind, channel: Channel = Channel.web) -> list[str]:
    db.session.expire_all()
    return sorted(
        n.user.email
        for n in db.session.scalars(
            select(Notification)
            .join(NotificationEvent)
            .where(NotificationEvent.kind == kind, Notification.channel == channel)
        )
    )


def test_ask_answer_on_the_page_needs_info_and_back_in_the_inbox(app, cast, client, new_client):
    idea, _item, people = cast
    bad = ask(client, idea, body="   ")
    assert bad.status_code == 400 and "Write the question first." in bad.get_data(as_text=True)
    assert db.session.scalar(select(Question.id)) is None
    assert ask(client, idea).status_code == 302
    question = only_question()
    assert question.addressees is Addressees.supporters and question.is_open
    assert db.session.get(Idea, idea.id).triaged_at is not None  # asking is a staff action

    anonymous = new_client().get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert 'data-testid="needs-info"' in anonymous and "Which Xero plan" not in anonymous
    bystander = new_client()
    bystander.login("bystander@example.com")
    assert "Which Xero plan" not in bystander.get(f"/ideas/{idea.id}").get_data(as_text=True)
    refused = bystander.post(f"/questions/{question.id}", {"body": "me"}, page="/")
    assert refused.status_code == 404 and answers() == []

    voter = new_client()
    voter.login("voter@example.com")
    page = voter.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert "Which Xero plan" in page and 'data-testid="answer-form"' in page
    empty = voter.post(f"/questions/{question.id}", {"body": ""}, page=f"/ideas/{idea.id}")
    assert empty.status_code == 400 and "Write your answer first." in empty.get_data(as_text=True)
    done = voter.post(
        f"/questions/{question.id}", {"body": "The **Premium** plan."}, page=f"/ideas/{idea.id}"
    )
    assert done.status_code == 302
    (answer,) = answers()
    assert answer.channel is AnswerChannel.page and answer.author_id == people["voter"].id
    assert "<strong>Premium</strong>" in answer.body_html
    assert only_question().answered_at is not None
    assert db.session.get(Idea, idea.id).triaged_at is None  # back in the staff inbox
    assert idea.id in [i.id for i in triage.inbox()]
    # The answer reaches the asker and the owner (once each), nobody else.
    run_worker(app, "notifications")
    assert recipients(EventKind.answer) == ["asker@example.com", "owner@example.com"]
    assert "Needs info" not in new_client().get(f"/ideas/{idea.id}").get_data(as_text=True)
    staff_page = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert "The <strong>Premium</strong> plan." in staff_page and "on the page" in staff_page


def test_question_reaches_bell_and_email_once_each_including_a_contact(app, cast, client, mail):
    idea, _item, people = cast
    ask(client, idea)
    run_worker(app, "notifications")
    assert recipients(EventKind.question) == [
        "author@example.com",
        "carol@contact.example.com",
        "voter@example.com",
    ]
    messages = asked(mail)
    assert sorted(m["To"] for m in messages) == sorted(recipients(EventKind.question))
    question = only_question()
    for message in messages:
        user = {u.email: u for u in people.values()}[message["To"]]
        token = replies.address_token(question.id, user.id)
        assert message["Reply-To"] == f"reply+{token}@portal.test"
        assert message["Subject"].endswith(f"[ref:{token}]")
        assert "Which Xero plan are you on?" in text_of(message)
        assert re.search(r"http://\S+/questions/reply/\S+", text_of(message))
    # Run again: nothing is sent twice.
    run_worker(app, "notifications")
    assert len(asked(mail)) == 3


def test_answer_by_signed_link_without_login(app, cast, client, new_client, mail):
    idea, _item, people = cast
    ask(client, idea)
    run_worker(app, "notifications")
    message = next(m for m in asked(mail) if m["To"] == "carol@contact.example.com")
    link = re.search(r"(http://\S+/questions/reply/\S+)", text_of(message)).group(1)
    path = link.split("portal.test", 1)[1] if "portal.test" in link else link.split("5000", 1)[1]
    visitor = new_client()
    page = visitor.get(path)
    assert page.status_code == 200 and "Which Xero plan" in page.get_data(as_text=True)
    assert answers() == []  # opening the link changes nothing
    done = visitor.post(path, {"body": "Standard, monthly."}, page=path)
    assert done.status_code == 302
    (answer,) = answers()
    assert answer.channel is AnswerChannel.link and answer.author_id == people["contact"].id

    # A forged token and an expired one are refused, and store nothing.
    forged = visitor.get(path[:-3] + ("abc" if not path.endswith("abc") else "xyz"))
    assert forged.status_code == 404 and "not valid" in forged.get_data(as_text=True)

    class Signed31DaysAgo(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - 31 * 86400

    old = URLSafeTimedSerializer(
        app.config["SECRET_KEY"], salt="question-reply", signer=Signed31DaysAgo
    ).dumps([only_question().id, people["voter"].id])
    expired = visitor.get(f"/questions/reply/{old}")
    assert expired.status_code == 404 and "expired" in expired.get_data(as_text=True)
    refused = visitor.post(f"/questions/reply/{old}", {"body": "late"}, page=path)
    assert refused.status_code == 404 and len(answers()) == 1


QUOTED_REPLY = """Premium, billed yearly. We export every Friday.

Thanks,
Ann
--
Ann Author | Brightlane Ltd

On Mon, 30 Nov 2026 at 09:00, Tallyhive feedback <reply+TOKEN@portal.test> wrote:
> Which Xero plan are you on?
>
> Answer here: http://portal.test/questions/reply/abc
"""


def test_answer_by_email_reply_through_the_inbound_route(app, cast, client, mail):
    idea, _item, people = cast
    ask(client, idea)
    run_worker(app, "notifications")
    message = next(m for m in asked(mail) if m["To"] == "author@example.com")
    reply_to, subject = message["Reply-To"], message["Subject"]
    token = reply_to.split("+", 1)[1].split("@")[0]
    body = {
        "sender": "Ann Author <Author@Example.com>",
        "recipient": reply_to,
        "subject": f"Re: {subject}",
        "text": QUOTED_REPLY.replace("TOKEN", token),
        "message_id": "<reply-1@mail.example.com>",
    }
    # Someone else replying with the author's token is refused; nothing is stored.
    wrong = client.http.post(
        "/hooks/inbound-email", json={**body, "sender": "voter@example.com"}, headers=SECRET
    )
    assert wrong.status_code == 403 and "does not belong" in wrong.get_json()["error"]
    forged = client.http.post(
        "/hooks/inbound-email",
        json={**body, "recipient": reply_to.replace(token, token[:-4] + "aaaa"), "subject": "Re"},
        headers=SECRET,
    )
    assert forged.status_code == 403
    assert answers() == [] and db.session.scalar(select(FeedbackItem.id).offset(1)) is None

    done = client.http.post("/hooks/inbound-email", json=body, headers=SECRET)
    assert done.status_code == 201, done.get_json()
    (answer,) = answers()
    assert answer.channel is AnswerChannel.email and answer.author_id == people["author"].id
    assert answer.body == "Premium, billed yearly. We export every Friday."
    # The same email again stores nothing; no feedback item was made of the reply.
    again = client.http.post("/hooks/inbound-email", json=body, headers=SECRET)
    assert again.status_code == 200 and len(answers()) == 1
    assert len(list(db.session.scalars(select(FeedbackItem.id)))) == 1
    # Threaded by the subject alone (the reply went to another address).
    by_subject = client.http.post(
        "/hooks/inbound-email",
        json={**body, "recipient": "support@portal.test", "message_id": "<reply-2@x>"},
        headers=SECRET,
    )
    assert by_subject.status_code == 201 and len(answers()) == 2
    # Each of the two answers reaches asker and owner, by email too.
    run_worker(app, "notifications")
    assert recipients(EventKind.answer, Channel.email) == [
        "asker@example.com",
        "asker@example.com",
        "owner@example.com",
        "owner@example.com",
    ]
    assert db.session.get(Idea, idea.id).triaged_at is None


def test_question_on_a_feedback_item_reaches_its_contact(app, cast, client, mail):
    _idea, item, people = cast
    client.login("asker@example.com")
    refused = client.post(
        f"/staff/feedback/{item.id}/ask",
        {"body": "Which plan?", "addressees": "supporters"},
        page=f"/staff/feedback/{item.id}",
    )
    assert refused.status_code == 400 and "one sender" in refused.get_data(as_text=True)
    done = client.post(
        f"/staff/feedback/{item.id}/ask",
        {"body": "Which plan?", "addressees": "author"},
        page=f"/staff/feedback/{item.id}",
    )
    assert done.status_code == 302
    assert "Which plan?" in client.get(f"/staff/feedback/{item.id}").get_data(as_text=True)
    run_worker(app, "notifications")
    (message,) = asked(mail)
    assert message["To"] == "carol@contact.example.com"
    assert "sent us the feedback" in text_of(message)
    question = only_question()
    assert questions.is_addressee(question, people["contact"])
    assert not questions.is_addressee(question, people["author"])


def test_reply_text_strips_quotes_and_signatures():
    cases = {
        "Yes.\n\nOn Tue, 1 Dec 2026, Bob <b@x> wrote:\n> question?": "Yes.",
        "Monthly.\n\n--\nBob\nACME": "Monthly.",
        "Weekly\r\n\r\n-----Original Message-----\r\nFrom: x\r\n\r\nold": "Weekly",
        "> only a quote": "",
    }
    for text, expected in cases.items():
        assert replies.reply_text(text) == expected, text


def test_reply_tokens(app):
    token = replies.address_token(12, 34)
    assert replies.read_address_token(token) == (12, 34)
    assert replies.read_address_token(token.upper()) == (12, 34)  # case may change in transit
    assert replies.read_address_token(token.replace("q12-34", "q12-35")) is None
    assert replies.find_token(f"Tallyhive <reply+{token}@portal.test>", "") == token
    assert replies.find_token("x@y", f"Re: hello [ref:{token}]") == token
    assert replies.find_token("x@y", "Re: hello") is None
    assert replies.read_link_token(replies.link_token(1, 2)) == (1, 2)
    assert replies.read_link_token("nonsense") == "invalid"


def _asked(staff, idea=None, item=None, *, hours_ago: float, answer_after: float | None):
    question = questions.ask(staff, "Q?", Addressees.author, idea=idea, feedback_item=item)
    question.created_at = utcnow() - timedelta(hours=hours_ago)
    if answer_after is not None:
        question.answered_at = question.created_at + timedelta(hours=answer_after)
    return question


def test_metrics_and_unanswered_list_on_a_fixed_set(app, make_user, make_idea, client):
    ann = make_user(role="staff", email="ann@example.com", name="Ann")
    bob = make_user(role="staff", email="bob@example.com", name="Bob")
    a1, a2, b1 = make_idea(title="A one"), make_idea(title="A two"), make_idea(title="B one")
    a1.owner_id = a2.owner_id = ann.id
    b1.owner_id = bob.id
    item, _ = feedback.create_feedback(
        text="x", source=FeedbackSource.portal, email="f@example.com", external_id="m1"
    )
    # Ann's ideas: answered after 2 h and 10 h, one unanswered for 9 days.
    _asked(ann, a1, hours_ago=100, answer_after=2)
    _asked(ann, a2, hours_ago=50, answer_after=10)
    late = _asked(ann, a1, hours_ago=9 * 24, answer_after=None)
    # Bob's idea: answered after 30 h. A feedback item (no owner): open for 2 days.
    _asked(bob, b1, hours_ago=60, answer_after=30)
    recent = _asked(bob, item=item, hours_ago=48, answer_after=None)
    closed = _asked(bob, b1, hours_ago=10 * 24, answer_after=None)
    closed.closed_at = utcnow()
    db.session.commit()

    rows = {m.label: m.questions for m in triage.metrics()}
    # Everyone: 6 asked, 3 answered, median of 2, 10, 30 hours = 10.
    assert (rows["Everyone"].asked, rows["Everyone"].answered) == (6, 3)
    assert rows["Everyone"].median_hours_to_answer == pytest.approx(10.0)
    assert (rows["Ann"].asked, rows["Ann"].answered) == (3, 2)
    assert rows["Ann"].median_hours_to_answer == pytest.approx(6.0)  # (2 + 10) / 2
    assert (rows["Bob"].asked, rows["Bob"].answered) == (2, 1)
    assert rows["Bob"].median_hours_to_answer == pytest.approx(30.0)
    assert (rows["No owner"].asked, rows["No owner"].answered) == (1, 0)
    assert rows["No owner"].median_hours_to_answer is None

    # Unanswered after QUESTIONS_UNANSWERED_DAYS (7): only the 9-day-old open one.
    assert [q.id for q in questions.unanswered()] == [late.id]
    assert [q.id for q in questions.open_questions()] == [late.id, recent.id]
    client.login("ann@example.com")
    page = client.get("/staff/questions").get_data(as_text=True)
    late_table = page.split('data-testid="unanswered-late"')[1].split("</table>")[0]
    assert late_table.count('data-testid="question-row"') == 1
    assert f"question-{late.id}" in late_table
    metrics_page = client.get("/staff/metrics").get_data(as_text=True)
    assert "6 asked" in metrics_page and "10.0 h" in metrics_page


def test_only_staff_ask_and_closing_ends_needs_info(cast, client, new_client):
    idea, _item, _people = cast
    customer = new_client()
    customer.login("voter@example.com")
    refused = customer.post(
        f"/staff/ideas/{idea.id}/ask", {"body": "Q?", "addressees": "author"}, page="/"
    )
    assert refused.status_code in (302, 403, 404) and db.session.scalar(select(Question.id)) is None
    ask(client, idea, addressees="author")
    question = only_question()
    assert "Needs info" in new_client().get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert customer.post(f"/staff/questions/{question.id}/close", page="/").status_code != 302
    assert only_question().closed_at is None
    done = client.post(f"/staff/questions/{question.id}/close", page=f"/ideas/{idea.id}")
    assert done.status_code == 302 and only_question().closed_at is not None
    # Both staff actions are in the audit log.
    logged = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert logged == ["question.asked", "question.closed"]
    assert "Needs info" not in new_client().get(f"/ideas/{idea.id}").get_data(as_text=True)
    # A closed question takes no more answers.
    author = new_client()
    author.login("author@example.com")
    late = author.post(f"/questions/{question.id}", {"body": "late"}, page=f"/ideas/{idea.id}")
    assert late.status_code == 400 and answers() == []


def test_email_reply_to_an_old_question_is_refused(app, cast, client):
    idea, _item, people = cast
    ask(client, idea, addressees="author")
    question = only_question()
    question.created_at = utcnow() - timedelta(seconds=app.config["QUESTION_REPLY_MAX_AGE"] + 60)
    db.session.commit()
    token = replies.address_token(question.id, people["author"].id)
    late = client.http.post(
        "/hooks/inbound-email",
        json={
            "sender": "author@example.com",
            "recipient": f"reply+{token}@portal.test",
            "subject": "Re: question",
            "text": "Premium.",
        },
        headers=SECRET,
    )
    assert late.status_code == 410 and answers() == []


def test_answers_are_in_the_data_export_and_blanked_by_erasure(cast, client):
    from vocportal.privacy import erasure, export

    idea, _item, people = cast
    ask(client, idea, addressees="author")
    question = only_question()
    author = people["author"]
    questions.answer(question, author, "Premium, yearly.", AnswerChannel.email, external_id="<m>")
    db.session.commit()
    data = export.personal_data(author, "Portal", utcnow())
    assert [(a["question"], a["body"], a["channel"]) for a in data["answers"]] == [
        ("Which Xero plan are you on?", "Premium, yearly.", "email")
    ]
    erasure.erase(author, author)
    db.session.commit()
    (answer,) = answers()
    assert answer.body == erasure.ERASED_TEXT and answer.external_id is None
    assert only_question().answered_at is not None  # the question stays answered
