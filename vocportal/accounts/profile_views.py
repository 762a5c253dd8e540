"""An account's own pages: profile, password change, two-factor authentication."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required

from vocportal.accounts import mfa, throttle
from vocportal.accounts import operations as ops
from vocportal.accounts.blueprint import bp, start_session
from vocportal.accounts.forms import ChangePasswordForm, CodeForm, ProfileForm
from vocportal.extensions import db
from vocportal.forms import ButtonForm, commit_or_show
from vocportal.ratelimits import post_limit
from vocportal.security import safe_next


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
            start_session(user)
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
            start_session(user)
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
            start_session(user)
            flash("Two-factor authentication is off.", "success")
            return redirect(url_for("accounts.profile"))
        throttle.note_mfa_failure()
        for error in [*form.form_errors, *form.code.errors]:
            flash(error, "error")
    return redirect(url_for("accounts.mfa_setup"))
