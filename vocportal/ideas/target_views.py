"""Staff set an idea's expected month or quarter (`vocportal.ideas.targets`)."""

from __future__ import annotations

from flask_login import login_required

from vocportal.forms import commit_or_show
from vocportal.ideas import targets
from vocportal.ideas.blueprint import back_to, bp, current_person, flash_at
from vocportal.ideas.forms import CommentForm, StatusForm, TargetForm


@bp.app_template_global("target_form_for")
def target_form_for(idea) -> TargetForm:
    """A fresh expected-date form for the staff panel of `idea`'s page."""
    return TargetForm(formdata=None, period=idea.target_period or "")


@bp.post("/ideas/<int:idea_id>/target")
@login_required
def set_target(idea_id: int):
    from vocportal.ideas import statuses
    from vocportal.ideas.views import _idea_or_404, _render_idea

    idea = _idea_or_404(idea_id)
    form = TargetForm()
    if form.validate_on_submit():
        ok, _ = commit_or_show(
            form,
            lambda: targets.set_target(
                current_person(), idea, form.period.data, form.note.data or ""
            ),
        )
        if ok:
            said = targets.label(idea.target_period)
            flash_at("target-panel", f"Expected {said}." if said else "Expected date removed.")
            return back_to(idea.id, "target-panel")
    status_form = StatusForm(formdata=None, status=statuses.choice_of(idea))
    return _render_idea(idea, CommentForm(formdata=None), status_form, 400, target_form=form)
