"""Helpers shared by every feature's views."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import abort, flash, redirect
from flask_wtf import FlaskForm
from wtforms import Field
from wtforms.validators import ValidationError

from vocportal.errors import OperationError
from vocportal.extensions import db
from vocportal.text import single_line_error

T = TypeVar("T")


class ButtonForm(FlaskForm):
    """A form that is only a button (and its CSRF token): state changes on POST, never GET."""


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


def field_values(form: FlaskForm, *names: str) -> dict:
    """The named fields' values by name: keyword arguments for an operation."""
    return {name: form[name].data for name in names}


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


def submitted(
    form: FlaskForm,
    operation: Callable[[], T],
    message: str | Callable[[T], str],
    next_url: str | Callable[[T], str],
):
    """A form page's POST: if `form` validates, run `operation` and commit (`commit_or_show`),
    flash `message` and return the redirect to `next_url` (either may be a function of the
    operation's result). None when the form is invalid or a rule refused: the page renders
    the form again with its errors."""
    if not form.validate_on_submit():
        return None
    ok, result = commit_or_show(form, operation)
    if not ok:
        return None
    flash(message(result) if callable(message) else message, "success")
    return redirect(next_url(result) if callable(next_url) else next_url)


def valid_or_400(form: FlaskForm | None = None) -> FlaskForm:
    """The POSTed form (a `ButtonForm` unless given), valid (its CSRF token too), or a 400."""
    form = form if form is not None else ButtonForm()
    if not form.validate_on_submit():
        abort(400)
    return form


def commit_and_go(message: str, next_url: str, category: str = "success"):
    """After a button's operation: the request's one commit, then say `message` and go to
    `next_url`."""
    db.session.commit()
    flash(message, category)
    return redirect(next_url)
