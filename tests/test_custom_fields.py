"""Custom fields per board: admins define them, the new-idea form asks them (a bad value gets
a message on its field and the form keeps the text), answers are stored with their type,
staff-only fields never reach customers, and lists filter by them."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from vocportal.errors import OperationError, PermissionDenied
from vocportal.extensions import db
from vocportal.ideas.models import Idea
from vocportal.tags import fields
from vocportal.tags.models import BoardField, FieldKind, FieldValue


@pytest.fixture
def board_with_fields(app, make_user, make_board):
    """A board asking one field of each type (the number one required), and one staff-only."""
    admin = make_user(role="admin")
    board = make_board(name="Reports")
    made = {
        "text": fields.add_field(admin, board.id, "Which report?", "text"),
        "number": fields.add_field(admin, board.id, "Seats", "number", required=True),
        "single": fields.add_field(admin, board.id, "Plan", "single", "Free\nPro\nEnterprise"),
        "multiple": fields.add_field(admin, board.id, "Platforms", "multiple", "Web\niOS\nAndroid"),
        "date": fields.add_field(admin, board.id, "Needed by", "date"),
        "staff": fields.add_field(admin, board.id, "Deal size", "number", public=False),
    }
    db.session.commit()
    return board, made


def _post(client, board, made, **answers):
    data = {"title": "Scheduled PDF reports", "body": "Every Monday.", "board": board.id}
    for key, value in answers.items():
        data[f"field_{made[key].id}"] = value
    return client.post("/ideas/new", data, page="/ideas/new")


def test_admin_defines_fields_with_bad_input_refused(client, make_user, make_board):
    admin = make_user(role="admin")
    board = make_board(name="Mobile")
    client.login(admin.email)
    page = f"/admin/boards/{board.id}/fields"
    added = client.post(
        page, {"label": "OS", "kind": "single", "choices": "iOS\nAndroid", "public": "y"}, page=page
    )
    assert added.status_code == 302
    definition = db.session.scalar(select(BoardField).where(BoardField.board_id == board.id))
    assert (definition.kind, definition.choices, definition.public) == (
        FieldKind.single,
        ["iOS", "Android"],
        True,
    )
    for data, message in [
        ({"label": "Plan", "kind": "single", "choices": "Only one"}, "at least two choices"),
        ({"label": "", "kind": "text"}, "This field is required"),
        ({"label": "Seats", "kind": "colour"}, "Not a valid choice"),
    ]:
        refused = client.post(page, data, page=page)
        html = refused.get_data(as_text=True)
        assert refused.status_code == 400 and message in html, (data, html[-2000:])
    kept = client.post(page, {"label": "Plan", "kind": "single", "choices": "Only one"}, page=page)
    assert "Only one</textarea>" in kept.get_data(as_text=True)
    assert client.get(page).status_code == 200
    field_id = definition.id
    deleted = client.post(f"/admin/fields/{field_id}/delete", page=page)
    db.session.expire_all()
    assert deleted.status_code == 302
    assert db.session.scalar(select(BoardField.id).where(BoardField.id == field_id)) is None
    staff = make_user(role="staff")
    with pytest.raises(PermissionDenied):
        fields.add_field(staff, board.id, "Nope", "text")


def test_new_idea_form_stores_each_type(client, make_user, board_with_fields):
    board, made = board_with_fields
    customer = make_user()
    client.login(customer.email)
    form = client.get(f"/ideas/new?board={board.slug}").get_data(as_text=True)
    assert "Which report?" in form and "Platforms" in form and "Deal size" not in form
    posted = client.post(
        "/ideas/new",
        {
            "title": "Scheduled PDF reports",
            "board": board.id,
            f"field_{made['text'].id}": "Revenue",
            f"field_{made['number'].id}": "1,200",
            f"field_{made['single'].id}": "Pro",
            f"field_{made['multiple'].id}": ["Web", "iOS"],
            f"field_{made['date'].id}": "2026-03-31",
            f"field_{made['staff'].id}": "99",  # not asked of customers: ignored
        },
        page="/ideas/new",
    )
    assert posted.status_code == 302, posted.get_data(as_text=True)[-3000:]
    idea = db.session.scalar(select(Idea).where(Idea.title == "Scheduled PDF reports"))
    stored = {
        (v.field_id, v.text_value, v.number_value, v.date_value)
        for v in db.session.scalars(select(FieldValue).where(FieldValue.idea_id == idea.id))
    }
    assert stored == {
        (made["text"].id, "Revenue", None, None),
        (made["number"].id, None, 1200.0, None),
        (made["single"].id, "Pro", None, None),
        (made["multiple"].id, "Web", None, None),
        (made["multiple"].id, "iOS", None, None),
        (made["date"].id, None, None, date(2026, 3, 31)),
    }
    page = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert "Revenue" in page and "1200" in page and "Web, iOS" in page and "2026-03-31" in page


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("number", "twelve", "Give a number"),
        ("number", "", "This field is required"),
        ("date", "31/03/2026", "YYYY-MM-DD"),
        ("single", "Gold", "Choose one of the options"),
        ("multiple", "Windows", "Choose from the list"),
        ("text", "x" * 2001, "2,000 characters"),
    ],
)
def test_a_bad_value_gets_a_message_on_its_field_and_the_text_is_kept(
    client, make_user, board_with_fields, key, value, message
):
    board, made = board_with_fields
    client.login(make_user().email)
    answers = {"number": "3", key: value}
    refused = _post(client, board, made, **answers)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400
    error_id = f'id="field_{made[key].id}-error"'
    assert error_id in html and message in html.split(error_id)[1][:300], html[-3000:]
    if key in ("number", "date", "text") and value:
        assert f'value="{value}"' in html
    assert 'value="Scheduled PDF reports"' in html
    assert db.session.scalar(select(Idea.id).where(Idea.title == "Scheduled PDF reports")) is None


def test_other_boards_questions_are_not_checked(client, make_user, make_board, board_with_fields):
    _board, made = board_with_fields
    other = make_board(name="Integrations")
    client.login(make_user().email)
    posted = client.post(
        "/ideas/new",
        {"title": "Zapier triggers", "board": other.id, f"field_{made['number'].id}": "many"},
        page="/ideas/new",
    )
    assert posted.status_code == 302


def test_staff_only_fields_are_asked_of_staff_and_hidden_from_customers(
    client, make_user, board_with_fields
):
    board, made = board_with_fields
    staff = make_user(role="staff")
    client.login(staff.email)
    assert "Deal size" in client.get(f"/ideas/new?board={board.slug}").get_data(as_text=True)
    assert _post(client, board, made, number="5", staff="25000").status_code == 302
    idea = db.session.scalar(select(Idea).where(Idea.title == "Scheduled PDF reports"))
    assert "25000" in client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    client.logout()
    customer = make_user()
    client.login(customer.email)
    page = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert "Deal size" not in page and "25000" not in page and "Seats" in page
    # Nor can a customer filter by it.
    listing = client.get(f"/?board={board.slug}&field_{made['staff'].id}=25000")
    assert "Deal size" not in listing.get_data(as_text=True)


def test_board_list_filters_by_customer_visible_fields(client, make_user, board_with_fields):
    board, made = board_with_fields
    author = make_user()
    from vocportal.ideas import operations as ideas

    ideas.create_idea(
        author, board, "Pro idea", "", answers={made["number"].id: 1, made["single"].id: "Pro"}
    )
    ideas.create_idea(
        author, board, "Free idea", "", answers={made["number"].id: 2, made["single"].id: "Free"}
    )
    db.session.commit()
    html = client.get(f"/?board={board.slug}&field_{made['single'].id}=Pro").get_data(as_text=True)
    assert "Pro idea" in html and "Free idea" not in html
    html = client.get(f"/?board={board.slug}&field_{made['number'].id}=2").get_data(as_text=True)
    assert "Free idea" in html and "Pro idea" not in html
    # A value of the wrong type filters nothing out (and is no error).
    html = client.get(f"/?board={board.slug}&field_{made['number'].id}=x").get_data(as_text=True)
    assert "Free idea" in html and "Pro idea" in html


def test_answers_are_checked_by_the_operation_too(app, make_user, board_with_fields):
    board, made = board_with_fields
    from vocportal.ideas import operations as ideas

    with pytest.raises(OperationError) as refused:
        ideas.create_idea(make_user(), board, "No seats given", "")
    assert refused.value.field == f"field_{made['number'].id}"
