"""Theme forms."""

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import Length


class ThemeNameForm(FlaskForm):
    name = StringField("Name (empty: use the automatic label)", validators=[Length(max=120)])
