"""The staff page of recent background jobs, with live progress."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from sqlalchemy import select

from vocportal.extensions import db
from vocportal.permissions import staff_required
from vocportal.queue.models import JobRecord

bp = Blueprint("queue", __name__, url_prefix="/staff/jobs")


@bp.get("/")
@staff_required
def index():
    records = db.session.scalars(select(JobRecord).order_by(JobRecord.id.desc()).limit(100)).all()
    template = "queue/_rows.html" if request.headers.get("HX-Request") else "queue/index.html"
    return render_template(template, records=records, polling=any(r.state.active for r in records))


@bp.get("/<int:record_id>/progress")
@staff_required
def progress(record_id: int):
    record = db.session.get(JobRecord, record_id) or abort(404)
    return render_template("queue/_progress.html", record=record)
