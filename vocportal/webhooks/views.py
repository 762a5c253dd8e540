"""Staff pages for outbound webhooks: endpoints (admins manage them) and delivery logs."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request, url_for
from flask_login import current_user

from vocportal.extensions import db
from vocportal.forms import commit_and_go, submitted, valid_or_400
from vocportal.permissions import admin_required, staff_required
from vocportal.webhooks import operations as ops
from vocportal.webhooks.forms import EVENT_LABELS, FORMAT_LABELS, ActiveForm, EndpointForm
from vocportal.webhooks.models import WebhookEndpoint

bp = Blueprint("webhooks", __name__, url_prefix="/staff/webhooks")


def _endpoint_or_404(endpoint_id: int) -> WebhookEndpoint:
    return db.session.get(WebhookEndpoint, endpoint_id) or abort(404)


def _labels() -> dict:
    return {
        "event_labels": {e.value: label for e, label in EVENT_LABELS.items()},
        "format_labels": {f: label.split(" (")[0] for f, label in FORMAT_LABELS.items()},
        "board_names": ops.board_names(),
    }


def _endpoint_form() -> EndpointForm:
    form = EndpointForm()
    form.boards.choices = list(ops.board_names().items())
    return form


def _index(form: EndpointForm | None, status: int = 200):
    return render_template(
        "webhooks/index.html", endpoints=ops.endpoints(), form=form, **_labels()
    ), status


@bp.get("/")
@staff_required
def index():
    return _index(_endpoint_form() if current_user.is_admin else None)


@bp.post("/")
@admin_required
def create():
    form = _endpoint_form()
    return submitted(
        form,
        lambda: ops.create_endpoint(
            current_user._get_current_object(),
            form.url.data,
            form.events.data,
            form.format.data,
            form.boards.data,
        ),
        "Endpoint added. Give its signing secret (below) to the receiver.",
        lambda endpoint: url_for("webhooks.show", endpoint_id=endpoint.id),
    ) or _index(form, 400)


@bp.get("/<int:endpoint_id>")
@staff_required
def show(endpoint_id: int):
    endpoint = _endpoint_or_404(endpoint_id)
    page = db.paginate(
        ops.deliveries_of(endpoint),
        page=min(request.args.get("page", 1, type=int), 10_000),
        per_page=50,
        error_out=False,
    )
    return render_template(
        "webhooks/show.html",
        endpoint=endpoint,
        page=page,
        **_labels(),
    )


@bp.post("/<int:endpoint_id>/active")
@admin_required
def set_active(endpoint_id: int):
    endpoint = _endpoint_or_404(endpoint_id)
    form = valid_or_400(ActiveForm())
    ops.set_endpoint_active(current_user._get_current_object(), endpoint, form.active.data == "1")
    return commit_and_go(
        f"Endpoint {'on' if endpoint.active else 'off'}: {endpoint.url}",
        url_for("webhooks.show", endpoint_id=endpoint.id),
    )


@bp.post("/<int:endpoint_id>/delete")
@admin_required
def delete(endpoint_id: int):
    endpoint = _endpoint_or_404(endpoint_id)
    valid_or_400()
    url = endpoint.url
    ops.delete_endpoint(current_user._get_current_object(), endpoint)
    return commit_and_go(f"Endpoint deleted: {url}", url_for("webhooks.index"))
