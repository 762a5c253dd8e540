"""Admin forms."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from vocportal.accounts.models import Role


class UserAdminForm(FlaskForm):
    role = SelectField("Role", choices=[SelectChoice(r.value, r.value.capitalize()) for r in Role])
    blocked = BooleanField("Blocked")


class BoardForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=80)])
    description = TextAreaField("Description", validators=[Length(max=2_000)])
    archived = BooleanField("Archived (takes no new ideas)")
    vote_budget = IntegerField(
        "Votes per customer",
        validators=[
            Optional(),
            NumberRange(min=1, max=1000, message="Give between 1 and 1,000 votes, or none."),
        ],
        description="Empty: no limit. With a number, each customer may vote for that many "
        "of this board's open ideas at once; a vote comes back when its idea ships or is "
        "declined.",
    )
