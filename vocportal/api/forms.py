"""The token form; it lists its fields, nothing else reaches a token."""

from flask_wtf import FlaskForm
from wtforms import RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length


class TokenForm(FlaskForm):
    name = StringField("Name (what it is for)", validators=[DataRequired(), Length(max=80)])
    scope = RadioField(
        "Access",
        choices=[
            SelectChoice("read", "Read: list and read what you can see"),
            SelectChoice("write", "Read and write: also post ideas, vote and comment as you"),
        ],
        default="read",
        validators=[DataRequired()],
    )
