"""Notification forms."""

from flask_wtf import FlaskForm
from wtforms import RadioField
from wtforms.fields.choices import SelectChoice

from vocportal.accounts.models import EmailPref


class EmailPrefForm(FlaskForm):
    email_pref = RadioField(
        "Notification emails",
        choices=[SelectChoice(p.value, p.label) for p in EmailPref],
        default=EmailPref.immediate.value,
    )


class PostForm(FlaskForm):
    """A button that changes something: only the CSRF token."""
