"""The spam traps posting forms carry, and the staff queue's forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from vocportal.moderation.spam import SpamSignals, new_stamp, read_signals


class SpamTraps:
    """Mixed into a posting form (before FlaskForm): a honeypot and the signed time the
    form was shown. Templates render both with `moderation/_traps.html`."""

    #: People never see it (the `.trap` class moves it off-screen: no inline style under
    #: the CSP; aria-hidden and out of the tab order); bots filling every field fill it.
    homepage = StringField("Leave this field empty")
    #: A signed timestamp of when the form was shown (kept when the form comes back with
    #: an error, so fixing a typo does not look like a fast bot).
    started = HiddenField()

    def form_stamp(self) -> str:
        return self.started.data or new_stamp()

    def spam_signals(self, text: str) -> SpamSignals:
        return read_signals(self.homepage.data, self.started.data, text)


class RejectForm(FlaskForm):
    reason = TextAreaField(
        "Why (its author reads this)", validators=[DataRequired(), Length(max=2_000)]
    )
