"""Feedback forms."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import EmailField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional

from vocportal.ideas.forms import idea_number_field


class FeedbackForm(FlaskForm):
    """Staff type in feedback heard elsewhere (a call, a meeting)."""

    text = TextAreaField("What the customer said", validators=[DataRequired(), Length(max=20_000)])
    email = EmailField("Customer email", validators=[DataRequired(), Email(), Length(max=254)])
    name = StringField("Customer name", validators=[Optional(), Length(max=80)])
    company = StringField("Company", validators=[Optional(), Length(max=160)])


class LinkForm(FlaskForm):
    idea = idea_number_field("Link to idea number", "Give the number of the idea.")


class UploadForm(FlaskForm):
    file = FileField(
        "CSV file",
        validators=[
            FileRequired("Choose a CSV file."),
            FileAllowed(["csv"], "Upload a .csv file."),
        ],
    )
