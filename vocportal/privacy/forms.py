"""Privacy forms; each lists its fields, nothing else reaches a model."""

from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length, Optional

from vocportal.security import PASSWORD_MAX


class DeleteAccountForm(FlaskForm):
    """A person deletes their own account: their address typed out, and proof it is them."""

    confirm_email = StringField(
        "Type your email address to confirm",
        validators=[DataRequired(), Length(max=254)],
        render_kw={"autocomplete": "off", "autocapitalize": "off", "spellcheck": "false"},
    )
    password = PasswordField(
        "Your password",
        validators=[Optional(), Length(max=PASSWORD_MAX)],
        render_kw={"autocomplete": "current-password"},
    )
    code = StringField(
        "Code from your authenticator app (or a recovery code)",
        validators=[Optional(), Length(max=40)],
        render_kw={"autocomplete": "one-time-code", "autocapitalize": "off", "spellcheck": "false"},
    )


class EraseForm(FlaskForm):
    """An admin erases someone: their address typed out, so the wrong row is not erased."""

    confirm_email = StringField(
        "Type the person's email address to confirm",
        validators=[DataRequired(), Length(max=254)],
        render_kw={"autocomplete": "off", "autocapitalize": "off", "spellcheck": "false"},
    )
