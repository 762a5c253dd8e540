"""Custom statuses (each of a built-in kind that carries the meaning) and expected dates."""

from __future__ import annotations

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import delete, func, select

from vocportal.extensions import db
from vocportal.ideas import operations as ideas
from vocportal.ideas import statuses, support
from vocportal.ideas.models import Idea, IdeaStatus, Status
from vocportal.notifications import delivery
from vocportal.notifications.models import Channel, Notification, NotificationEvent

DEFAULTS = [
    (IdeaStatus.open, "Open", "grey"),
    (IdeaStatus.under_review, "Under review", "orange"),
    (IdeaStatus.planned, "Planned", "blue"),
    (IdeaStatus.in_progress, "In progress", "purple"),
    (IdeaStatus.shipped, "Shipped", "green"),
    (IdeaStatus.declined, "Declined", "red"),
]


@pytest.fixture
def admin(make_user):
    return make_user(role="admin", email="admin@example.com")


@pytest.fixture
def defaults(app, admin):
    """The six statuses the migration writes (tests empty every table after each test, so
    only the session's first test finds the migration's own rows)."""
    db.session.execute(delete(Status))
    rows = {
        kind: statuses.save_status(admin, None, name=name, kind=kind, colour=colour)
        for kind, name, colour in DEFAULTS
    }
    db.session.commit()
    return rows


def add_status(admin, name, kind, colour="teal", public=True, description=""):
    row = statuses.save_status(
        admin,
        None,
        name=name,
        kind=kind,
        colour=colour,
        description=description,
        is_public=public,
    )
    db.session.commit()
    return row


def badge_text(html: str) -> str:
    return html.split('data-testid="idea-status"')[1].split("</span>")[0]


# --- the migration ------------------------------------------------------------------------


def test_migration_turns_todays_statuses_into_default_rows_of_the_same_meaning(
    app, client, make_user, make_idea
):
    staff = make_user(role="staff")
    shipped, planned, still_open = make_idea(), make_idea(), make_idea()
    ideas.change_status(staff, shipped, IdeaStatus.shipped, "Done.")
    ideas.change_status(staff, planned, IdeaStatus.planned)
    db.session.commit()
    ids = {shipped.id: IdeaStatus.shipped, planned.id: IdeaStatus.planned}
    ids[still_open.id] = IdeaStatus.open
    db.session.commit()  # reading the ids began a transaction: end it, or the ALTERs wait

    downgrade(revision="0017_chat_webhooks")
    upgrade()
    db.session.expire_all()
    statuses.forget()

    rows = list(db.session.scalars(select(Status).order_by(Status.position)))
    assert [(r.kind, r.name, r.colour, r.is_public) for r in rows] == [
        (kind, name, colour, True) for kind, name, colour in DEFAULTS
    ]
    for idea_id, kind in ids.items():
        idea = db.session.get(Idea, idea_id)
        assert idea.status is kind and idea.status_id is None and idea.target_period is None
        assert statuses.shown(idea.status, idea.status_id).name == kind.label
    # The kind still decides: a shipped idea takes no votes; the roadmap has its columns.
    with pytest.raises(Exception, match="shipped; it takes no votes"):
        support.vote(make_user(), db.session.get(Idea, shipped.id))
    db.session.rollback()
    columns = ideas.roadmap()
    assert [i.id for i in columns[IdeaStatus.planned]] == [planned.id]
    assert [i.id for i in columns[IdeaStatus.shipped]] == [shipped.id]


# --- admin pages --------------------------------------------------------------------------


def test_admin_adds_edits_reorders_and_deletes_statuses(client, admin, defaults):
    client.login(admin.email)
    page = client.get("/admin/statuses")
    assert page.status_code == 200
    assert page.get_data(as_text=True).count('data-testid="status-row"') == 6

    added = client.post(
        "/admin/statuses",
        {
            "name": "Waiting on vendor",
            "kind": "planned",
            "colour": "pink",
            "description": "Blocked on a partner.",
        },
        page="/admin/statuses",
    )
    assert added.status_code == 302
    row = db.session.scalar(select(Status).where(Status.name == "Waiting on vendor"))
    assert (row.kind, row.colour, row.is_public, row.position) == (
        IdeaStatus.planned,
        "pink",
        False,  # the box was not ticked
        7,
    )

    edited = client.post(
        f"/admin/statuses/{row.id}",
        {"name": "Waiting on a partner", "kind": "planned", "colour": "teal", "is_public": "y"},
        page=f"/admin/statuses/{row.id}",
    )
    assert edited.status_code == 302
    db.session.expire_all()
    assert (row.name, row.colour, row.is_public) == ("Waiting on a partner", "teal", True)

    moved = client.post(
        f"/admin/statuses/{row.id}/move", {"direction": "up"}, page="/admin/statuses"
    )
    assert moved.status_code == 302
    order = db.session.scalars(select(Status.name).order_by(Status.position)).all()
    assert order[-2:] == ["Waiting on a partner", "Declined"]

    row_id = row.id
    deleted = client.post(f"/admin/statuses/{row_id}/delete", page="/admin/statuses")
    assert deleted.status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(Status).where(Status.id == row_id)) is None


def test_admin_status_form_bad_input_rerenders_with_a_message_per_field(client, admin, defaults):
    client.login(admin.email)
    empty = client.post(
        "/admin/statuses", {"name": "  ", "kind": "planned"}, page="/admin/statuses"
    )
    assert empty.status_code == 400
    html = empty.get_data(as_text=True)
    assert html.count('class="field-error"') == 2  # the name and the colour
    assert "Choose a colour." in html

    for data, message in [
        ({"name": "Shipped", "kind": "open", "colour": "grey"}, "already exists"),
        ({"name": "Soon", "kind": "duplicate", "colour": "grey"}, "Not a valid choice"),
        ({"name": "Soon", "kind": "planned", "colour": "gold"}, "Not a valid choice"),
        ({"name": "x" * 41, "kind": "planned", "colour": "grey"}, "40 characters"),
        ({"name": "Two\nlines", "kind": "planned", "colour": "grey"}, "line"),
    ]:
        page = client.post("/admin/statuses", data, page="/admin/statuses")
        assert page.status_code == 400, data
        text = page.get_data(as_text=True)
        assert message in text and 'class="field-error"' in text, data
        assert f'value="{data["name"][:20]}' in text or "\n" in data["name"]
    assert db.session.scalar(select(func.count()).select_from(Status)) == 6


def test_a_status_in_use_or_the_last_of_its_kind_cannot_go(
    client, admin, defaults, make_idea, make_user
):
    beta = add_status(admin, "Beta", IdeaStatus.in_progress)
    idea = make_idea()
    ideas.change_status(make_user(role="staff"), idea, IdeaStatus.in_progress, status_id=beta.id)
    db.session.commit()
    client.login(admin.email)

    for row, refusal in [
        (beta, "“Beta” is in use (ideas: 1; status updates: 1)"),
        (defaults[IdeaStatus.open], "“Open” is the last “Open” status"),
    ]:
        client.post(f"/admin/statuses/{row.id}/delete", page="/admin/statuses")
        assert refusal in client.get("/admin/statuses").get_data(as_text=True)
        db.session.expire_all()
        assert db.session.scalar(select(Status).where(Status.id == row.id)) is not None

    # Its kind cannot change while ideas use it (they would change meaning).
    changed = client.post(
        f"/admin/statuses/{beta.id}",
        {"name": "Beta", "kind": "shipped", "colour": "teal", "is_public": "y"},
        page=f"/admin/statuses/{beta.id}",
    )
    assert changed.status_code == 400
    assert "its kind cannot change" in changed.get_data(as_text=True)
    # Nor may a customer or staff member reach the admin pages.
    client.post("/logout", page="/")
    staff = make_user(role="staff")
    client.login(staff.email)
    assert client.get("/admin/statuses").status_code == 403


# --- the kind carries the meaning ---------------------------------------------------------


def test_roadmap_columns_and_voting_follow_the_kind(client, admin, defaults, make_idea, make_user):
    staff = make_user(role="staff")
    beta = add_status(admin, "Public beta", IdeaStatus.in_progress, "teal")
    released = add_status(admin, "Released to all", IdeaStatus.shipped, "green")
    in_beta, out = make_idea(title="Dark mode"), make_idea(title="CSV export")
    ideas.change_status(staff, in_beta, IdeaStatus.in_progress, status_id=beta.id)
    ideas.change_status(staff, out, IdeaStatus.shipped, status_id=released.id)
    db.session.commit()

    html = client.get("/roadmap").get_data(as_text=True)
    progress = html.split('data-testid="roadmap-in_progress"')[1].split("</section>")[0]
    shipped = html.split('data-testid="roadmap-shipped"')[1].split("</section>")[0]
    assert "Dark mode" in progress and "Public beta" in progress
    assert "CSV export" in shipped and "Released to all" in shipped

    assert "Released to all" in badge_text(client.get(f"/ideas/{out.id}").get_data(as_text=True))
    customer = make_user()
    with pytest.raises(Exception, match="released to all; it takes no votes"):
        support.vote(customer, out)
    db.session.rollback()
    assert support.vote(customer, in_beta)  # in progress: still open to votes


def test_a_staff_only_status_shows_customers_its_kinds_default(
    client, new_client, admin, defaults, make_idea, make_user
):
    staff = make_user(role="staff")
    waiting = add_status(admin, "Waiting on legal", IdeaStatus.planned, "pink", public=False)
    idea = make_idea()
    ideas.change_status(staff, idea, IdeaStatus.planned, status_id=waiting.id)
    db.session.commit()

    anonymous = badge_text(client.get(f"/ideas/{idea.id}").get_data(as_text=True))
    assert "Planned" in anonymous and "legal" not in anonymous
    staff_client = new_client()
    staff_client.login(staff.email)
    seen = staff_client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert "Waiting on legal" in badge_text(seen) and "status-c-pink" in badge_text(seen)
    # The staff form offers every status, staff-only ones marked, and starts on the idea's.
    assert f'<option selected value="{waiting.id}">Waiting on legal (staff only)' in seen


def test_staff_form_sets_a_custom_status_and_every_supporter_hears_once(
    client, admin, defaults, make_idea, make_user
):
    staff = make_user(role="staff")
    beta = add_status(admin, "Public beta", IdeaStatus.in_progress)
    idea = make_idea()
    voters = [make_user() for _ in range(3)]
    for voter in voters:
        support.vote(voter, idea)
        support.follow(voter, idea)  # following too: still once
    db.session.commit()
    client.login(staff.email)

    bad = client.post(f"/ideas/{idea.id}/status", {"status": "9999"}, page=f"/ideas/{idea.id}")
    assert bad.status_code == 400 and "Choose one of the statuses." in bad.get_data(as_text=True)
    done = client.post(
        f"/ideas/{idea.id}/status",
        {"status": str(beta.id), "message": "Try it."},
        page=f"/ideas/{idea.id}",
    )
    assert done.status_code == 302
    db.session.expire_all()
    assert (idea.status, idea.status_id) == (IdeaStatus.in_progress, beta.id)

    event = db.session.scalar(select(NotificationEvent))
    assert event.title.endswith("now public beta")
    delivery.fan_out(event.id)
    db.session.commit()
    told = db.session.scalars(
        select(Notification.user_id).where(
            Notification.event_id == event.id, Notification.channel == Channel.web
        )
    ).all()
    assert sorted(told) == sorted([idea.author_id] + [v.id for v in voters])

    # The same status again with no message changes nothing.
    again = client.post(
        f"/ideas/{idea.id}/status", {"status": str(beta.id)}, page=f"/ideas/{idea.id}"
    )
    assert again.status_code == 400
    assert "already has this status" in again.get_data(as_text=True)
    # A kind by value still works (the built-in default of that kind).
    kind = client.post(
        f"/ideas/{idea.id}/status", {"status": "in_progress"}, page=f"/ideas/{idea.id}"
    )
    assert kind.status_code == 302
    db.session.expire_all()
    assert idea.status_id is None
    assert statuses.shown(idea.status, idea.status_id).name == "In progress"


def test_bulk_status_update_offers_custom_statuses(client, admin, defaults, make_idea, make_user):
    staff = make_user(role="staff")
    beta = add_status(admin, "Public beta", IdeaStatus.in_progress)
    chosen = [make_idea(title=f"Bulk idea {n}") for n in range(2)]
    client.login(staff.email)
    inbox = client.get("/staff/inbox").get_data(as_text=True)
    assert f'value="{beta.id}">Public beta' in inbox

    data = {"ideas": [str(i.id) for i in chosen], "status": str(beta.id)}
    preview = client.post("/staff/bulk-status", data, page="/staff/inbox")
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "Public beta" in html
    assert f'name="status" value="{beta.id}"' in html
    done = client.post("/staff/bulk-status", {**data, "confirm": "1"}, page="/staff/inbox")
    assert done.status_code == 302
    db.session.expire_all()
    assert {(i.status, i.status_id) for i in chosen} == {(IdeaStatus.in_progress, beta.id)}
    bad = client.post("/staff/bulk-status", {**data, "status": "duplicate"}, page="/staff/inbox")
    assert bad.status_code == 400


def test_outcome_metric_and_changelog_shipping_follow_the_kind(
    admin, defaults, make_idea, make_user
):
    from vocportal.changelog import operations as changelog
    from vocportal.triage import operations as triage

    staff = make_user(role="staff")
    not_now = add_status(admin, "Not for now", IdeaStatus.declined, "red")
    beta = add_status(admin, "Public beta", IdeaStatus.in_progress)
    declined, in_beta = make_idea(title="Fax support"), make_idea(title="Dark mode")
    voters = [make_user() for _ in range(2)]
    for voter in voters:
        support.vote(voter, declined)
    ideas.change_status(staff, declined, IdeaStatus.declined, "Sorry.", status_id=not_now.id)
    ideas.change_status(staff, in_beta, IdeaStatus.in_progress, status_id=beta.id)
    db.session.commit()
    for event in db.session.scalars(select(NotificationEvent)):
        delivery.fan_out(event.id)
    db.session.commit()

    # A custom declined status is a final outcome: its supporters count as told.
    everyone = triage.metrics()[0]
    assert (everyone.outcome_told, everyone.outcome_supporters) == (3, 3)

    # Publishing a changelog entry ships the idea: its kind becomes shipped, and it shows
    # the shipped kind's default, whatever custom status it had.
    changelog.publish_entry(staff, "Dark mode is here", "Enjoy.", [in_beta.id], "/changelog")
    db.session.commit()
    assert (in_beta.status, in_beta.status_id) == (IdeaStatus.shipped, None)
    assert statuses.shown(in_beta.status, in_beta.status_id).name == "Shipped"
    with pytest.raises(Exception, match="not for now; it takes no votes"):
        support.vote(make_user(), declined)
