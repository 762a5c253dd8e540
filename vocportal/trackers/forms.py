"""Issue-tracker forms: link an issue, map issue states to idea statuses."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from vocportal.trackers.models import IssueState
from vocportal.trackers.operations import MAPPABLE


class LinkForm(FlaskForm):
    url = StringField(
        "Issue address",
        validators=[DataRequired(message="Paste the issue's address."), Length(max=500)],
        render_kw={"placeholder": "https://github.com/acme/app/issues/12", "inputmode": "url"},
    )


#: What a state's select offers: no move, or a status.
NO_MOVE = ""


def _status_choices() -> list[SelectChoice]:
    return [
        SelectChoice(NO_MOVE, "Move nothing"),
        *(SelectChoice(s.value, s.label) for s in MAPPABLE),
    ]


class MappingForm(FlaskForm):
    """One select per issue state (fields named by the state's value)."""


for _state in IssueState:
    setattr(
        MappingForm,
        _state.value,
        SelectField(f"When an issue is {_state.label}", choices=_status_choices()),
    )
