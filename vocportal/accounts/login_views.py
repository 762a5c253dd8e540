"""Getting in: sign-up (confirmed by email), login (by password or emailed link, then the
second factor when MFA is on), logout and password reset."""

from __future__ import annotations

import time

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, logout_user

from vocportal.accounts import mfa, throttle
from vocportal.accounts import operations as ops
from vocportal.accounts.blueprint import bp, start_session
from vocportal.accounts.email_forms import ConfirmSignupForm, SignInLinkRequestForm
from vocportal.accounts.forms import (
    CodeForm,
    ForgotPasswordForm,
    LoginForm,
    ResetPasswordForm,
    SignupForm,
)
from vocportal.extensions import db
from vocportal.forms import ButtonForm, commit_and_go, commit_or_show
from vocportal.queue import jobnames
from vocportal.queue.operations import defer
from vocportal.ratelimits import post_limit
from vocportal.security import safe_next


def sign_in(user, *, remember: bool = False, next_url: str | None = None):
    """Log in someone who proved who they are (password, emailed link): at once, or, with
    MFA on, after a code from their authenticator (`login_code`); until then the session is
    not logged in. Return the response that goes on; someone whose address is not confirmed
    yet is told how to confirm it (after the fresh session starts, so the message stays)."""
    if user.mfa_enabled:
        session.clear()
        session["mfa_login"] = {
            "id": user.id,
            "v": user.session_version,
            "r": bool(remember),
            "n": next_url,
            "t": int(time.time()),
        }
        response = redirect(url_for("accounts.login_code"))
    else:
        start_session(user, remember=remember)
        throttle.remember_address(user.email)
        response = redirect(next_url or url_for("ideas.index"))
    if not user.is_verified:
        flash(
            "Confirm your email address to vote, post and comment: "
            "your profile page sends a new link.",
            "info",
        )
    return response


def _email_later(description: str, job: str, *args) -> None:
    """Queue an account email (confirmation, sign-in link, reset) for the notifications
    worker; it goes once the request commits."""
    defer(description, job, *args, queue="notifications", timeout=60)


def _pending_login():
    """The account waiting for its code in this session, and the login's details."""
    data = session.get("mfa_login")
    if not isinstance(data, dict) or not isinstance(data.get("id"), int):
        return None, None
    if time.time() - data.get("t", 0) > current_app.config["MFA_LOGIN_MAX_AGE"]:
        return None, None
    user = ops.user_by_id(data["id"])
    if (
        user is None
        or user.blocked
        or user.session_version != data.get("v")
        or not user.mfa_enabled
    ):
        return None, None
    return user, data


@bp.route("/signup", methods=["GET", "POST"])
@post_limit("LIMIT_SIGNUP")
def signup():
    form = SignupForm()
    if form.validate_on_submit():

        def start():
            outcome, user = ops.sign_up(form.email.data, form.display_name.data, form.password.data)
            # One job whatever the address: the worker sends the email this outcome needs.
            _email_later(
                "sign-up email",
                jobnames.SEND_SIGN_UP_EMAIL,
                user.id,
                outcome.value,
                form.display_name.data.strip(),
            )

        ok, _ = commit_or_show(form, start)
        if ok:
            # The same answer for a new address, a contact's and an account's.
            return redirect(url_for("accounts.check_email"))
    return render_template("accounts/signup.html", form=form), 200 if not form.errors else 400


@bp.get("/signup/sent")
def check_email():
    return render_template("accounts/check_email.html")


@bp.route("/verify/<token>", methods=["GET", "POST"])
@post_limit("LIMIT_LOGIN")  # a sign-up in waiting asks for its password: guessable
def confirm_email(token: str):
    found = ops.verify_token_data(token)
    if found is None:
        flash("That confirmation link is invalid, used or expired. Ask for a new one.", "error")
        return redirect(url_for("accounts.login"))
    user, _ = found
    email, needs_password = user.email, bool(user.pending_password_hash)
    form = ConfirmSignupForm()
    # Nothing changes on GET: mail scanners open links; only the button below confirms.
    if form.validate_on_submit():
        ok, confirmed = commit_or_show(form, lambda: ops.confirm_sign_up(token, form.password.data))
        if ok:
            response = sign_in(confirmed)  # a fresh session: the message comes after
            flash("Your email address is confirmed. Welcome!", "success")
            return response
    return render_template(
        "accounts/confirm_email.html", form=form, email=email, needs_password=needs_password
    ), 200 if not form.errors else 400


@bp.post("/verify/resend")
@login_required
@post_limit("LIMIT_RESET")
def resend_confirmation():
    user = current_user._get_current_object()
    if ButtonForm().validate_on_submit() and not user.is_verified:
        _email_later(
            "confirm email",
            jobnames.SEND_SIGN_UP_EMAIL,
            user.id,
            ops.SignupOutcome.confirm.value,
            None,
        )
        return commit_and_go(
            f"A new confirmation link is on its way to {user.email}.",
            url_for("accounts.profile"),
            "info",
        )
    return redirect(url_for("accounts.profile"))


@bp.route("/login/link", methods=["GET", "POST"])
@post_limit("LIMIT_MAGIC_LINK")
def sign_in_link():
    return _email_a_link(
        SignInLinkRequestForm(),
        "sign-in link email",
        jobnames.SEND_SIGN_IN_LINK,
        "a sign-in link",
        "accounts/sign_in_link.html",
    )


def _email_a_link(form, description: str, job: str, what: str, template: str):
    """Queue an emailed link for the address in `form` and answer the same whether or not
    the address has an account (the worker looks it up: the same work here either way)."""
    if form.validate_on_submit():
        _email_later(description, job, ops.normalise_email(form.email.data))
        db.session.commit()
        flash(f"If that address has an account, {what} is on its way.", "info")
        return redirect(url_for("accounts.login"))
    return render_template(template, form=form), 200 if not form.errors else 400


@bp.route("/login/link/<token>", methods=["GET", "POST"])
@post_limit("LIMIT_LOGIN")
def sign_in_by_link(token: str):
    user = ops.user_for_sign_in_token(token)
    if user is None:
        flash("That sign-in link is invalid, used or expired. Ask for a new one.", "error")
        return redirect(url_for("accounts.sign_in_link"))
    email = user.email
    form = ButtonForm()
    # Nothing changes on GET: mail scanners open links; only the button below signs in.
    if form.validate_on_submit():
        ok, signed_in = commit_or_show(form, lambda: ops.sign_in_by_link(token))
        if ok:
            # The link is used up either way; with MFA on, a code is asked for next.
            return sign_in(signed_in)
    return render_template(
        "accounts/sign_in_by_link.html", form=form, email=email
    ), 200 if not form.errors else 400


@bp.route("/login", methods=["GET", "POST"])
@post_limit("LIMIT_LOGIN")
@throttle.account_limit
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = ops.authenticate(form.email.data, form.password.data)
        if user is not None:
            db.session.commit()
            return sign_in(
                user,
                remember=bool(form.remember.data),
                next_url=safe_next(request.args.get("next")),
            )
        throttle.note_failure()
        # One message whatever was wrong, so nobody learns which emails have accounts.
        form.form_errors.append("Email or password is incorrect.")
    return render_template("accounts/login.html", form=form), 200 if not form.errors else 400


@bp.route("/login/code", methods=["GET", "POST"])
@post_limit("LIMIT_LOGIN")
@throttle.mfa_limit
def login_code():
    """Login's second step: the password (or emailed link) was right; now the code."""
    user, pending = _pending_login()
    if user is None:
        session.pop("mfa_login", None)
        flash("Log in again: that login waited too long for its code.", "info")
        return redirect(url_for("accounts.login"))
    form = CodeForm()
    if form.validate_on_submit():
        ok, kind = commit_or_show(form, lambda: mfa.complete_login(user, form.code.data))
        if ok:
            start_session(user, remember=pending.get("r", False))
            throttle.remember_address(user.email)
            if kind == "recovery":
                left = mfa.recovery_codes_left(user)
                flash(
                    f"You used a recovery code; {left} left. If you lost your authenticator, "
                    "ask an admin to reset your two-factor authentication, then enrol again.",
                    "info",
                )
            return redirect(safe_next(pending.get("n")) or url_for("ideas.index"))
        throttle.note_mfa_failure()
    return render_template("accounts/login_code.html", form=form), 200 if not form.errors else 400


@bp.post("/logout")
@login_required
def logout():
    ops.end_sessions(current_user._get_current_object())
    db.session.commit()
    logout_user()
    session.clear()
    flash("You are logged out.", "info")
    return redirect(url_for("ideas.index"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@post_limit("LIMIT_RESET")
def forgot_password():
    return _email_a_link(
        ForgotPasswordForm(),
        "password reset email",
        jobnames.SEND_PASSWORD_RESET,
        "a reset link",
        "accounts/forgot.html",
    )


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@post_limit("LIMIT_RESET")
def reset_password(token: str):
    user = ops.user_for_reset_token(token)
    if user is None:
        flash("That reset link is invalid, used or expired. Ask for a new one.", "error")
        return redirect(url_for("accounts.forgot_password"))
    form = ResetPasswordForm()
    if form.validate_on_submit():
        ok, _ = commit_or_show(form, lambda: ops.reset_password(user, form.password.data))
        if ok:
            # Whoever reads the account's email may log in from here, whatever a guesser did.
            throttle.remember_address(user.email)
            flash("Your password is changed. Log in with the new one.", "success")
            return redirect(url_for("accounts.login"))
    return render_template("accounts/reset.html", form=form), 200 if not form.errors else 400
