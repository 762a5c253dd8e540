"""Theme forms."""

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length

from vocportal.forms import one_line


class ThemeNameForm(FlaskForm):
    name = StringField(
        "Name (empty: use the automatic label)", validators=[one_line, Length(max=120)]
    )


class ThemeTargetForm(FlaskForm):
    """Pick the theme to merge a theme, or move an item, into (choices: active themes)."""

    target = SelectField("Into theme", coerce=int, validators=[DataRequired()])

    def __init__(self, themes, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.target.choices = [(t.id, f"{t.display_name} (#{t.id})") for t in themes]
