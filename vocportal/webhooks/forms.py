"""Webhook forms."""

from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from vocportal.webhooks.models import WebhookEvent, WebhookFormat

EVENT_LABELS = {
    WebhookEvent.idea_created: "An idea is posted",
    WebhookEvent.status_changed: "An idea's status changes",
    WebhookEvent.feedback_created: "Feedback arrives",
    WebhookEvent.comment_created: "Someone comments",
    WebhookEvent.theme_alert: "A theme alert (a theme is rising)",
    WebhookEvent.answer_received: "A customer answers a question",
    WebhookEvent.weekly_report: "The weekly voice-of-customer report is ready",
}

FORMAT_LABELS = {
    WebhookFormat.json: "JSON (signed, for your own code)",
    WebhookFormat.slack: "Slack (incoming webhook)",
    WebhookFormat.teams: "Microsoft Teams (incoming webhook or workflow)",
    WebhookFormat.discord: "Discord (webhook)",
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
    format = RadioField(
        "Message format",
        choices=[SelectChoice(f.value, FORMAT_LABELS[f]) for f in WebhookFormat],
        default=WebhookFormat.json.value,
        validators=[DataRequired(message="Choose a format.")],
    )
    #: Choices are the boards, set by the view; none ticked: every board.
    boards = SelectMultipleField(
        "Boards",
        coerce=int,
        choices=[],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )


class ActiveForm(FlaskForm):
    """Turn an endpoint on ("1") or off ("0")."""

    active = HiddenField(validators=[AnyOf(["0", "1"])])
