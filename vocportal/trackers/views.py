"""Tracker webhooks (public, verified per tracker), an idea's linked issues (staff) and the
tracker settings (admins)."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, jsonify, render_template, request, url_for
from flask_login import current_user

from vocportal.extensions import csrf, db, limiter
from vocportal.forms import commit_and_go, submitted, valid_or_400
from vocportal.ideas.models import Idea, IdeaStatus
from vocportal.permissions import admin_required, staff_required
from vocportal.trackers import operations as ops
from vocportal.trackers import providers
from vocportal.trackers.forms import NO_MOVE, LinkForm, MappingForm
from vocportal.trackers.models import IssueState, Tracker, TrackerLink

bp = Blueprint("trackers", __name__)


@bp.post("/hooks/trackers/<name>")
@csrf.exempt
@limiter.limit(lambda: current_app.config["LIMIT_TRACKER_HOOK"])
def hook(name: str):
    """A tracker's webhook: GitHub, GitLab, Jira or Linear, each verified as it documents."""
    try:
        tracker = Tracker(name)
    except ValueError:
        return jsonify(error="No such tracker: use github, gitlab, jira or linear."), 404
    outcome = ops.receive(tracker, request.headers, request.get_data(cache=False))
    if outcome.status == 200:
        db.session.commit()
    else:
        db.session.rollback()
    return jsonify(outcome.body), outcome.status


def _idea_or_404(idea_id: int) -> Idea:
    return db.session.get(Idea, idea_id) or abort(404)


def _issues_page(idea: Idea, form: LinkForm, status: int = 200):
    return render_template(
        "trackers/issues.html",
        idea=idea,
        links=ops.links_of(idea),
        form=form,
        remove_form=LinkForm(formdata=None),
        configured=_configured(),
    ), status


@bp.route("/staff/ideas/<int:idea_id>/issues", methods=["GET", "POST"])
@staff_required
def issues(idea_id: int):
    """An idea's linked tracker issues, and the form that links one."""
    idea = _idea_or_404(idea_id)
    form = LinkForm()
    done = submitted(
        form,
        lambda: ops.link_issue(current_user._get_current_object(), idea, form.url.data),
        lambda link: f"Linked {link.tracker.label} issue {link.issue_key}.",
        url_for("trackers.issues", idea_id=idea.id),
    )
    if done is not None:
        return done
    return _issues_page(idea, form, 400 if form.errors else 200)


@bp.post("/staff/ideas/<int:idea_id>/issues/<int:link_id>/remove")
@staff_required
def remove(idea_id: int, link_id: int):
    valid_or_400()
    link = db.session.get(TrackerLink, link_id)
    if link is None or link.idea_id != idea_id:
        abort(404)
    ops.unlink_issue(current_user._get_current_object(), link)
    return commit_and_go(
        f"Unlinked {link.tracker.label} issue {link.issue_key}.",
        url_for("trackers.issues", idea_id=idea_id),
    )


def _configured() -> dict[Tracker, dict]:
    config = current_app.config
    return {
        t: {
            "secret": bool(config[ops.SECRET_SETTING[t]]),
            "token": providers.token_configured(t, config),
            "hook": url_for("trackers.hook", name=t.value, _external=True),
        }
        for t in Tracker
    }


@bp.route("/admin/trackers", methods=["GET", "POST"])
@admin_required
def settings():
    """Which trackers are set up, where their webhooks point, and the state mapping."""
    current = ops.mapping()
    form = MappingForm(data={s.value: (v.value if v else NO_MOVE) for s, v in current.items()})
    done = submitted(
        form,
        lambda: ops.set_mapping(
            current_user._get_current_object(),
            {s: IdeaStatus(form[s.value].data) if form[s.value].data else None for s in IssueState},
        ),
        "Tracker mapping saved.",
        url_for("trackers.settings"),
    )
    if done is not None:
        return done
    return render_template(
        "trackers/settings.html",
        form=form,
        configured=_configured(),
        deliveries=ops.recent_deliveries(),
        states=list(IssueState),
    ), 400 if form.errors else 200
