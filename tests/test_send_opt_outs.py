"""An email already claimed by a send job is not sent to someone who muted the idea (or
everything) in the meantime: the send asks again, for the whole batch at once."""

from __future__ import annotations

from sqlalchemy import select, update

from tests.smtp import smtp_server  # noqa: F401  (fixture)
from vocportal.extensions import db
from vocportal.ideas import operations as ideas
from vocportal.ideas import support
from vocportal.ideas.models import Follow, IdeaStatus
from vocportal.notifications import delivery, sending
from vocportal.notifications.models import (
    Channel,
    DeliveryState,
    Notification,
    NotificationEvent,
)


def test_people_who_muted_after_the_fan_out_get_no_email(
    app,
    smtp_server,  # noqa: F811
    make_user,
    make_idea,
):
    url, inbox = smtp_server
    app.config["MAIL_URL"] = url
    staff = make_user(role="staff")
    first, second = make_idea(title="Offline mode"), make_idea(title="Dark mode")
    stays, mutes_first, mutes_both = make_user(), make_user(), make_user()
    for person in (stays, mutes_first, mutes_both):
        support.vote(person, first)
        support.vote(person, second)
    db.session.commit()
    changes = [
        ideas.change_status(staff, idea, IdeaStatus.planned, "Next quarter.")
        for idea in (first, second)
    ]
    db.session.commit()
    event_ids = db.session.scalars(
        select(NotificationEvent.id).where(
            NotificationEvent.status_change_id.in_([c.id for c in changes])
        )
    ).all()
    assert len(event_ids) == 2
    for event_id in event_ids:
        delivery.fan_out(event_id)
    db.session.commit()
    # The mutes land after the rows were written (as if a send job had claimed them): a
    # plain UPDATE, not `unfollow`, which would also skip the waiting rows at once.
    db.session.execute(
        update(Follow)
        .where(
            ((Follow.user_id == mutes_first.id) & (Follow.idea_id == first.id))
            | (Follow.user_id == mutes_both.id)
        )
        .values(muted=True)
    )
    db.session.commit()
    for event_id in event_ids:
        sending.send_emails(event_id)
    db.session.commit()
    ours = {stays.email, mutes_first.email, mutes_both.email}
    sent = sorted(
        (m["To"], m["Subject"].split(": ")[0].split("] ")[-1])
        for m in inbox.wait_for(5)  # the two authors hear too
        if m["To"] in ours
    )
    assert sent == sorted(
        [
            (stays.email, "Offline mode"),
            (stays.email, "Dark mode"),
            (mutes_first.email, "Dark mode"),
        ]
    )
    skipped = db.session.execute(
        select(Notification.user_id, Notification.event_id).where(
            Notification.channel == Channel.email, Notification.state == DeliveryState.skipped
        )
    ).all()
    assert len(skipped) == 3
