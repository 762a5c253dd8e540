"""Changelog forms."""

from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length


class EntryForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=160)])
    body = TextAreaField("What changed (Markdown)", validators=[Length(max=20_000)])
    ideas = SelectMultipleField("Ideas this ships (they become shipped)", coerce=int)
