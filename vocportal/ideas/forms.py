"""Idea, comment and status forms."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange

from vocportal.errors import OperationError
from vocportal.extensions import db
from vocportal.forms import one_line
from vocportal.ideas.models import Idea, IdeaStatus
from vocportal.spamtraps import SpamTraps
from vocportal.web import INT32_MAX


class IdeaForm(SpamTraps, FlaskForm):
    title = StringField("Title", validators=[DataRequired(), one_line, Length(min=4, max=160)])
    body = TextAreaField("Describe it (Markdown)", validators=[Length(max=10_000)])
    board = SelectField("Board", coerce=int, validators=[DataRequired()])


class CommentForm(SpamTraps, FlaskForm):
    body = TextAreaField("Comment", validators=[DataRequired(), Length(max=5_000)])
    official = BooleanField("Official response")


class StatusForm(FlaskForm):
    status = SelectField(
        "Status",
        choices=[SelectChoice(s.value, s.label) for s in IdeaStatus],
        validators=[DataRequired()],
    )
    message = TextAreaField("Message to supporters (Markdown)", validators=[Length(max=10_000)])


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
