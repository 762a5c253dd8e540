"""Question forms; each lists its fields."""

from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from vocportal.questions.models import Addressees
from vocportal.questions.operations import MAX_LENGTH


class AskForm(FlaskForm):
    body = TextAreaField(
        "Your question (Markdown)",
        validators=[DataRequired(message="Write the question first."), Length(max=MAX_LENGTH)],
    )
    addressees = RadioField(
        "Ask",
        choices=[SelectChoice(a.value, a.label) for a in Addressees],
        default=Addressees.author.value,
        validators=[DataRequired()],
    )
    next = HiddenField()


class AnswerForm(FlaskForm):
    body = TextAreaField(
        "Your answer",
        validators=[DataRequired(message="Write your answer first."), Length(max=MAX_LENGTH)],
    )
    next = HiddenField()
