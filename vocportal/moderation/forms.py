"""The staff queue's forms (the spam traps posting forms carry are in vocportal.spamtraps)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length


class RejectForm(FlaskForm):
    reason = TextAreaField(
        "Why (its author reads this)", validators=[DataRequired(), Length(max=2_000)]
    )
