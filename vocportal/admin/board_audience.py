"""Admin page: who may see a board (private boards: `vocportal.ideas.board_access`)."""

from __future__ import annotations

from flask import abort, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import RadioField, SelectMultipleField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from vocportal.admin.views import bp
from vocportal.audit import operations as audit_ops
from vocportal.companies.models import Company, Segment
from vocportal.extensions import db
from vocportal.forms import submitted
from vocportal.ideas import board_access
from vocportal.ideas.models import Board, BoardAudience
from vocportal.permissions import admin_required

#: Companies offered as choices (the rest are reached through segments).
MAX_COMPANIES = 500


def _ticks(label: str) -> SelectMultipleField:
    return SelectMultipleField(
        label,
        coerce=int,
        choices=[],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )


class AudienceForm(FlaskForm):
    audience = RadioField(
        "Who sees this board and its ideas",
        choices=[SelectChoice(a.value, a.label) for a in BoardAudience],
        validators=[DataRequired(message="Choose who sees the board.")],
    )
    segments = _ticks("Segments")
    companies = _ticks("Companies")
    domains = TextAreaField(
        "Email domains",
        validators=[Length(max=4_000)],
        description="One per line, e.g. example.com. Only verified addresses count.",
    )


def _form(board: Board) -> AudienceForm:
    form = AudienceForm(
        audience=board.audience.value,
        segments=board.audience_segment_ids,
        companies=board.audience_company_ids,
        domains="\n".join(board.audience_domains),
    )
    form.segments.choices = [
        SelectChoice(s.id, s.name)
        for s in db.session.scalars(select(Segment).order_by(Segment.position, Segment.id))
    ]
    chosen = set(board.audience_company_ids)
    companies = db.session.scalars(
        select(Company).order_by(Company.id.in_(chosen).desc(), Company.name).limit(MAX_COMPANIES)
    )
    form.companies.choices = [SelectChoice(c.id, c.name) for c in companies]
    return form


def _save(board: Board, form: AudienceForm) -> Board:
    actor = current_user._get_current_object()
    board_access.set_audience(
        actor,
        board,
        BoardAudience(form.audience.data),
        segment_ids=form.segments.data or [],
        company_ids=form.companies.data or [],
        domains=board_access.parse_domains(form.domains.data or ""),
    )
    audit_ops.record(
        actor,
        "settings.changed",
        target_type="board",
        target_id=board.id,
        summary=f"Board {board.name} is seen by: {board_access.describe(board)}",
        details={
            "audience": board.audience.value,
            "segment_ids": board.audience_segment_ids,
            "company_ids": board.audience_company_ids,
            "domains": board.audience_domains,
        },
    )
    return board


@bp.route("/boards/<int:board_id>/audience", methods=["GET", "POST"])
@admin_required
def board_audience(board_id: int):
    board = db.session.get(Board, board_id) or abort(404)
    form = _form(board)
    done = submitted(
        form,
        lambda: _save(board, form),
        lambda b: f"Board {b.name} is seen by: {board_access.describe(b)}.",
        url_for("admin.boards"),
    )
    if done:
        return done
    return render_template("admin/board_audience.html", form=form, board=board), (
        400 if form.errors else 200
    )


@bp.context_processor
def _audience_words():
    """`audience_of(board)` on the admin pages: who sees a board, in words."""
    return {"audience_of": board_access.describe}
