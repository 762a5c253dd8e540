"""Display names and feedback authors' names are one line, like titles: refused at input
where a person types them (sign-up, profile, the API), made one line where a machine wrote
them (the widget, inbound email), so that no feedback is lost over a sender's name."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.test_api import api, error_of, make_token  # noqa: F401  (fixtures)
from vocportal.accounts.models import User
from vocportal.extensions import db
from vocportal.feedback.models import FeedbackItem

BROKEN = ["Ann\nBcc: x@example.com", "Ann\r\nSmith", "Ann\u2028Smith", "Ann\x0bSmith"]


@pytest.mark.parametrize("name", BROKEN)
def test_sign_up_refuses_a_display_name_that_is_not_one_line(client, name):
    response = client.post(
        "/signup",
        {"email": "ann@example.com", "display_name": name, "password": "lantern orchard 42"},
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Must be one line" in html or "Must not contain control characters" in html
    assert db.session.scalar(select(User).where(User.email == "ann@example.com")) is None


@pytest.mark.parametrize("name", BROKEN)
def test_profile_refuses_a_display_name_that_is_not_one_line(client, make_user, name):
    user = make_user(name="Ann")
    client.login(user.email)
    response = client.post("/profile", {"display_name": name}, page="/profile")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Must be one line" in html or "Must not contain control characters" in html
    db.session.expire_all()
    assert db.session.get(User, user.id).display_name == "Ann"


def test_the_api_refuses_a_feedback_name_that_is_not_one_line(api, make_user, make_token):  # noqa: F811
    token = make_token(make_user(role="staff"), "write")
    sent = {"text": "Export is slow", "email": "ann@example.com", "name": "Ann\r\nBcc: x"}
    error = error_of(api.post("/feedback", token=token, json=sent), 422)
    assert "name" in error["fields"]
    items = [sent, {**sent, "name": "Ann Smith", "email": "bo@example.com"}]
    body = api.post("/feedback/bulk", token=token, json={"items": items}).get_json()
    assert [r["status"] for r in body["results"]] == ["error", "created"]
    assert list(body["results"][0]["error"]["fields"]) == ["name"]
    names = db.session.scalars(select(User.display_name)).all()
    assert not [n for n in names if "\n" in n or "\r" in n]


@pytest.mark.app_config(WIDGET_ALLOWED_ORIGINS=["https://app.example.com"])
def test_the_widget_keeps_the_feedback_and_makes_the_name_one_line(client):
    body = {"text": "Need CSV", "email": "ann@app.example.com", "name": "Ann\r\n\tBcc: x"}
    posted = client.http.post(
        "/widget/feedback", json=body, headers={"Origin": "https://app.example.com"}
    )
    assert posted.status_code == 201, posted.get_json()
    item = db.session.get(FeedbackItem, posted.get_json()["id"])
    assert item.text == "Need CSV" and item.author.display_name == "Ann Bcc: x"


@pytest.mark.app_config(INBOUND_EMAIL_SECRET="s3cret-hook")
def test_inbound_email_keeps_the_feedback_and_makes_name_and_subject_one_line(client):
    body = {
        "sender": '"Frank\u2028Field" <frank@field.example.com>',
        "subject": "Calendar\r\n sync",
        "text": "Could shifts show up\nin Google Calendar?",
    }
    created = client.http.post(
        "/hooks/inbound-email", json=body, headers={"X-Webhook-Secret": "s3cret-hook"}
    )
    assert created.status_code == 201, created.get_json()
    item = db.session.get(FeedbackItem, created.get_json()["id"])
    assert item.author.display_name == "Frank Field"
    assert item.text == "Calendar sync\n\nCould shifts show up\nin Google Calendar?"
