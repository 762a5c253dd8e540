"""Forms of the emailed links: confirm an address, sign in by link, ask for either."""

from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional

from vocportal.security import PASSWORD_MAX


class SignInLinkRequestForm(FlaskForm):
    """Ask for a sign-in link by email."""

    email = StringField("Email", validators=[DataRequired(), Email(), Length(max=254)])


class ConfirmSignupForm(FlaskForm):
    """Finish a sign-up from its emailed link: the password chosen at sign-up, typed again
    (the field is absent when the account already has its password)."""

    password = PasswordField("Your password", validators=[Optional(), Length(max=PASSWORD_MAX)])
