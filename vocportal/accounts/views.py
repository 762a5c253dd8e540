"""Sign-up (confirmed by email), login (by password or emailed link), logout, password
reset and profile pages."""

from __future__ import annotations

from flask import (
    Blueprint,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user

from vocportal.accounts import operations as ops
from vocportal.accounts import throttle
from vocportal.accounts.email_forms import ButtonForm, ConfirmSignupForm, SignInLinkRequestForm
from vocportal.accounts.forms import (
    ChangePasswordForm,
    ForgotPasswordForm,
    LoginForm,
    ProfileForm,
    ResetPasswordForm,
    SignupForm,
)
from vocportal.extensions import db
from vocportal.forms import commit_or_show
from vocportal.queue.operations import defer
from vocportal.ratelimits import post_limit
from vocportal.security import safe_next

bp = Blueprint("accounts", __name__)
# App-wide hooks, registered with the app by this blueprint: pages for a logged-in person
# are never kept by shared caches; behind a proxy (PROXY_FIX_HOPS) the client's address
# comes from X-Forwarded-For.


def _start_session(user, remember: bool = False) -> None:
    # A fresh session at login: nothing from before login carries over.
    session.clear()
    login_user(user, remember=remember)


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
            user = confirmed
            _start_session(user)
            throttle.remember_address(user.email)
            flash("Your email address is confirmed. Welcome!", "success")
            return redirect(url_for("ideas.index"))
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
    form = SignInLinkRequestForm()
    if form.validate_on_submit():
        # Always the same work here, account or not: the worker looks the address up.
        defer(
            "sign-in link email",
            "jobs.mail.send_sign_in_link",
            ops.normalise_email(form.email.data),
            queue="notifications",
            timeout=60,
        )
        db.session.commit()
        flash("If that address has an account, a sign-in link is on its way.", "info")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/sign_in_link.html", form=form), 200 if not form.errors else 400


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
            user = signed_in
            _start_session(user)
            throttle.remember_address(user.email)
            return redirect(url_for("ideas.index"))
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
            _start_session(user, remember=form.remember.data)
            throttle.remember_address(user.email)
            if not user.is_verified:
                flash(
                    "Confirm your email address to vote, post and comment: "
                    "your profile page sends a new link.",
                    "info",
                )
            return redirect(safe_next(request.args.get("next")) or url_for("ideas.index"))
        throttle.note_failure()
        # One message whatever was wrong, so nobody learns which emails have accounts.
        form.form_errors.append("Email or password is incorrect.")
    return render_template("accounts/login.html", form=form), 200 if not form.errors else 400


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
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        # Always the same work here, account or not: the worker looks the address up.
        defer(
            "password reset email",
            "jobs.mail.send_password_reset",
            ops.normalise_email(form.email.data),
            queue="notifications",
            timeout=60,
        )
        db.session.commit()
        # The same answer whether or not the address has an account.
        flash("If that address has an account, a reset link is on its way.", "info")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/forgot.html", form=form), 200 if not form.errors else 400


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
