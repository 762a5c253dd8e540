"""Company and segment forms."""

from __future__ import annotations

import json
import math

from flask import abort
from flask_wtf import FlaskForm
from wtforms import FloatField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from vocportal.customers import operations
from vocportal.customers.models import Segment
from vocportal.extensions import db
from vocportal.web import int_arg


def segment_arg() -> Segment | None:
    """The segment a staff list is filtered by (?segment=ID); None for 0 or none (every
    segment), a 404 for an id no segment has."""
    value = int_arg("segment", min=0, status=404)
    if not value:
        return None
    return db.session.get(Segment, value) or abort(404)


def segment_filter(segment: Segment | None) -> dict:
    """What a page with the segment filter renders it from: every segment, and the chosen
    one (templates/customers/_segment_filter.html)."""
    return {"segments": operations.segments(), "segment": segment}


def format_attributes(attributes: dict | None) -> str:
    """A company's attributes as the form's text: one `key=value` per line.

    A key or value that would not read back as itself (a line break, spaces at either end,
    an `=` in a key, a leading quote, an empty key) is written as a JSON string, so saving
    the unchanged text stores the same attributes.
    """

    def part(text: str, *, key: bool) -> str:
        plain = (
            text == text.strip()
            and "\n" not in text
            and "\r" not in text
            and not text.startswith('"')
            and not (key and ("=" in text or not text))
        )
        return text if plain else json.dumps(text, ensure_ascii=False)

    return "\n".join(
        f"{part(str(k), key=True)}={part(str(v), key=False)}" for k, v in (attributes or {}).items()
    )


def _unquote(text: str) -> str:
    if text.startswith('"'):
        try:
            value = json.loads(text)
        except ValueError:
            return text
        if isinstance(value, str):
            return value
    return text


def parse_attributes(text: str | None) -> dict[str, str]:
    """Read the form's attribute text (the format of `format_attributes`); lines without
    `=` are ignored."""
    pairs: dict[str, str] = {}
    for line in (text or "").splitlines():
        line = line.strip()
        if line.startswith('"'):  # a quoted key: it ends where its JSON string does
            try:
                key, end = json.JSONDecoder().raw_decode(line)
            except ValueError:
                key, end = None, 0
            rest = line[end:].lstrip()
            if isinstance(key, str) and rest.startswith("="):
                pairs[key] = _unquote(rest[1:].strip())
                continue
        if "=" in line:
            key, value = line.split("=", 1)
            if key.strip():
                pairs[key.strip()] = _unquote(value.strip())
    return pairs


class Finite:
    """A number field's value, if any, must be finite: NumberRange with no upper bound
    lets "inf" and "1e400" through."""

    def __call__(self, form, field) -> None:
        if field.data is not None and not math.isfinite(field.data):
            raise ValidationError("Give a finite number.")


class CompanyForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=160)])
    plan = StringField("Plan", validators=[Optional(), Length(max=60)])
    tier = StringField("Tier", validators=[Optional(), Length(max=60)])
    monthly_revenue = FloatField(
        "Monthly revenue", validators=[Optional(), NumberRange(min=0, max=1e12)]
    )
    external_id = StringField("Id in your CRM", validators=[Optional(), Length(max=120)])
    attributes = TextAreaField(
        "Other attributes (one key=value per line)", validators=[Optional(), Length(max=100_000)]
    )


class SegmentForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=80)])
    weight = FloatField("Weight", default=1.0, validators=[DataRequired(), NumberRange(0, 1000)])
    plan = StringField("Plan is", validators=[Optional(), Length(max=60)])
    tier = StringField("Tier is", validators=[Optional(), Length(max=60)])
    min_revenue = FloatField(
        "Revenue at least", validators=[Optional(), Finite(), NumberRange(min=0)]
    )
    max_revenue = FloatField("Revenue below", validators=[Optional(), Finite(), NumberRange(min=0)])
    position = IntegerField("Order", default=0, validators=[Optional(), NumberRange(0, 10_000)])


class PersonCompanyForm(FlaskForm):
    company = SelectField("Company", coerce=int)
