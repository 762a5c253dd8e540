"""Idea, comment and status forms."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from vocportal.forms import one_line
from vocportal.ideas.models import IdeaStatus


class IdeaForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired(), one_line, Length(min=4, max=160)])
    body = TextAreaField("Describe it (Markdown)", validators=[Length(max=10_000)])
    board = SelectField("Board", coerce=int, validators=[DataRequired()])


class CommentForm(FlaskForm):
    body = TextAreaField("Comment", validators=[DataRequired(), Length(max=5_000)])
    official = BooleanField("Official response")


class StatusForm(FlaskForm):
    status = SelectField(
        "Status",
        choices=[SelectChoice(s.value, s.label) for s in IdeaStatus],
        validators=[DataRequired()],
    )
    message = TextAreaField("Message to supporters (Markdown)", validators=[Length(max=10_000)])


class EmptyForm(FlaskForm):
    """A form with nothing but the CSRF token, for buttons that POST."""
