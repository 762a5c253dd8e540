"""Vote budgets: a board may give each customer N votes on its open ideas; a vote comes back
when its idea ships or is declined (and the update says so); demand counts votes as before."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.conftest import PortalClient
from vocportal.extensions import db
from vocportal.ideas import operations as ideas
from vocportal.ideas import support
from vocportal.ideas.models import Board, IdeaStatus
from vocportal.notifications.models import NotificationEvent


@pytest.fixture
def budget_board(make_board):
    board = make_board(name="Integrations")
    board.vote_budget = 2
    db.session.commit()
    return board


def _vote(client: PortalClient, idea_id: int, htmx: bool = True):
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(f"/ideas/{idea_id}/vote", page=f"/ideas/{idea_id}", headers=headers)


def _left(html: str) -> str:
    match = re.search(r'data-testid="votes-left"[^>]*>(.*?)</p>', html, re.S)
    return re.sub(r"<[^>]+>", "", match.group(1)) if match else ""


def test_a_customer_spends_the_budget_and_is_told_why_the_next_vote_is_refused(
    app, budget_board, make_user, make_idea
):
    first, second, third = (make_idea(title=f"Idea {n}", board=budget_board) for n in range(3))
    customer = make_user()
    client = PortalClient(app)
    client.login(customer.email)
    assert _left(client.get(f"/ideas/{first.id}").get_data(as_text=True)).startswith(
        "You have 2 of 2 votes left on Integrations"
    )
    answer = _vote(client, first.id).get_data(as_text=True)
    # The htmx answer brings the new count to wherever the page shows it.
    assert 'hx-swap-oob="true"' in answer and _left(answer).startswith("You have 1 of 2 votes")
    _vote(client, second.id)
    refused = _vote(client, third.id).get_data(as_text=True)
    assert "You have used all 2 of your votes on Integrations" in refused
    assert support.voted_idea_ids(customer, [third.id]) == set()
    # Without JavaScript the refusal is flashed on the page the vote came from.
    page = client.get(f"/ideas/{third.id}", follow_redirects=False)  # a fresh page: the CSRF token
    no_js = _vote(client, third.id, htmx=False)
    assert no_js.status_code == 302 and page.status_code == 200
    followed = client.get(no_js.headers["Location"]).get_data(as_text=True)
    assert "You have used all 2 of your votes" in followed
    board_page = client.get(f"/?board={budget_board.slug}").get_data(as_text=True)
    assert _left(board_page).startswith("You have 0 of 2 votes left on Integrations")
    # Taking a vote back frees it.
    client.post(f"/ideas/{first.id}/unvote", page=f"/ideas/{first.id}")
    assert support.votes_left(customer, budget_board) == 1
    assert _vote(client, third.id).status_code == 200
    assert support.voted_idea_ids(customer, [third.id]) == {third.id}


def test_a_vote_comes_back_when_its_idea_ships_and_the_update_says_so(
    app, budget_board, make_user, make_idea
):
    staff = make_user(role="staff")
    customer = make_user()
    shipped, declined, other = (make_idea(board=budget_board) for _ in range(3))
    support.vote(customer, shipped)
    support.vote(customer, declined)
    db.session.commit()
    assert support.votes_left(customer, budget_board) == 0
    with pytest.raises(Exception, match="used all 2"):
        support.vote(customer, other)
    db.session.rollback()

    ideas.change_status(staff, shipped, IdeaStatus.shipped, "Out today.")
    db.session.commit()
    assert support.votes_left(customer, budget_board) == 1
    ideas.change_status(staff, declined, IdeaStatus.declined, "")
    db.session.commit()
    assert support.votes_left(customer, budget_board) == 2
    # Demand counts votes as before: the shipped idea keeps its votes.
    db.session.refresh(shipped)
    assert shipped.vote_count == 2  # its author and the customer
    texts = db.session.scalars(
        select(NotificationEvent.text).where(
            NotificationEvent.idea_id.in_([shipped.id, declined.id])
        )
    ).all()
    assert len(texts) == 2
    assert all("your vote on Integrations is yours again" in t for t in texts)
    assert texts[0].startswith("Out today.") or texts[1].startswith("Out today.")
    assert support.vote(customer, other) is True


def test_a_board_without_a_budget_and_staff_vote_freely(app, make_board, make_user, make_idea):
    board = make_board()
    customer, staff = make_user(), make_user(role="staff")
    budget = make_board(name="Budgeted")
    budget.vote_budget = 1
    db.session.commit()
    for idea in [make_idea(board=board) for _ in range(3)]:
        assert support.vote(customer, idea)
    for idea in [make_idea(board=budget) for _ in range(3)]:
        assert support.vote(staff, idea)
    db.session.commit()
    assert support.votes_left(customer, board) is None
    assert support.votes_left(staff, budget) is None
    client = PortalClient(app)
    client.login(customer.email)
    assert 'data-testid="votes-left"' not in client.get(f"/?board={board.slug}").get_data(
        as_text=True
    )
    # A status update on an unbudgeted board says nothing about votes coming back.
    idea = make_idea(board=board)
    ideas.change_status(staff, idea, IdeaStatus.shipped, "Done.")
    db.session.commit()
    [text] = db.session.scalars(
        select(NotificationEvent.text).where(NotificationEvent.idea_id == idea.id)
    ).all()
    assert text == "Done."


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0", "Give between 1 and 1,000 votes"),
        ("-3", "Give between 1 and 1,000 votes"),
        ("many", "Not a valid integer value"),
    ],
)
def test_admin_sets_a_budget_and_bad_values_get_a_message(
    app, make_board, make_user, value, message
):
    board = make_board(name="Mobile")
    admin = make_user(role="admin")
    client = PortalClient(app)
    client.login(admin.email)
    page = f"/admin/boards/{board.id}"
    data = {"name": "Mobile", "description": "", "vote_budget": value}
    answer = client.post(page, data, page=page)
    html = answer.get_data(as_text=True)
    assert answer.status_code == 400 and message in html
    assert f'value="{value}"' in html
    assert client.post(page, {**data, "vote_budget": "5"}, page=page).status_code == 302
    db.session.expire_all()
    assert db.session.get(Board, board.id).vote_budget == 5
    assert "5 votes per customer" in client.get("/admin/boards").get_data(as_text=True)
    assert client.post(page, {**data, "vote_budget": ""}, page=page).status_code == 302
    db.session.expire_all()
    assert db.session.get(Board, board.id).vote_budget is None


def test_the_api_says_how_many_votes_are_left_and_refuses_past_the_budget(
    app, client, budget_board, make_user, make_idea
):
    from vocportal.api import operations as api_ops

    customer = make_user()
    _token, secret = api_ops.create_token(customer, "script", "write")
    db.session.commit()
    ideas_ = [make_idea(board=budget_board) for _ in range(3)]
    auth = {"Authorization": f"Bearer {secret}"}
    answers = [client.post(f"/api/v1/ideas/{i.id}/vote", headers=auth) for i in ideas_]
    assert [a.status_code for a in answers] == [200, 200, 409]
    assert [a.get_json().get("votes_left") for a in answers[:2]] == [1, 0]
    assert "used all 2 of your votes" in answers[2].get_json()["error"]["message"]
