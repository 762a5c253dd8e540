"""Weekly report forms; each lists its fields."""

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length


class SubscribeForm(FlaskForm):
    email = StringField("Subscribe an address", validators=[DataRequired(), Length(max=320)])
