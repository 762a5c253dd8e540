"""Web pages around the API: personal tokens, the OpenAPI document and its reference page.

These are ordinary portal pages (session login, CSRF on every form), apart from the JSON
API blueprint in vocportal.api.views.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, jsonify, render_template, url_for
from flask_login import current_user, login_required

from vocportal.api import operations as ops
from vocportal.api import reference
from vocportal.api.errors import API_PREFIX
from vocportal.api.forms import TokenForm
from vocportal.forms import ButtonForm, commit_and_go, commit_or_show, valid_or_400

bp = Blueprint("api_pages", __name__)


def _user():
    return current_user._get_current_object()


def _render_tokens(form: TokenForm, new_secret: str | None = None, status: int = 200):
    response = current_app.make_response(
        (
            render_template(
                "api/tokens.html",
                form=form,
                tokens=ops.tokens_of(_user()),
                revocation=ops.credential_revocation(_user()),
                new_secret=new_secret,
                revoke_form=ButtonForm(),
                docs_url=url_for("api_pages.docs"),
            ),
            status,
        )
    )
    # The page may show a secret: no cache keeps a copy.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/account/tokens", methods=["GET", "POST"])
@login_required
def tokens():
    form = TokenForm()
    if form.validate_on_submit():
        ok, created = commit_or_show(
            form, lambda: ops.create_token(_user(), form.name.data, form.scope.data)
        )
        if ok:
            _token, secret = created
            # Shown on this response only: it is not stored anywhere we could show it again.
            return _render_tokens(TokenForm(formdata=None), new_secret=secret)
    return _render_tokens(form, status=400 if form.errors else 200)


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
def revoke(token_id: int):
    token = ops.get_own_token(_user(), token_id) or abort(404)
    valid_or_400()
    ops.revoke_token(_user(), token)
    return commit_and_go(
        f"Token “{token.name}” is revoked; it no longer works.", url_for("api_pages.tokens"), "info"
    )


def _spec() -> dict:
    return current_app.extensions["vocportal_api"].spec.to_dict()


@bp.get(f"{API_PREFIX}/openapi.json")
def openapi_json():
    """The OpenAPI 3 document, generated from the API's code by flask-smorest."""
    response = jsonify(_spec())
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@bp.get(f"{API_PREFIX}/docs")
def docs():
    spec = _spec()
    schemas = reference.schema_docs(spec)
    return render_template(
        "api/docs.html",
        spec=spec,
        groups=reference.operations_by_tag(spec),
        schemas=schemas,
        schema_names={s.name for s in schemas},
        intro=reference.markdown(spec["info"].get("description", "")),
        openapi_url=url_for("api_pages.openapi_json"),
    )
