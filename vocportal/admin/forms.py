"""Admin forms."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from vocportal.accounts.models import Role


class UserAdminForm(FlaskForm):
    role = SelectField("Role", choices=[SelectChoice(r.value, r.value.capitalize()) for r in Role])
    blocked = BooleanField("Blocked")


class BoardForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=80)])
    description = TextAreaField("Description", validators=[Length(max=2_000)])
    archived = BooleanField("Archived (takes no new ideas)")
