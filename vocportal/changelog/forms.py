"""Changelog forms."""

from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from vocportal.forms import one_line


class EntryForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired(), one_line, Length(max=160)])
    body = TextAreaField("What changed (Markdown)", validators=[Length(max=20_000)])
    #: Ticked in a list of checkboxes (templates/changelog/new.html renders each row with the
    #: idea's status and votes, and static/js/changelog.js filters it as you type).
    ideas = SelectMultipleField(
        "Ideas this ships (they become shipped)",
        coerce=int,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
