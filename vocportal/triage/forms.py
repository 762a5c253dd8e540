"""Triage forms; each lists its fields."""

from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, SelectMultipleField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from vocportal.ideas import statuses
from vocportal.ideas.forms import idea_number_field
from vocportal.ideas.models import IdeaStatus
from vocportal.web import bounded_int


class OwnerForm(FlaskForm):
    owner = SelectField("Owner", coerce=int)
    next = HiddenField()


class NoteForm(FlaskForm):
    body = TextAreaField(
        "Internal note (staff only, Markdown)", validators=[DataRequired(), Length(max=10_000)]
    )
    next = HiddenField()


class DuplicateForm(FlaskForm):
    target = idea_number_field("Duplicate of idea number", "Give the number of the original idea.")
    message = TextAreaField("Message to its supporters (Markdown)", validators=[Length(max=10_000)])
    next = HiddenField()


def _idea_id(value) -> int:
    return bounded_int(value, min=1)  # a larger number is no idea id: a form error


class BulkStatusForm(FlaskForm):
    ideas = SelectMultipleField(
        "Ideas",
        coerce=_idea_id,
        validate_choice=False,
        # InputRequired, not DataRequired: that would replace "could not be coerced" (an id
        # no idea can have) with this message.
        validators=[InputRequired(message="Choose at least one idea.")],
    )
    #: A custom status by id, or a kind by value (`vocportal.ideas.statuses.choices`).
    status = SelectField("New status", validate_choice=False, validators=[DataRequired()])
    message = TextAreaField("Message to supporters (Markdown)", validators=[Length(max=10_000)])
    next = HiddenField()
    #: Empty: show what would change and who would be told; "1" (from that page): do it.
    confirm = HiddenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.status.choices = [
            SelectChoice(value, label, optgroup=group)
            for group, options in statuses.choices(include_duplicate=False).items()
            for value, label in options
        ]

    def validate_status(self, field) -> None:
        chosen = statuses.parse_choice(field.data)
        if chosen is None or chosen[0] is IdeaStatus.duplicate:
            raise ValidationError("Not a valid choice.")

    def chosen(self) -> tuple[IdeaStatus, int | None]:
        """The kind and custom status id chosen (after validation)."""
        return statuses.parse_choice(self.status.data)


class PostForm(FlaskForm):
    """A button: only the CSRF token (and where to go back to)."""

    next = HiddenField()
