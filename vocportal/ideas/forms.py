"""Idea, comment and status forms."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, ValidationError

from vocportal.errors import OperationError
from vocportal.extensions import db
from vocportal.forms import one_line
from vocportal.ideas import statuses, targets
from vocportal.ideas.models import Idea, IdeaStatus
from vocportal.spamtraps import SpamTraps
from vocportal.timeutil import utcnow
from vocportal.web import INT32_MAX


class IdeaForm(SpamTraps, FlaskForm):
    title = StringField("Title", validators=[DataRequired(), one_line, Length(min=4, max=160)])
    body = TextAreaField("Describe it (Markdown)", validators=[Length(max=10_000)])
    board = SelectField("Board", coerce=int, validators=[DataRequired()])


class CommentForm(SpamTraps, FlaskForm):
    body = TextAreaField("Comment", validators=[DataRequired(), Length(max=5_000)])
    official = BooleanField("Official response")


class StatusForm(FlaskForm):
    #: A custom status by id, or a built-in kind by value (its default status).
    status = SelectField("Status", validate_choice=False, validators=[DataRequired()])
    message = TextAreaField("Message to supporters (Markdown)", validators=[Length(max=10_000)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.status.choices = [
            SelectChoice(value, label, optgroup=group)
            for group, options in statuses.choices().items()
            for value, label in options
        ]

    def validate_status(self, field) -> None:
        if statuses.parse_choice(field.data) is None:
            raise ValidationError("Choose one of the statuses.")

    def chosen(self) -> tuple[IdeaStatus, int | None]:
        """The kind and custom status id chosen (after validation)."""
        return statuses.parse_choice(self.status.data)


class TargetForm(FlaskForm):
    """Staff: the expected month or quarter of a planned or in-progress idea."""

    period = SelectField("Expected", validate_choice=False)
    note = TextAreaField("Note to supporters (Markdown, optional)", validators=[Length(max=2_000)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        periods = targets.choices(utcnow().date(), self.period.data)
        self.period.choices = [SelectChoice(value, label) for value, label in periods]

    def validate_period(self, field) -> None:
        if field.data and not targets.valid(field.data):
            raise ValidationError("Choose a month or a quarter.")


def idea_number_field(label: str, missing: str) -> IntegerField:
    """A field for an idea's number (an id an INTEGER column can hold)."""
    return IntegerField(
        label, validators=[DataRequired(message=missing), NumberRange(min=1, max=INT32_MAX)]
    )


def idea_numbered(field: IntegerField) -> Idea:
    """The idea whose number `field` holds; an OperationError on that field if none has it."""
    idea = db.session.get(Idea, field.data)
    if idea is None:
        raise OperationError(f"There is no idea #{field.data}.", field=field.name)
    return idea
