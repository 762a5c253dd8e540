"""The bell, its list, email preferences, and one-click unsubscribe from emails."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from vocportal.accounts.models import EmailPref
from vocportal.extensions import csrf, db
from vocportal.ideas import operations as ideas
from vocportal.ideas import support
from vocportal.notifications import bell, preferences
from vocportal.notifications.forms import EmailPrefForm, PostForm
from vocportal.security import safe_next

bp = Blueprint("notifications", __name__)


@bp.app_context_processor
def unread_notifications():
    """The bell's count, for every page a logged-in person sees."""
    if current_user.is_authenticated:
        return {"unread_notifications": bell.unread_count(current_user)}
    return {"unread_notifications": 0}


@bp.get("/notifications")
@login_required
def index():
    page = request.args.get("page", 1, type=int)
    page = min(max(page, 1), 10_000)
    rows, has_next = bell.inbox(current_user, page)
    return render_template(
        "notifications/index.html", rows=rows, page=page, has_next=has_next, form=PostForm()
    )


@bp.post("/notifications/<int:notification_id>/open")
@login_required
def open_one(notification_id: int):
    """Mark one notification read and go where it points."""
    if not PostForm().validate_on_submit():
        abort(400)
    event = bell.mark_read(current_user, notification_id)
    if event is None:
        abort(404)
    db.session.commit()
    return redirect(safe_next(event.link) or url_for("notifications.index"))


@bp.post("/notifications/read")
@login_required
def read_all():
    if not PostForm().validate_on_submit():
        abort(400)
    bell.mark_read(current_user)
    db.session.commit()
    flash("All notifications marked read.", "success")
    return redirect(url_for("notifications.index"))


@bp.route("/notifications/settings", methods=["GET", "POST"])
@login_required
def settings():
    form = EmailPrefForm(email_pref=current_user.email_pref.value)
    if form.validate_on_submit():
        preferences.set_email_pref(current_user, EmailPref(form.email_pref.data))
        db.session.commit()
        flash("Email preference saved.", "success")
        return redirect(url_for("notifications.settings"))
    return render_template("notifications/settings.html", form=form), 400 if form.errors else 200


def _token_or_404(token: str):
    found = preferences.read_unsubscribe_token(token)
    if found is None:
        abort(404)
    return found


def _named(idea) -> bool:
    """Whether an unsubscribe page may name `idea`: whoever holds the token (a forwarded
    email, a shared inbox) sees the page, so only while the idea is public."""
    return idea is not None and ideas.can_see(None, idea)


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token: str):
    """The email's unsubscribe link: no login needed, one button.

    A GET only shows the button (link scanners fetch links in mail, and state never changes
    on GET); mail clients' own one-click button POSTs to `one_click` (RFC 8058)."""
    user, idea = _token_or_404(token)
    form = PostForm()
    if form.validate_on_submit():
        preferences.unsubscribe(user, idea)
        db.session.commit()
        return render_template(
            "notifications/unsubscribed.html",
            user=user,
            idea=idea,
            named=_named(idea),
            token=token,
            form=form,
        )
    return render_template(
        "notifications/unsubscribe.html", user=user, idea=idea, named=_named(idea), form=form
    )


@bp.post("/unsubscribe/<token>/one-click")
@csrf.exempt  # RFC 8058: mail clients POST here; the signed token is the authority
def one_click(token: str):
    user, idea = _token_or_404(token)
    preferences.unsubscribe(user, idea)
    db.session.commit()
    return {"unsubscribed": True}


@bp.post("/unsubscribe/<token>/undo")
def undo_unsubscribe(token: str):
    user, idea = _token_or_404(token)
    if not PostForm().validate_on_submit():
        abort(400)
    if idea is None:
        preferences.set_email_pref(user, EmailPref.immediate)
    else:
        support.follow_again(user, idea)
    db.session.commit()
    return render_template("notifications/resubscribed.html", idea=idea, named=_named(idea))


@bp.post("/unsubscribe/<token>/all")
def unsubscribe_all(token: str):
    """From an idea's unsubscribe page: stop every notification email."""
    user, _idea = _token_or_404(token)
    if not PostForm().validate_on_submit():
        abort(400)
    preferences.set_email_pref(user, EmailPref.never)
    db.session.commit()
    return render_template(
        "notifications/unsubscribed.html", user=user, idea=None, token=None, form=PostForm()
    )
