"""Account forms; each lists its fields, nothing else reaches a model."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from vocportal.forms import one_line
from vocportal.security import PASSWORD_MAX, PASSWORD_MIN

_password = [
    DataRequired(),
    Length(
        min=PASSWORD_MIN,
        max=PASSWORD_MAX,
        message=f"Use at least {PASSWORD_MIN} characters (and at most {PASSWORD_MAX}).",
    ),
]


class SignupForm(FlaskForm):
    email = StringField("Email", validators=[DataRequired(), Email(), Length(max=254)])
    display_name = StringField(
        "Display name", validators=[DataRequired(), Length(max=80), one_line]
    )
    password = PasswordField("Password", validators=_password)


class LoginForm(FlaskForm):
    email = StringField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=PASSWORD_MAX)])
    remember = BooleanField("Keep me logged in")


class ForgotPasswordForm(FlaskForm):
    email = StringField("Email", validators=[DataRequired(), Email(), Length(max=254)])


class ResetPasswordForm(FlaskForm):
    password = PasswordField("New password", validators=_password)
    confirm = PasswordField(
        "Repeat the new password",
        validators=[DataRequired(), EqualTo("password", message="The passwords differ.")],
    )


class ProfileForm(FlaskForm):
    display_name = StringField(
        "Display name", validators=[DataRequired(), Length(max=80), one_line]
    )


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField("Current password", validators=[DataRequired()])
    password = PasswordField("New password", validators=_password)


class CodeForm(FlaskForm):
    """A code from the authenticator app (six digits) or a recovery code."""

    code = StringField(
        "Code",
        validators=[DataRequired(), Length(max=40)],
        render_kw={"autocomplete": "one-time-code", "autocapitalize": "off", "spellcheck": "false"},
    )
