"""Sign-up (confirmed by email), login (by password or emailed link), logout, password
reset and profile pages."""

from __future__ import annotations

import time

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user

from vocportal.accounts import mfa, throttle
from vocportal.accounts import operations as ops
from vocportal.accounts.email_forms import ButtonForm, ConfirmSignupForm, SignInLinkRequestForm
from vocportal.accounts.forms import (
    ChangePasswordForm,
    CodeForm,
    ForgotPasswordForm,
    LoginForm,
    ProfileForm,
    ResetPasswordForm,
    SignupForm,
)
from vocportal.extensions import db
from vocportal.forms import commit_or_show
from vocportal.permissions import enrol_first
from vocportal.queue.operations import defer
from vocportal.ratelimits import post_limit
from vocportal.security import safe_next

bp = Blueprint("accounts", __name__)
# App-wide hooks, registered with the app by this blueprint: pages for a logged-in person
# are never kept by shared caches; behind a proxy (PROXY_FIX_HOPS) the client's address
# comes from X-Forwarded-For.


#: Where a staff member without MFA may still go when REQUIRE_STAFF_MFA holds them back:
#: their own account pages (enrolment, logout), static files, and the API and single
#: sign-on, which check for themselves.
_OPEN_TO_UNENROLLED = ("accounts.", "api.", "sso.")


@bp.before_app_request
def _staff_enrol_first():
    """With REQUIRE_STAFF_MFA, a staff member or admin without MFA is sent to enrolment from
    every page but their account's: staff pages, and the staff panels of public pages."""
    endpoint = request.endpoint or ""
    if endpoint == "static" or endpoint.startswith(_OPEN_TO_UNENROLLED):
        return None
    if not current_app.config["REQUIRE_STAFF_MFA"] or not current_user.is_authenticated:
        return None
    if not current_user.is_staff:
        return None
    return enrol_first()


def _start_session(user, remember: bool = False) -> None:
    # A fresh session at login: nothing from before login carries over.
    session.clear()
    login_user(user, remember=remember)


def sign_in(user, *, remember: bool = False, next_url: str | None = None):
    """Log in someone who proved who they are (password, emailed link): at once, or, with
    MFA on, after a code from their authenticator (`login_code`); until then the session is
    not logged in. Return the response that goes on."""
    if user.mfa_enabled:
        session.clear()
        session["mfa_login"] = {
            "id": user.id,
            "v": user.session_version,
            "r": bool(remember),
            "n": next_url,
            "t": int(time.time()),
        }
        return redirect(url_for("accounts.login_code"))
    _start_session(user, remember=remember)
    throttle.remember_address(user.email)
    return redirect(next_url or url_for("ideas.index"))


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
            defer(
                "sign-up email",
                "jobs.mail.send_sign_up_email",
                user.id,
                outcome.value,
                form.display_name.data.strip(),
                queue="notifications",
                timeout=60,
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
        defer(
            "confirm email",
            "jobs.mail.send_sign_up_email",
            user.id,
            ops.SignupOutcome.confirm.value,
            None,
            queue="notifications",
            timeout=60,
        )
        db.session.commit()
        flash(f"A new confirmation link is on its way to {user.email}.", "info")
    return redirect(url_for("accounts.profile"))


@bp.route("/login/link", methods=["GET", "POST"])
@post_limit("LIMIT_MAGIC_LINK")
def sign_in_link():
    return _email_a_link(
        SignInLinkRequestForm(),
        "sign-in link email",
        "jobs.mail.send_sign_in_link",
        "a sign-in link",
        "accounts/sign_in_link.html",
    )


def _email_a_link(form, description: str, job: str, what: str, template: str):
    """Queue an emailed link for the address in `form` and answer the same whether or not
    the address has an account (the worker looks it up: the same work here either way)."""
    if form.validate_on_submit():
        defer(
            description,
            job,
            ops.normalise_email(form.email.data),
            queue="notifications",
            timeout=60,
        )
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
            response = sign_in(
                user,
                remember=bool(form.remember.data),
                next_url=safe_next(request.args.get("next")),
            )
            if not user.is_verified:
                flash(
                    "Confirm your email address to vote, post and comment: "
                    "your profile page sends a new link.",
                    "info",
                )
            return response
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
            _start_session(user, remember=pending.get("r", False))
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
        "jobs.mail.send_password_reset",
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


def _render_profile(form: ProfileForm, password_form: ChangePasswordForm):
    status = 400 if (form.errors or password_form.errors) else 200
    return render_template(
        "accounts/profile.html",
        form=form,
        password_form=password_form,
        resend_form=ButtonForm(formdata=None),
    ), status


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    user = current_user._get_current_object()
    form = ProfileForm(obj=user)
    if form.validate_on_submit():
        ops.update_profile(user, form.display_name.data)
        db.session.commit()
        flash("Profile saved.", "success")
        return redirect(url_for("accounts.profile"))
    return _render_profile(form, ChangePasswordForm(formdata=None))


@bp.post("/profile/password")
@login_required
@post_limit("LIMIT_LOGIN")  # it checks the current password: as guessable as a login
def change_password():
    user = current_user._get_current_object()
    form = ChangePasswordForm()
    if form.validate_on_submit():
        ok, _ = commit_or_show(
            form, lambda: ops.change_password(user, form.current_password.data, form.password.data)
        )
        if ok:
            # This session goes on under the new version; every other one is dead.
            _start_session(user)
            flash(
                "Password changed. Other sessions were logged out, and any API tokens revoked.",
                "success",
            )
            return redirect(url_for("accounts.profile"))
    return _render_profile(ProfileForm(obj=user, formdata=None), form)


def _required_for(user) -> bool:
    return bool(current_app.config["REQUIRE_STAFF_MFA"] and user.is_staff)


@bp.route("/profile/mfa", methods=["GET", "POST"])
@login_required
@post_limit("LIMIT_LOGIN")
@throttle.mfa_limit
def mfa_setup():
    """Two-factor authentication: enrol an authenticator app, or see that it is on."""
    user = current_user._get_current_object()
    next_url = safe_next(request.args.get("next"))
    if user.mfa_enabled:
        return render_template(
            "accounts/mfa.html",
            user=user,
            left=mfa.recovery_codes_left(user),
            off_form=CodeForm(formdata=None),
            required=_required_for(user),
        )
    # The new secret waits in this (signed) session until a code from it is typed.
    secret = session.get("mfa_enrol_secret")
    if not isinstance(secret, str) or len(secret) != 32:
        secret = session["mfa_enrol_secret"] = mfa.new_secret()
    form = CodeForm()
    if form.validate_on_submit():
        ok, codes = commit_or_show(form, lambda: mfa.enable(user, secret, form.code.data))
        if ok:
            # The other sessions ended (enable); this one goes on, logged in with both factors.
            _start_session(user)
            return render_template("accounts/mfa_codes.html", codes=codes, next_url=next_url)
        throttle.note_mfa_failure()
    return render_template(
        "accounts/mfa.html",
        user=user,
        form=form,
        qr=mfa.qr_svg(mfa.provisioning_uri(user, secret)),
        secret=mfa.grouped(secret),
        required=_required_for(user),
        next_url=next_url,
    ), 200 if not form.errors else 400


@bp.post("/profile/mfa/off")
@login_required
@post_limit("LIMIT_LOGIN")
@throttle.mfa_limit
def mfa_off():
    user = current_user._get_current_object()
    form = CodeForm()
    if form.validate_on_submit():
        ok, _ = commit_or_show(
            form, lambda: mfa.turn_off(user, form.code.data, required=_required_for(user))
        )
        if ok:
            _start_session(user)
            flash("Two-factor authentication is off.", "success")
            return redirect(url_for("accounts.profile"))
        throttle.note_mfa_failure()
        for error in [*form.form_errors, *form.code.errors]:
            flash(error, "error")
    return redirect(url_for("accounts.mfa_setup"))
