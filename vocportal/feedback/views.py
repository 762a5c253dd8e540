"""Feedback pages for staff, the CSV upload, and the two public intake points: the
embeddable widget and the inbound-email webhook."""

from __future__ import annotations

import hmac
import uuid
from email.utils import parseaddr

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_login import current_user

from vocportal.errors import OperationError
from vocportal.extensions import csrf, db, limiter
from vocportal.feedback import events
from vocportal.feedback import operations as ops
from vocportal.feedback.forms import FeedbackForm, LinkForm, UploadForm
from vocportal.feedback.models import FeedbackItem, FeedbackSource
from vocportal.forms import ButtonForm, commit_and_go, submitted, valid_or_400
from vocportal.ideas.forms import idea_numbered
from vocportal.pagination import page_of
from vocportal.permissions import staff_required
from vocportal.request_guard import allow_body
from vocportal.tags import operations as tag_ops
from vocportal.text import one_line

bp = Blueprint("feedback", __name__)

#: Feedback items per page on the staff list.
PER_PAGE = 50


# --- staff pages ---------------------------------------------------------------------------


@bp.route("/staff/feedback", methods=["GET", "POST"])
@staff_required
def index():
    form = FeedbackForm()
    saved = submitted(
        form,
        lambda: ops.create_feedback(
            text=form.text.data,
            source=FeedbackSource.portal,
            email=form.email.data,
            name=form.name.data,
            company=form.company.data,
            external_id=f"portal:{uuid.uuid4()}",
            payload={"entered_by": current_user.id},
        ),
        "Feedback saved; it will be embedded and placed in a theme.",
        lambda result: url_for("feedback.show", item_id=result[0].id),
    )
    if saved:
        return saved
    source = request.args.get("source")
    try:
        source = FeedbackSource(source) if source else None
    except ValueError:
        abort(404)
    unlinked = request.args.get("unlinked") == "1"
    listing = ops.listing(unlinked_only=unlinked, source=source)
    tag = None
    if request.args.get("tag"):
        tag = tag_ops.tag_by_slug(current_user, request.args["tag"]) or abort(404)
        listing = listing.where(tag_ops.feedback_has_tag(FeedbackItem.id, tag))
    page = page_of(listing, request.args.get("page", 1, type=int), PER_PAGE, count=True)
    return render_template(
        "feedback/index.html",
        page=page,
        tag=tag,
        tag_choices=tag_ops.all_tags(current_user),
        item_tags=tag_ops.tags_of_feedback(current_user, [i.id for i in page.items]),
        form=form,
        upload=UploadForm(formdata=None),
        sources=list(FeedbackSource),
        source=source,
        unlinked=unlinked,
    ), 400 if form.errors else 200


@bp.route("/staff/feedback/<int:item_id>", methods=["GET", "POST"])
@staff_required
def show(item_id: int):
    item = ops.get(item_id) or abort(404)
    form = LinkForm()

    def link():
        idea = idea_numbered(form.idea)
        ops.link(current_user, item, idea)
        return idea

    linked = submitted(
        form,
        link,
        lambda idea: f"Linked to “{idea.title}”: {item.author.display_name} will hear its updates.",
        url_for("feedback.show", item_id=item.id),
    )
    if linked:
        return linked
    return render_template(
        "feedback/show.html",
        item=item,
        form=form,
        post=ButtonForm(formdata=None),
        suggestions=ops.suggestions(item),
        **events.page_extras(item, current_user),
    ), 400 if form.errors else 200


@bp.post("/staff/feedback/<int:item_id>/unlink")
@staff_required
def unlink(item_id: int):
    item = ops.get(item_id) or abort(404)
    valid_or_400()
    ops.link(current_user, item, None)
    return commit_and_go("Unlinked.", url_for("feedback.show", item_id=item.id))


@bp.post("/staff/feedback/import")
@allow_body("UPLOAD_MAX_BYTES")
@staff_required
def upload():
    """Save the uploaded CSV and import it in a job (a large file takes a while)."""
    form = UploadForm()
    if not form.validate_on_submit():
        return render_template(
            "feedback/index.html",
            page=page_of(ops.listing(), 1, PER_PAGE, count=True),
            form=FeedbackForm(formdata=None),
            upload=form,
            sources=list(FeedbackSource),
            source=None,
            unlinked=False,
        ), 400
    record = ops.queue_csv_import(current_user, form.file.data)
    db.session.commit()
    flash("Import started; its progress is below.", "success")
    return redirect(url_for("queue.index") + f"#job-{record.id}")


# --- public intake -------------------------------------------------------------------------


def _allowed_origin(origin: str | None) -> str | None:
    """The Origin if the widget may post from it (WIDGET_ALLOWED_ORIGINS, '*' for any)."""
    if not origin:
        return None
    allowed = current_app.config["WIDGET_ALLOWED_ORIGINS"]
    if "*" in allowed or origin in allowed:
        return origin
    return None


def _cors(response, origin: str | None):
    if origin:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Vary"] = "Origin"
        response.headers["Access-Control-Allow-Methods"] = "POST, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "Content-Type"
        response.headers["Access-Control-Max-Age"] = "600"
    return response


@bp.get("/widget.js")
def widget_script():
    """The embeddable widget: `<script src="https://portal/widget.js" async></script>`."""
    response = send_from_directory(current_app.static_folder, "widget/widget.js")
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@bp.route("/widget/feedback", methods=["POST", "OPTIONS"])
@csrf.exempt
@limiter.limit(lambda: current_app.config["LIMIT_WIDGET"])
def widget_feedback():
    """Feedback from the widget on another site.

    CSRF: the endpoint takes only `application/json`, which a cross-site HTML form cannot
    send and which makes browsers ask first (a CORS preflight); the Origin must be one
    WIDGET_ALLOWED_ORIGINS lists. No cookie is read: the widget acts as nobody, so a forged
    request could at most post feedback in someone's name, which anyone can do by typing
    their email; the rate limit bounds that.
    """
    origin = _allowed_origin(request.headers.get("Origin"))
    if request.method == "OPTIONS":
        return _cors(current_app.response_class(status=204 if origin else 403), origin)
    if request.headers.get("Origin") and origin is None:
        return _cors(jsonify(error="This site may not post feedback here."), None), 403
    if not request.is_json:
        return _cors(jsonify(error="Send JSON (Content-Type: application/json)."), origin), 415
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return _cors(jsonify(error="The body must be a JSON object."), origin), 400
    try:
        item, created = ops.create_feedback(
            text=str(data.get("text") or ""),
            source=FeedbackSource.widget,
            email=str(data.get("email") or ""),
            # One line, as names are; normalised, not refused: the feedback matters more.
            name=one_line(str(data.get("name") or "")) or None,
            external_id=str(data.get("id") or "") or None,
            payload={"page": str(data.get("page") or "")[:500], "origin": origin or ""},
        )
    except OperationError as error:
        db.session.rollback()
        return _cors(jsonify(error=error.message, field=error.field), origin), 422
    db.session.commit()
    return _cors(jsonify(id=item.id, created=created), origin), 201 if created else 200


@bp.post("/hooks/inbound-email")
@csrf.exempt
def inbound_email():
    """Inbound email as JSON (the common shape: sender/from, subject, text), authenticated
    by INBOUND_EMAIL_SECRET in the `X-Webhook-Secret` header only: a secret in the URL would
    be written to every access log on its way."""
    secret = current_app.config["INBOUND_EMAIL_SECRET"]
    given = request.headers.get("X-Webhook-Secret") or ""
    if not secret or not hmac.compare_digest(given.encode(), secret.encode()):
        return jsonify(error="Unknown or missing webhook secret."), 401
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return jsonify(error="Send a JSON object: sender, subject, text."), 400
    sender = str(data.get("sender") or data.get("from") or data.get("From") or "")
    name, address = parseaddr(sender)
    # The sender's mail client wrote the name and subject: made one line, never refused.
    name = one_line(name)
    subject = one_line(str(data.get("subject") or data.get("Subject") or ""))
    text = str(data.get("text") or data.get("body-plain") or data.get("TextBody") or "").strip()
    message_id = str(
        data.get("message_id") or data.get("Message-Id") or data.get("MessageID") or ""
    )
    # A reply to something the portal sent (a question) is its answer, not new feedback.
    recipient = str(data.get("recipient") or data.get("to") or data.get("To") or "")
    handled = events.reply_to(
        address=address, recipient=recipient, subject=subject, text=text, message_id=message_id
    )
    if handled is not None:
        status, body = handled
        if status < 400:
            db.session.commit()
        else:
            db.session.rollback()
        return jsonify(body), status
    try:
        item, created = ops.create_feedback(
            text=f"{subject}\n\n{text}".strip() if subject else text,
            source=FeedbackSource.email,
            email=address,
            name=name or None,
            external_id=message_id or None,
            payload=data,
        )
    except OperationError as error:
        db.session.rollback()
        return jsonify(error=error.message, field=error.field), 422
    db.session.commit()
    return jsonify(id=item.id, created=created), 201 if created else 200
