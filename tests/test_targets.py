"""Expected dates: staff set a month or quarter on planned and in-progress ideas; the
roadmap shows it and followers hear of a change once, as a small status update."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from vocportal.extensions import db
from vocportal.ideas import operations as ideas
from vocportal.ideas import support, targets
from vocportal.ideas.models import IdeaStatus
from vocportal.notifications import delivery
from vocportal.notifications.models import Channel, Notification, NotificationEvent


def test_expected_date_is_shown_and_followers_hear_of_a_change_once(
    client, new_client, make_idea, make_user
):
    staff = make_user(role="staff")
    idea = make_idea(title="Offline mode")
    follower = make_user()
    support.follow(follower, idea)
    support.vote(follower, idea)
    ideas.change_status(staff, idea, IdeaStatus.planned)
    db.session.commit()
    before = db.session.scalar(select(func.count()).select_from(NotificationEvent))
    client.login(staff.email)

    bad = client.post(f"/ideas/{idea.id}/target", {"period": "2027-13"}, page=f"/ideas/{idea.id}")
    assert bad.status_code == 400
    html = bad.get_data(as_text=True)
    assert "Choose a month or a quarter." in html and 'id="period-error"' in html

    period = targets.choices(idea.created_at.date())[3][0]  # a quarter
    set_ = client.post(
        f"/ideas/{idea.id}/target",
        {"period": period, "note": "If the beta goes well."},
        page=f"/ideas/{idea.id}",
    )
    assert set_.status_code == 302
    db.session.expire_all()
    assert idea.target_period == period
    said = targets.label(period)

    events = db.session.scalars(
        select(NotificationEvent).order_by(NotificationEvent.id).offset(before)
    ).all()
    assert len(events) == 1
    assert f"Expected: {said}." in events[0].text
    delivery.fan_out(events[0].id)
    db.session.commit()
    told = db.session.scalars(
        select(Notification.user_id).where(
            Notification.event_id == events[0].id, Notification.channel == Channel.web
        )
    ).all()
    assert sorted(told) == sorted([idea.author_id, follower.id])

    reader = new_client()
    assert f"expected {said}" in reader.get(f"/ideas/{idea.id}").get_data(as_text=True)
    roadmap = reader.get("/roadmap").get_data(as_text=True)
    planned = roadmap.split('data-testid="roadmap-planned"')[1].split("</section>")[0]
    assert "Offline mode" in planned and f"expected {said}" in planned

    # The same date again is refused; shipping drops it from the roadmap and the idea.
    same = client.post(f"/ideas/{idea.id}/target", {"period": period}, page=f"/ideas/{idea.id}")
    assert same.status_code == 400
    assert "already has this expected date" in same.get_data(as_text=True)
    ideas.change_status(staff, idea, IdeaStatus.shipped)
    db.session.commit()
    assert idea.target_period is None
    with pytest.raises(Exception, match="Only planned and in-progress"):
        targets.set_target(staff, idea, period)


def test_periods_are_months_or_quarters_and_only_staff_set_them(client, make_idea, make_user):
    from datetime import date

    assert targets.label("2027-03") == "March 2027" and targets.label("2027-Q2") == "Q2 2027"
    assert not any(targets.valid(p) for p in ("2027-00", "2027-Q5", "27-03", "2027-3", ""))
    options = [value for value, _ in targets.choices(date(2026, 11, 29))]
    assert options[:3] == ["", "2026-Q4", "2027-Q1"] and options[7:9] == ["2026-11", "2026-12"]

    staff, customer = make_user(role="staff"), make_user()
    idea = make_idea()
    with pytest.raises(Exception, match="Only planned and in-progress"):
        targets.set_target(staff, idea, "2027-Q1")  # still open
    db.session.rollback()
    ideas.change_status(staff, idea, IdeaStatus.in_progress)
    db.session.commit()
    client.login(customer.email)
    refused = client.post(f"/ideas/{idea.id}/target", {"period": "2027-Q1"}, page="/")
    assert refused.status_code == 403
    db.session.expire_all()
    assert idea.target_period is None

    # Clearing a date is an update too.
    targets.set_target(staff, idea, "2027-Q1")
    change = targets.set_target(staff, idea, "")
    db.session.commit()
    assert idea.target_period is None and change.message == "No expected date any more."
