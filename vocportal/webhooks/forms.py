"""Webhook forms."""

from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from vocportal.webhooks.models import WebhookEvent

EVENT_LABELS = {
    WebhookEvent.idea_created: "An idea is posted",
    WebhookEvent.status_changed: "An idea's status changes",
    WebhookEvent.feedback_created: "Feedback arrives",
    WebhookEvent.comment_created: "Someone comments",
}


class EndpointForm(FlaskForm):
    url = StringField(
        "Payload URL",
        validators=[DataRequired(message="Enter the URL to send events to."), Length(max=500)],
    )
    events = SelectMultipleField(
        "Events",
        choices=[SelectChoice(e.value, f"{EVENT_LABELS[e]} ({e.value})") for e in WebhookEvent],
        validators=[DataRequired(message="Choose at least one event.")],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )


class ActiveForm(FlaskForm):
    """Turn an endpoint on ("1") or off ("0")."""

    active = HiddenField(validators=[AnyOf(["0", "1"])])
