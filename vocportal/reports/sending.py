"""The worker side: build a week's report, write its delivery rows, send each email once.

The outbox rules of `vocportal.notifications` (see its `sending` module), on the report's
own rows: the report and its rows are committed before anything is sent; a send claims a
row with a conditional UPDATE (pending, or a claim older than NOTIFY_CLAIM_STALE_SECONDS:
a dead worker's) before sending it and marks it sent in its own commit after the SMTP
server accepted it. A second run of the weekly job finds every row sent and sends nothing;
two runs at once never claim the same row. The only repeat window is a worker dying
between the server's "250 OK" and that commit: one email, with the same Message-ID.
"""

from __future__ import annotations

import logging
import smtplib
from datetime import date, timedelta
from email.errors import MessageError
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import func, or_, select, update

from vocportal.extensions import db
from vocportal.mail import MessageBuildError, build_message, render_email, smtp_connection
from vocportal.notifications.models import DeliveryState
from vocportal.reports import operations, unsubscribe
from vocportal.reports.models import KIND_THEME_NOTE, ReportDelivery, WeeklyReport
from vocportal.timeutil import utcnow

log = logging.getLogger("vocportal.reports")

#: Rows a send claims at a time.
SEND_BATCH = 50
#: Claims per email before it is marked failed.
MAX_ATTEMPTS = 5


def run_week(week: date, progress=None) -> int:
    """Build the week's report (once), write its rows (once) and send what is pending;
    return how many emails were sent by this run."""
    progress = progress or (lambda *_: None)
    report = operations.build_report(week)
    db.session.commit()
    operations.fan_out(report)
    db.session.commit()
    return send_pending(report.id, progress)


def _claim(report_id: int, failed: list[int]) -> list[int]:
    """Claim up to SEND_BATCH of the report's rows (not those that failed in this run: the
    job's retry takes them), commit; return their ids."""
    stale = utcnow() - timedelta(seconds=current_app.config["NOTIFY_CLAIM_STALE_SECONDS"])
    claimable = or_(
        ReportDelivery.state == DeliveryState.pending,
        (ReportDelivery.state == DeliveryState.sending) & (ReportDelivery.claimed_at < stale),
    ) & ReportDelivery.id.not_in(failed)
    ids = list(
        db.session.scalars(
            select(ReportDelivery.id)
            .where(ReportDelivery.report_id == report_id, claimable)
            .order_by(ReportDelivery.id)
            .limit(SEND_BATCH)
        )
    )
    if not ids:
        return []
    claimed = list(
        db.session.scalars(
            update(ReportDelivery)
            .where(ReportDelivery.id.in_(ids), claimable)
            .values(
                state=DeliveryState.sending,
                claimed_at=utcnow(),
                attempts=ReportDelivery.attempts + 1,
            )
            .returning(ReportDelivery.id)
        )
    )
    db.session.commit()
    return claimed


def _mark(delivery_id: int, state: DeliveryState, error: str = "") -> None:
    db.session.execute(
        update(ReportDelivery)
        .where(ReportDelivery.id == delivery_id, ReportDelivery.state == DeliveryState.sending)
        .values(
            state=state,
            sent_at=utcnow() if state is DeliveryState.sent else None,
            error=error[:2000],
        )
    )
    db.session.commit()


def _target(row: ReportDelivery) -> tuple[str, int | None]:
    if row.kind == KIND_THEME_NOTE:
        return unsubscribe.TOKEN_THEMES, row.user_id
    if row.subscriber_id is not None:
        return unsubscribe.TOKEN_ADDRESS, row.subscriber_id
    return unsubscribe.TOKEN_USER, row.user_id


def send_pending(report_id: int, progress=None) -> int:
    """Send the report's claimable emails; raise at the end if any failed (RQ retries)."""
    progress = progress or (lambda *_: None)
    report = db.session.get(WeeklyReport, report_id)
    sent, failed, error_text = 0, [], ""
    with smtp_connection() as smtp:
        while ids := _claim(report_id, failed):
            rows = list(
                db.session.scalars(
                    select(ReportDelivery)
                    .where(ReportDelivery.id.in_(ids))
                    .order_by(ReportDelivery.id)
                    .execution_options(populate_existing=True)
                )
            )
            messages = []
            for row in rows:
                if unsubscribe.is_unsubscribed(*_target(row)):
                    messages.append((row.id, row.attempts, None, ""))
                    continue
                try:
                    messages.append((row.id, row.attempts, write(report, row), ""))
                except MessageBuildError as error:
                    messages.append((row.id, row.attempts, None, str(error)))
            for delivery_id, attempts, message, build_error in messages:
                if message is None:
                    state = DeliveryState.failed if build_error else DeliveryState.skipped
                    _mark(delivery_id, state, build_error)
                    continue
                try:
                    smtp.send(message)
                except (ValueError, MessageError) as error:
                    _mark(delivery_id, DeliveryState.failed, f"{type(error).__name__}: {error}")
                    continue
                except (OSError, smtplib.SMTPException) as error:
                    error_text = f"{type(error).__name__}: {error}"
                    spent = attempts >= MAX_ATTEMPTS
                    state = DeliveryState.failed if spent else DeliveryState.pending
                    _mark(delivery_id, state, error_text)
                    failed.append(delivery_id)
                    log.warning("report email %s failed: %s", delivery_id, error_text)
                    continue
                _mark(delivery_id, DeliveryState.sent)
                sent += 1
            progress(0.0, f"{sent} sent, {len(failed)} failed")
    if failed:
        raise RuntimeError(f"{len(failed)} report emails failed, last error: {error_text}")
    busy = db.session.scalar(
        select(func.count())
        .select_from(ReportDelivery)
        .where(ReportDelivery.report_id == report_id, ReportDelivery.state == DeliveryState.sending)
    )
    if busy:  # a send still holds them, or a dead one: its claim goes stale, then a retry
        raise RuntimeError(f"{busy} report emails are claimed by another send; retrying later")
    return sent


def _base_url() -> str:
    return current_app.config["BASE_URL"].rstrip("/")


def write(report: WeeklyReport, row: ReportDelivery):
    """The email of one delivery row: the report, or a follower's theme note."""
    link = unsubscribe.unsubscribe_url(row)
    host = urlsplit(current_app.config["BASE_URL"]).hostname or "vocportal.localhost"
    headers = {
        # The same for a resend after a crash, so mail systems drop the duplicate.
        "Message-ID": f"<report-{report.id}-{row.id}@{host}>",
        "List-Unsubscribe": f"<{link}/one-click>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "Auto-Submitted": "auto-generated",
    }
    subject, text, html = render(report, row.kind, row.themes, link)
    return build_message(row.email, subject, text, headers=headers, html=html)


def render(report: WeeklyReport, kind: str, themes: list, unsubscribe_url: str):
    """(subject, text, html) of a report email or a theme note (the admin preview too)."""
    portal = current_app.config["PORTAL_NAME"]
    f = report.figures
    week = date.fromisoformat(f["week_start"])
    url = f"{_base_url()}{operations.report_path(week)}"
    if kind == KIND_THEME_NOTE:
        subject = f"[{portal}] Themes you follow moved in the week of {week:%d %b %Y}"
        template = "report_theme_note"
    else:
        subject = f"[{portal}] Voice of the customer: week of {week:%d %b %Y}"
        template = "report_weekly"
    text, html = render_email(
        template,
        subject=subject,
        preview=subject,
        f=f,
        themes=themes,
        url=url,
        themes_url=f"{_base_url()}/staff/themes/",
        unsubscribe_url=unsubscribe_url,
    )
    return subject, text, html
