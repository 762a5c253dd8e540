"""Helpers shared by every feature's views."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask_wtf import FlaskForm
from wtforms import Field
from wtforms.validators import ValidationError

from vocportal.errors import OperationError
from vocportal.extensions import db
from vocportal.text import single_line_error

T = TypeVar("T")


def one_line(form: FlaskForm, field: Field) -> None:
    """Validator for titles and names: refuse line breaks and control characters (such
    text ends up in email subjects and headers)."""
    error = single_line_error(field.data or "")
    if error:
        raise ValidationError(error)


def attach_error(form: FlaskForm, error: OperationError) -> None:
    """Show an operation's refusal next to the field it concerns (or above the form)."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)


def commit_or_show(form: FlaskForm, operation: Callable[[], T]) -> tuple[bool, T | None]:
    """Run an operation for a submitted form, and commit: the request's one commit.

    If a rule refuses it, roll back, show the reason on the form and return (False, None).
    """
    try:
        result = operation()
    except OperationError as error:
        db.session.rollback()
        attach_error(form, error)
        return False, None
    db.session.commit()
    return True, result
