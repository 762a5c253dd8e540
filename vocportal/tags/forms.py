"""Tag and field forms, and the new-idea form's questions built from a board's fields."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    Field,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, StopValidation

from vocportal.forms import one_line
from vocportal.tags.fields import MAX_LABEL, field_name, parse_answer
from vocportal.tags.models import BoardField, FieldKind
from vocportal.web import bounded_int


class TagForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), one_line, Length(max=40)])
    colour = StringField("Colour", default="#2563eb", render_kw={"type": "color"})
    public = BooleanField("Public: customers see it and can filter by it")


class BoardFieldForm(FlaskForm):
    label = StringField("Label", validators=[DataRequired(), one_line, Length(max=MAX_LABEL)])
    kind = SelectField(
        "Type", choices=[SelectChoice(k.value, k.label) for k in FieldKind], default="text"
    )
    choices = TextAreaField(
        "Choices (single or multiple choice: one per line)", validators=[Length(max=5_000)]
    )
    required = BooleanField("Required")
    public = BooleanField("Shown to customers (unticked: staff only)", default=True)


def _row_id(value) -> int:
    return bounded_int(value, min=1)  # a larger number is no id: a form error


class _BulkTags:
    tags = SelectMultipleField("Tags", coerce=_row_id, validate_choice=False)
    #: "add" or "remove".
    action = SelectField(
        "Action",
        choices=[SelectChoice("add", "Add tags"), SelectChoice("remove", "Remove tags")],
        default="add",
    )
    next = HiddenField()


class TagIdeasForm(_BulkTags, FlaskForm):
    """Bulk tagging from the staff inbox: its bulk form's ticked `ideas` get (or lose) the
    chosen tags (the staff inbox's tag button submits that same form here)."""

    ideas = SelectMultipleField("Ideas", coerce=_row_id, validate_choice=False)


class TagFeedbackForm(_BulkTags, FlaskForm):
    """Bulk tagging from the feedback list: the ticked `items`."""

    items = SelectMultipleField("Feedback items", coerce=_row_id, validate_choice=False)


class IdeaTagsForm(FlaskForm):
    """An idea's tags, set on its page by staff."""

    tags = SelectMultipleField(
        "Tags",
        coerce=_row_id,
        validate_choice=False,
        widget=widgets.ListWidget(prefix_label=False),
        option_widget=widgets.CheckboxInput(),
    )


class _Answer:
    """Check one field's answer when its board is the one chosen on the form (other
    boards' questions are not asked)."""

    def __init__(self, definition: BoardField):
        self.definition = definition
        self.field_flags = {"required": definition.required}

    def __call__(self, form, field):
        chosen = getattr(form, "board", None)
        if chosen is not None and chosen.data != self.definition.board_id:
            raise StopValidation()
        try:
            parse_answer(self.definition, field.data)
        except ValueError as error:
            raise StopValidation(str(error)) from None


def answer_field(definition: BoardField) -> Field:
    """The WTForms field that asks `definition` (text kept as typed, checked by `_Answer`)."""
    validators = [_Answer(definition)]
    label = definition.label
    kind = definition.kind
    if kind is FieldKind.multiple:
        return SelectMultipleField(
            label,
            choices=[SelectChoice(c, c) for c in definition.choices],
            validate_choice=False,
            validators=validators,
            widget=widgets.ListWidget(prefix_label=False),
            option_widget=widgets.CheckboxInput(),
        )
    if kind is FieldKind.single:
        return SelectField(
            label,
            choices=[SelectChoice("", "Choose…")]
            + [SelectChoice(c, c) for c in definition.choices],
            validate_choice=False,
            validators=validators,
        )
    render_kw = {
        FieldKind.number: {"inputmode": "decimal"},
        FieldKind.date: {"type": "date"},
    }.get(kind, {"maxlength": 2000})
    return StringField(label, validators=validators, render_kw=render_kw)


def with_answers(form_class: type[FlaskForm], definitions: list[BoardField]) -> type[FlaskForm]:
    """`form_class` plus one field per definition (named `field_<id>`)."""
    attrs = {field_name(d): answer_field(d) for d in definitions}
    return type(form_class.__name__, (form_class,), attrs)


def answers(form: FlaskForm, definitions: list[BoardField]) -> dict[int, object]:
    """The submitted answers by field id."""
    return {d.id: form[field_name(d)].data for d in definitions}
