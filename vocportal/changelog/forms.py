"""Changelog forms."""

from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from vocportal.forms import one_line


class EntryForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired(), one_line, Length(max=160)])
    body = TextAreaField("What changed (Markdown)", validators=[Length(max=20_000)])
    ideas = SelectMultipleField("Ideas this ships (they become shipped)", coerce=int)
