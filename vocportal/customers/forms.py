"""Company and segment forms."""

from flask_wtf import FlaskForm
from wtforms import FloatField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional


class CompanyForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=160)])
    plan = StringField("Plan", validators=[Optional(), Length(max=60)])
    tier = StringField("Tier", validators=[Optional(), Length(max=60)])
    monthly_revenue = FloatField(
        "Monthly revenue", validators=[Optional(), NumberRange(min=0, max=1e12)]
    )
    external_id = StringField("Id in your CRM", validators=[Optional(), Length(max=120)])
    attributes = TextAreaField(
        "Other attributes (one key=value per line)", validators=[Optional(), Length(max=5_000)]
    )


class SegmentForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=80)])
    weight = FloatField("Weight", default=1.0, validators=[DataRequired(), NumberRange(0, 1000)])
    plan = StringField("Plan is", validators=[Optional(), Length(max=60)])
    tier = StringField("Tier is", validators=[Optional(), Length(max=60)])
    min_revenue = FloatField("Revenue at least", validators=[Optional(), NumberRange(min=0)])
    max_revenue = FloatField("Revenue below", validators=[Optional(), NumberRange(min=0)])
    position = IntegerField("Order", default=0, validators=[Optional(), NumberRange(0, 10_000)])


class PersonCompanyForm(FlaskForm):
    company = SelectField("Company", coerce=int)
