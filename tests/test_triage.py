"""Staff triage: duplicate merge and exact unmerge, the inbox, owners and my queue,
internal notes, bulk status updates, and the metrics page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from vocportal.errors import OperationError, PermissionDenied
from vocportal.extensions import db
from vocportal.ideas import commenting, support
from vocportal.ideas import merge as merges
from vocportal.ideas import operations as ideas
from vocportal.ideas.models import Follow, Idea, IdeaStatus, StatusChange, Vote
from vocportal.notifications import delivery
from vocportal.notifications.models import NotificationEvent
from vocportal.timeutil import utcnow
from vocportal.triage import operations as triage

pytestmark = pytest.mark.usefixtures("embedded_redis_url")


def votes_of(idea) -> dict[int, object]:
    db.session.expire_all()
    return dict(
        db.session.execute(
            select(Vote.user_id, Vote.created_at).where(Vote.idea_id == idea.id)
        ).all()
    )


def follows_of(idea) -> set[tuple[int, bool]]:
    return set(
        db.session.execute(
            select(Follow.user_id, Follow.muted).where(Follow.idea_id == idea.id)
        ).all()
    )


def test_merge_moves_votes_one_per_person_and_unmerge_restores_exactly(make_user, make_idea):
    staff = make_user(role="staff")
    a_voters = [make_user() for _ in range(3)]
    both = a_voters[2]
    b_only = make_user()
    quiet = make_user()
    a = make_idea(title="Export to Excel")
    b = make_idea(title="Export timesheets to CSV and Excel")
    for person in a_voters:
        support.vote(person, a)
    for person in (both, b_only):
        support.vote(person, b)
    support.follow(quiet, a)
    support.unfollow(quiet, a)  # opted out of A: must not be subscribed to B
    commenting.add_comment(a_voters[0], a, "Excel please")
    db.session.commit()
    a_before, b_before = votes_of(a), votes_of(b)
    a_follows, b_follows = follows_of(a), follows_of(b)
    b_trend = db.session.get(Idea, b.id).trend_score

    merges.merge(staff, a, b, "Same request.")
    db.session.commit()
    db.session.expire_all()
    a, b = db.session.get(Idea, a.id), db.session.get(Idea, b.id)
    assert a.status is IdeaStatus.duplicate and a.duplicate_of_id == b.id
    assert a.vote_count == 0 and votes_of(a) == {}
    merged = votes_of(b)
    assert set(merged) == set(a_before) | set(b_before)  # nobody has two votes
    assert (
        b.vote_count == len(merged) == len(set(a_before) | set(b_before)) == 6  # authors vote
    )
    # Moved votes keep their time; the shared voter keeps their own vote on B.
    assert all(merged[u] == a_before[u] for u in set(a_before) - set(b_before))
    assert merged[both.id] == b_before[both.id]
    assert {u for u, muted in follows_of(b) if not muted} >= {u for u, m in a_follows if not m}
    assert quiet.id not in {u for u, _ in follows_of(b)}
    # A's comments stay on A.
    assert len(ideas.visible_comments(None, a)) == 1

    # One of the moved voters takes their vote back from B and votes again: that vote is
    # now theirs, and unmerge leaves it alone.
    mover = a_voters[0]
    support.unvote(mover, b)
    support.vote(mover, b)
    db.session.commit()

    merges.unmerge(staff, a)
    db.session.commit()
    db.session.expire_all()
    a, b = db.session.get(Idea, a.id), db.session.get(Idea, b.id)
    assert votes_of(a) == a_before and a.vote_count == len(a_before)
    assert set(votes_of(b)) == set(b_before) | {mover.id}
    assert b.vote_count == len(b_before) + 1
    assert follows_of(a) == a_follows
    assert follows_of(b) == b_follows | {(mover.id, False)}
    assert a.status is IdeaStatus.open and a.duplicate_of_id is None
    assert a.trend_score == pytest.approx(sum(support.trend_weight(t) for t in a_before.values()))
    assert b.trend_score > b_trend  # the mover's fresh vote


def test_merge_rules(make_user, make_idea):
    staff, customer = make_user(role="staff"), make_user()
    a, b, c = make_idea(), make_idea(), make_idea()
    with pytest.raises(OperationError, match="itself"):
        merges.merge(staff, a, a)
    with pytest.raises(PermissionDenied):
        merges.merge(customer, a, b)
    merges.merge(staff, a, b)
    with pytest.raises(OperationError, match="already merged"):
        merges.merge(staff, a, c)
    with pytest.raises(OperationError, match="itself a duplicate"):
        merges.merge(staff, c, a)
    with pytest.raises(OperationError, match="Unmerge"):
        ideas.change_status(staff, a, IdeaStatus.planned)
    with pytest.raises(OperationError, match="Mark as duplicate"):
        ideas.change_status(staff, c, IdeaStatus.duplicate)
    db.session.rollback()


def test_merge_and_unmerge_through_the_idea_page(client, make_user, make_idea):
    staff = make_user(role="staff")
    a, b = make_idea(title="Excel export"), make_idea(title="CSV export", votes=2)
    client.login(staff.email)
    page = f"/ideas/{a.id}"
    bad = client.post(
        f"/staff/ideas/{a.id}/duplicate", {"target": "999999", "message": "keep me"}, page=page
    )
    assert bad.status_code == 400
    html = bad.get_data(as_text=True)
    assert "There is no idea #999999" in html and "keep me" in html  # nothing lost
    done = client.post(
        f"/staff/ideas/{a.id}/duplicate", {"target": str(b.id), "next": page}, page=page
    )
    assert done.status_code == 302
    shown = client.get(page).get_data(as_text=True)
    assert 'data-testid="duplicate-of"' in shown and "CSV export" in shown
    assert "Excel export" in client.get(f"/ideas/{b.id}").get_data(as_text=True)  # merged here
    db.session.expire_all()
    assert db.session.get(Idea, b.id).vote_count == 4  # 1 + 2 voters + A's author
    client.post(f"/staff/ideas/{a.id}/unmerge", {"next": page}, page=page)
    db.session.expire_all()
    assert db.session.get(Idea, b.id).vote_count == 3 and db.session.get(Idea, a.id).vote_count == 1


def test_inbox_lists_untouched_ideas_oldest_first_and_any_staff_action_clears_them(
    client, make_user, make_idea
):
    staff, customer = make_user(role="staff"), make_user()
    first, second, third, fourth = (make_idea(title=f"Idea number {n}") for n in range(1, 5))
    first.created_at -= timedelta(days=3)
    db.session.commit()
    assert [i.id for i in triage.inbox()] == [first.id, second.id, third.id, fourth.id]
    commenting.add_comment(customer, second, "me too")  # a customer's comment is not triage
    db.session.commit()
    assert second in triage.inbox()

    client.login(staff.email)
    html = client.get("/staff/inbox").get_data(as_text=True)
    assert html.index("Idea number 1") < html.index("Idea number 2")
    client.post(f"/staff/ideas/{first.id}/reviewed", {"next": "/staff/inbox"}, page="/staff/inbox")
    client.post(
        f"/staff/ideas/{second.id}/owner",
        {"owner": str(staff.id), "next": "/staff/inbox"},
        page="/staff/inbox",
    )
    client.post(
        f"/staff/ideas/{third.id}/notes",
        {"body": "Acme asked for this on a call", "next": "/staff/inbox"},
        page="/staff/inbox",
    )
    db.session.expire_all()
    assert [i.id for i in triage.inbox()] == [fourth.id]
    commenting.add_comment(
        db.session.get(type(staff), staff.id),
        db.session.get(Idea, fourth.id),
        "Could you tell us more?",
    )
    db.session.commit()
    assert triage.inbox() == []
    assert "Inbox zero" in client.get("/staff/inbox").get_data(as_text=True)
    # My queue: the idea staff now own.
    assert "Idea number 2" in client.get("/staff/mine").get_data(as_text=True)
    # The note is for staff only.
    assert "Acme asked" in client.get(f"/ideas/{third.id}").get_data(as_text=True)
    client.logout()
    client.login(customer.email)
    assert "Acme asked" not in client.get(f"/ideas/{third.id}").get_data(as_text=True)
    for path in ("/staff/inbox", "/staff/mine", "/staff/metrics"):
        assert client.get(path).status_code == 403
    assert (
        client.post(
            f"/staff/ideas/{fourth.id}/notes", {"body": "x"}, page=f"/ideas/{fourth.id}"
        ).status_code
        == 403
    )


def test_owner_must_be_staff(make_user, make_idea):
    staff, customer = make_user(role="staff"), make_user()
    with pytest.raises(OperationError, match="Only staff"):
        triage.assign_owner(staff, make_idea(), customer)
    db.session.rollback()


def test_bulk_status_publishes_one_update_per_idea(client, make_user, make_idea):
    staff = make_user(role="staff")
    chosen = [make_idea(title=f"Bulk idea {n}") for n in range(3)]
    already = make_idea(title="Already planned")
    ideas.change_status(staff, already, IdeaStatus.planned, "")
    db.session.commit()
    client.login(staff.email)
    empty = client.post(
        "/staff/bulk-status", {"status": "planned", "message": "Coming in Q3"}, page="/staff/inbox"
    )
    assert empty.status_code == 400
    assert "Choose at least one idea" in empty.get_data(as_text=True)
    assert "Coming in Q3" in empty.get_data(as_text=True)
    ids = [str(i.id) for i in [*chosen, already]]
    done = client.post(
        "/staff/bulk-status",
        {"ideas": ids, "status": "planned", "next": "/staff/inbox", "confirm": "1"},
        page="/staff/inbox",
    )
    assert done.status_code == 302
    db.session.expire_all()
    assert all(db.session.get(Idea, i.id).status is IdeaStatus.planned for i in chosen)
    changes = db.session.scalars(
        select(StatusChange).where(StatusChange.new_status == IdeaStatus.planned)
    ).all()
    assert len(changes) == 4  # three now, one before: the already-planned idea was left alone
    events = db.session.scalars(select(NotificationEvent)).all()
    assert sorted(e.idea_id for e in events) == sorted([already.id, *[i.id for i in chosen]])


def test_metrics_per_owner(make_user, make_idea):
    alice = make_user(role="staff", name="Alice")
    bob = make_user(role="staff", name="Bob")
    now = utcnow()
    quick, slow, ignored, fresh = (make_idea(title=f"Metric idea {n}") for n in range(4))
    voters = [make_user() for _ in range(3)]
    for v in voters:
        support.vote(v, quick)
    for idea, days in ((quick, 10), (slow, 10), (ignored, 9), (fresh, 1)):
        idea.created_at = now - timedelta(days=days)
    triage.assign_owner(alice, quick, alice)
    triage.assign_owner(bob, slow, bob)
    db.session.commit()
    quick.first_response_at = quick.created_at + timedelta(hours=2)
    slow.first_response_at = slow.created_at + timedelta(hours=50)
    support.unfollow(voters[2], quick)  # opted out: will not be told
    ideas.change_status(alice, quick, IdeaStatus.shipped, "Done!")
    quick.first_response_at = quick.created_at + timedelta(hours=2)
    db.session.commit()
    event = db.session.scalar(
        select(NotificationEvent).where(NotificationEvent.idea_id == quick.id)
    )
    delivery.fan_out(event.id)
    # Someone who joins the conversation after the outcome was told has not heard it.
    commenting.add_comment(make_user(), quick, "Does it cover overtime too?")
    db.session.commit()

    rows = {m.label: m for m in triage.metrics(now=now)}
    everyone = rows["Everyone"]
    assert everyone.ideas == 4 and everyone.answered == 2
    assert everyone.median_first_response_hours == pytest.approx(26)
    assert (everyone.stale, everyone.older_than_week) == (1, 3)  # "ignored"
    # Who should hear quick's outcome (vocportal.audience): author, 2 voters (the one who
    # opted out chose not to hear) and the late commenter, who was not told.
    assert (everyone.outcome_told, everyone.outcome_supporters) == (3, 4)
    assert rows["Alice"].median_first_response_hours == pytest.approx(2)
    assert rows["Alice"].told_share == pytest.approx(0.75)
    assert rows["Bob"].median_first_response_hours == pytest.approx(50)
    assert rows["No owner"].stale == 1 and rows["No owner"].ideas == 2


def test_a_whole_theme_gets_one_status_update(client, make_user, make_idea):
    from tests.test_theme_demand import make_theme, put

    staff = make_user(role="staff")
    members = [make_idea(title=f"Offline idea {n}") for n in range(3)]
    theme = make_theme("offline mode sync")
    put(theme, *members)
    db.session.commit()
    client.login(staff.email)
    page = f"/staff/themes/{theme.id}"
    html = client.get(page).get_data(as_text=True)
    assert html.count('form="bulk-form"') == 3 and 'form="bulk-form" checked' not in html
    done = client.post(
        "/staff/bulk-status",
        {
            "ideas": [str(i.id) for i in members],
            "status": "in_progress",
            "message": "Started",
            "confirm": "1",
        },
        page=page,
    )
    assert done.status_code == 302
    db.session.expire_all()
    assert {db.session.get(Idea, i.id).status for i in members} == {IdeaStatus.in_progress}
