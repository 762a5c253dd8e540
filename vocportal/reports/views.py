"""The weekly report's pages: the report (staff), the admin page (preview, send now,
subscribed addresses), theme follow buttons and one-click unsubscribe (no login)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from vocportal.extensions import csrf, db
from vocportal.forms import ButtonForm, commit_or_show, valid_or_400
from vocportal.permissions import admin_required, staff_required
from vocportal.reports import figures, operations
from vocportal.reports import unsubscribe as unsubscribing
from vocportal.reports.forms import SubscribeForm
from vocportal.reports.models import KIND_REPORT, ReportSubscriber, WeeklyReport
from vocportal.reports.sending import render
from vocportal.themes.models import Theme
from vocportal.timeutil import utcnow

bp = Blueprint("reports", __name__)


def _user():
    return current_user._get_current_object()


@bp.app_template_global()
def theme_followed(theme_id: int) -> bool:
    """For the staff theme page's follow button: does the current person follow it?"""
    theme = db.session.get(Theme, theme_id)
    return theme is not None and operations.follows(_user(), theme)


@bp.get("/staff/reports/")
@staff_required
def index():
    built = operations.reports()
    if not built:
        return render_template("reports/index.html", reports=[], report=None)
    return redirect(url_for("reports.show", week=built[0].week_start.isoformat()))


@bp.get("/staff/reports/<week>")
@staff_required
def show(week: str):
    day = operations.parse_week(week)
    report = operations.report_for(day) if day else None
    if report is None:
        abort(404)
    return render_template(
        "reports/index.html", reports=operations.reports(), report=report, f=report.figures
    )


def _preview() -> tuple[WeeklyReport, bool]:
    """The last complete week's report as stored, or built now without storing it."""
    week = figures.last_complete_week(utcnow())
    stored = operations.report_for(week)
    if stored is not None:
        return stored, True
    return WeeklyReport(id=0, week_start=week, figures=figures.build_figures(week)), False


@bp.route("/admin/reports", methods=["GET", "POST"])
@admin_required
def admin():
    form = SubscribeForm()
    if form.validate_on_submit():
        ok, _ = commit_or_show(form, lambda: operations.subscribe_address(_user(), form.email.data))
        if ok:
            flash(f"{form.email.data.strip().lower()} will get the weekly report.", "success")
            return redirect(url_for("reports.admin"))
    report, stored = _preview()
    subject, text, _html = render(report, KIND_REPORT, [], "(unsubscribe link)")
    return render_template(
        "reports/admin.html",
        form=form,
        button=ButtonForm(formdata=None),
        report=report,
        stored=stored,
        f=report.figures,
        subject=subject,
        text=text,
        counts=operations.sent_count(report) if stored else {},
        staff=operations.staff_recipients(),
        subscribers=operations.subscribers(),
    ), 400 if form.errors else 200


@bp.post("/admin/reports/send")
@admin_required
def send_now():
    valid_or_400()
    operations.send_now(_user(), figures.last_complete_week(utcnow()))
    db.session.commit()
    flash(
        "The report is being sent. Each recipient gets it once, however often you press.",
        "success",
    )
    return redirect(url_for("reports.admin"))


@bp.post("/admin/reports/subscribers/<int:subscriber_id>/remove")
@admin_required
def remove(subscriber_id: int):
    subscriber = db.session.get(ReportSubscriber, subscriber_id) or abort(404)
    valid_or_400()
    operations.remove_subscriber(_user(), subscriber)
    db.session.commit()
    flash(f"{subscriber.email} no longer gets the weekly report.", "success")
    return redirect(url_for("reports.admin"))


@bp.post("/staff/themes/<int:theme_id>/follow")
@staff_required
def follow(theme_id: int):
    theme = db.session.get(Theme, theme_id) or abort(404)
    form = valid_or_400()
    ok, _ = commit_or_show(form, lambda: operations.follow_theme(_user(), theme))
    flash(
        "You follow this theme: a note each week it moves." if ok else form.form_errors[0],
        "success" if ok else "error",
    )
    return redirect(url_for("themes.show", theme_id=theme.id))


@bp.post("/staff/themes/<int:theme_id>/unfollow")
@staff_required
def unfollow(theme_id: int):
    theme = db.session.get(Theme, theme_id) or abort(404)
    valid_or_400()
    operations.unfollow_theme(_user(), theme)
    db.session.commit()
    flash("You no longer follow this theme.", "success")
    return redirect(url_for("themes.show", theme_id=theme.id))


def _token_or_404(token: str):
    return unsubscribing.read_token(token) or abort(404)


@bp.route("/reports/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token: str):
    """The email's unsubscribe link: no login, one button (a GET changes nothing: link
    scanners fetch links in mail); mail clients' own button POSTs to `one_click`."""
    kind, target = _token_or_404(token)
    form = ButtonForm()
    done = form.validate_on_submit()
    if done:
        unsubscribing.unsubscribe(kind, target)
        db.session.commit()
    return render_template(
        "reports/unsubscribe.html",
        kind=kind,
        email=target.email,
        done=done,
        token=token,
        form=form,
    )


@bp.post("/reports/unsubscribe/<token>/one-click")
@csrf.exempt  # RFC 8058: mail clients POST here; the signed token is the authority
def one_click(token: str):
    kind, target = _token_or_404(token)
    unsubscribing.unsubscribe(kind, target)
    db.session.commit()
    return {"unsubscribed": True}


@bp.post("/reports/unsubscribe/<token>/undo")
def undo(token: str):
    kind, target = _token_or_404(token)
    valid_or_400()
    unsubscribing.resubscribe(kind, target)
    db.session.commit()
    return render_template("reports/resubscribed.html", kind=kind, email=target.email)
