"""Admins manage people (roles, blocks) and boards."""

from __future__ import annotations

from sqlalchemy import select

from vocportal.accounts.models import Role
from vocportal.extensions import db
from vocportal.ideas.models import Board


def test_admin_changes_role_and_blocks(client, make_user):
    admin = make_user(role="admin")
    person = make_user(name="Promote Me")
    client.login(admin.email)
    listing = client.get("/admin/users?q=promote").get_data(as_text=True)
    assert "Promote Me" in listing and admin.email not in listing
    client.post(f"/admin/users/{person.id}", {"role": "staff"}, page="/admin/users")
    db.session.refresh(person)
    assert person.role is Role.staff and not person.blocked
    client.post(f"/admin/users/{person.id}", {"role": "staff", "blocked": "y"}, page="/admin/users")
    db.session.refresh(person)
    assert person.blocked


def test_last_admin_cannot_demote_or_block_themselves(client, make_user):
    admin = make_user(role="admin")
    client.login(admin.email)
    response = client.post(
        f"/admin/users/{admin.id}", {"role": "customer"}, page="/admin/users", follow_redirects=True
    )
    assert "at least one admin" in response.get_data(as_text=True)
    db.session.refresh(admin)
    assert admin.role is Role.admin


def test_admin_creates_edits_and_archives_boards(client, make_user):
    admin = make_user(role="admin")
    client.login(admin.email)
    created = client.post(
        "/admin/boards", {"name": "Mobile App", "description": "Phones"}, page="/admin/boards"
    )
    assert created.status_code == 302
    board = db.session.scalar(select(Board).where(Board.slug == "mobile-app"))
    assert board.name == "Mobile App"
    duplicate = client.post("/admin/boards", {"name": "Mobile app"}, page="/admin/boards")
    assert duplicate.status_code == 400 and "already exists" in duplicate.get_data(as_text=True)
    client.post(
        f"/admin/boards/{board.id}",
        {"name": "Mobile", "description": "", "archived": "y"},
        page=f"/admin/boards/{board.id}",
    )
    db.session.refresh(board)
    assert board.name == "Mobile" and board.archived
    # An archived board takes no new ideas.
    form = client.get("/ideas/new").get_data(as_text=True)
    assert "Mobile" not in form
    refused = client.post(
        "/ideas/new", {"title": "Widget please", "board": board.id}, page="/ideas/new"
    )
    assert refused.status_code == 400
