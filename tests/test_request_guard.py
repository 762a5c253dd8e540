"""Input no person types and no database stores: deep JSON, lone surrogates, NUL characters
and oversized bodies get a clear 4xx on every route and write nothing (issue 9, items 2, 5
and 6)."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from vocportal.api import operations as api_ops
from vocportal.extensions import db
from vocportal.feedback.models import FeedbackItem
from vocportal.ideas.models import Comment, Idea

pytestmark = pytest.mark.usefixtures("embedded_redis_url")

DEEP = "[" * 2000 + "]" * 2000
JSON = {"Content-Type": "application/json"}
WIDGET = {"Origin": "https://app.example.com", **JSON}
HOOK = {"X-Webhook-Secret": "s3cret-hook", **JSON}


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def staff_token(make_user):
    _token, secret = api_ops.create_token(make_user(role="staff"), "script", "write")
    db.session.commit()
    return {"Authorization": f"Bearer {secret}", **JSON}


@pytest.fixture
def customer_token(make_user):
    _token, secret = api_ops.create_token(make_user(), "script", "write")
    db.session.commit()
    return {"Authorization": f"Bearer {secret}", **JSON}


@pytest.mark.app_config(INBOUND_EMAIL_SECRET="s3cret-hook")
def test_deeply_nested_json_is_a_400_with_its_reason(app, client, staff_token, make_board):
    board = make_board()
    for url, headers in (
        ("/widget/feedback", WIDGET),
        ("/hooks/inbound-email", HOOK),
        ("/api/v1/feedback", staff_token),
        ("/api/v1/feedback/bulk", staff_token),
        ("/api/v1/ideas", staff_token),
        (f"/api/v1/ideas/{board.id}/comments", staff_token),
    ):
        response = client.http.post(url, data=DEEP, headers=headers)
        assert response.status_code == 400, (url, response.get_data(as_text=True)[:300])
        assert response.is_json
        assert "nests deeper than" in response.get_data(as_text=True)
    # Nested under a key, below Python's recursion limit but above the portal's.
    nested = '{"text": "hello there", "email": "a@example.com", "page": ' + "[" * 200
    nested += "]" * 200 + "}"
    assert client.http.post("/widget/feedback", data=nested, headers=WIDGET).status_code == 400
    assert count(FeedbackItem) == 0 and count(Idea) == 0


LONE = '"\\ud800"'  # valid JSON, not a Unicode string


@pytest.mark.app_config(INBOUND_EMAIL_SECRET="s3cret-hook")
@pytest.mark.parametrize("field", ["text", "name", "id", "email", "page"])
def test_lone_surrogates_in_widget_feedback_are_refused(app, client, field):
    values = {"text": '"Dark mode please"', "email": '"a@example.com"', field: LONE}
    body = "{" + ", ".join(f'"{k}": {v}' for k, v in values.items()) + "}"
    response = client.http.post("/widget/feedback", data=body, headers=WIDGET)
    assert response.status_code == 422, response.get_data(as_text=True)
    assert "surrogate" in response.get_json()["detail"] and field in response.get_json()["detail"]
    assert count(FeedbackItem) == 0


@pytest.mark.app_config(INBOUND_EMAIL_SECRET="s3cret-hook")
def test_lone_surrogates_and_nul_in_inbound_email_and_api_feedback(app, client, staff_token):
    bodies = [
        '{"sender": "Ann <ann@example.com>", "subject": "Hi", "text": "x\\ud800y"}',
        '{"sender": "An\\udfffn <ann@example.com>", "subject": "Hi", "text": "Export"}',
        '{"sender": "ann@example.com", "text": "Export", "message_id": "\\ud800"}',
        '{"sender": "ann@example.com", "text": "Export", "extra": {"\\ud800": 1}}',
        '{"sender": "ann@example.com", "text": "Nul \\u0000 here"}',
    ]
    for body in bodies:
        response = client.http.post("/hooks/inbound-email", data=body, headers=HOOK)
        assert response.status_code == 422, (body, response.get_data(as_text=True))
    api_bodies = [
        '{"text": "x\\ud800", "email": "a@example.com"}',
        '{"text": "Export", "email": "a@example.com", "name": "\\udc00"}',
        '{"text": "Export", "email": "a@example.com", "external_id": "\\ud800"}',
        '{"items": [{"text": "ok", "email": "a@example.com"}, {"text": "\\u0000"}]}',
    ]
    for body in api_bodies:
        url = "/api/v1/feedback/bulk" if "items" in body else "/api/v1/feedback"
        response = client.http.post(url, data=body, headers=staff_token)
        error = response.get_json()["error"]
        assert response.status_code == 422, (body, error)
        (reasons,) = error["fields"].values()  # the API says which field, and why
        assert "surrogate" in reasons[0] or "NUL" in reasons[0], error
    assert count(FeedbackItem) == 0


def test_api_idea_with_nul_or_surrogate_names_the_field(app, client, customer_token, make_board):
    board = make_board()
    body = f'{{"board": "{board.slug}", "title": "Long enough \\ud800", "body": "ok"}}'
    response = client.http.post("/api/v1/ideas", data=body, headers=customer_token)
    assert response.status_code == 422
    assert list(response.get_json()["error"]["fields"]) == ["title"]
    assert count(Idea) == 0


def test_nul_characters_are_removed_from_forms_and_queries(app, client, make_user, make_board):
    user = make_user()
    board = make_board()
    client.login(user.email)
    response = client.post(
        "/ideas/new",
        {"board": str(board.id), "title": "Offline\x00 mode", "body": "Pl\x00ease"},
        page="/ideas/new",
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    idea = db.session.scalars(select(Idea)).one()
    assert (idea.title, idea.body) == ("Offline mode", "Please")
    page = f"/ideas/{idea.id}"
    assert client.post(f"{page}/comments", {"body": "Me\x00 too"}, page=page).status_code == 302
    assert db.session.scalars(select(Comment.body)).one() == "Me too"
    assert client.get("/?q=off\x00line").status_code == 200
    assert client.get("/?q=%00&sort=%00").status_code == 200


def test_every_route_has_a_body_limit_that_says_the_limit(app, client, make_user):
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
    big = b'{"text": "' + b"x" * (200 * 1024) + b'", "email": "a@example.com"}'
    response = client.http.post("/widget/feedback", data=big, headers=WIDGET)
    assert response.status_code == 413
    assert response.is_json and "64 KiB" in response.get_json()["detail"]
    form = client.http.post("/login", data={"email": "a@example.com", "password": "x" * 200_000})
    assert form.status_code == 413 and b"64 KiB" in form.data
    assert count(FeedbackItem) == 0


def test_uploads_and_the_api_keep_their_larger_limits(app, client, make_user, staff_token):
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
    app.config["API_MAX_BODY_BYTES"] = 1024 * 1024
    items = [
        {"text": f"Feedback number {i} " + "y" * 200, "email": "b@example.com"} for i in range(400)
    ]  # about 90 KiB
    import json

    response = client.http.post(
        "/api/v1/feedback/bulk", data=json.dumps({"items": items}), headers=staff_token
    )
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    too_big = json.dumps({"items": items * 12})
    response = client.http.post("/api/v1/feedback/bulk", data=too_big, headers=staff_token)
    assert response.status_code == 413
    assert "1,048,576 bytes" in response.get_json()["error"]["message"]

    client.login(make_user(role="staff").email)
    csv = b"text,email\n" + b"".join(
        b"A long enough piece of feedback %d,c@example.com\n" % i for i in range(3000)
    )  # about 130 KiB: above MAX_CONTENT_LENGTH, under UPLOAD_MAX_BYTES
    response = client.post(
        "/staff/feedback/import",
        {"file": (io.BytesIO(csv), "feedback.csv")},
        page="/staff/feedback",
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
