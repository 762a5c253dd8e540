"""Helpers shared by every feature's views."""

from __future__ import annotations

from flask_wtf import FlaskForm

from vocportal.errors import OperationError


def attach_error(form: FlaskForm, error: OperationError) -> None:
    """Show an operation's refusal next to the field it concerns (or above the form)."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)
